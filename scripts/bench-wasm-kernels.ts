// Times one Adam step of a small conv autoencoder on cpu vs wasm (+ training kernels), batch 16,
// and the conv2dTranspose forward on stock wasm vs ours. Prints JSON.
// Run: npx tsx --import ./scripts/node/tfjs-alias.mjs scripts/bench-wasm-kernels.ts
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/core/backend/wasm-training-kernels';

const B = 16, H = 64, C = 3, F1 = 16, F2 = 32;
const REPS = 3;

function makeModel() {
  const v = (s: number[]) => tf.variable(tf.randomNormal(s, 0, 0.1, 'float32', 1));
  const w = { w1: v([3, 3, C, F1]), w2: v([3, 3, F1, F2]), w3: v([3, 3, C, F2]) };
  const x = tf.randomUniform([B, H, H, C], 0, 1, 'float32', 2) as tf.Tensor4D;
  const loss = () => {
    const h1 = tf.relu(tf.conv2d(x, w.w1 as tf.Variable<tf.Rank.R4>, 1, 'same'));
    const h2 = tf.relu(tf.conv2d(h1, w.w2 as tf.Variable<tf.Rank.R4>, 2, 'same'));
    const y = tf.sigmoid(tf.conv2dTranspose(h2, w.w3 as tf.Variable<tf.Rank.R4>, [B, H, H, C], 2, 'same'));
    return tf.losses.meanSquaredError(x, y) as tf.Scalar;
  };
  return { w, x, loss };
}

async function timeStep(backend: string): Promise<number> {
  await tf.setBackend(backend);
  const { w, x, loss } = makeModel();
  const opt = tf.train.adam(1e-3);
  const step = () => tf.dispose(opt.minimize(loss, true) ?? undefined);
  step(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < REPS; i++) step();
  const ms = (performance.now() - t0) / REPS;
  opt.dispose();
  tf.dispose([x, ...Object.values(w)]);
  return ms;
}

async function timeTransposeFwd(): Promise<number> {
  await tf.setBackend('wasm');
  const x = tf.randomNormal([B, H / 2, H / 2, F2]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, C, F2]) as tf.Tensor4D;
  const run = () => tf.tidy(() => tf.conv2dTranspose(x, w, [B, H, H, C], 2, 'same').dataSync());
  run();
  const t0 = performance.now();
  for (let i = 0; i < REPS; i++) run();
  tf.dispose([x, w]);
  return (performance.now() - t0) / REPS;
}

async function main() {
  const stockTransposeMs = await timeTransposeFwd();
  registerWasmTrainingKernels();
  const oursTransposeMs = await timeTransposeFwd();
  const cpuStepMs = await timeStep('cpu');
  const wasmStepMs = await timeStep('wasm');
  const r = (n: number) => Math.round(n * 10) / 10;
  console.log(JSON.stringify({
    batch: B, image: [H, H, C], reps: REPS,
    trainStepMs: { cpu: r(cpuStepMs), wasm: r(wasmStepMs), speedup: r(cpuStepMs / wasmStepMs) },
    conv2dTransposeFwdMs: { wasmStock: r(stockTransposeMs), wasmOurs: r(oursTransposeMs), speedup: r(stockTransposeMs / oursTransposeMs) },
  }, null, 2));
}

main().catch((e) => { console.error(e); process.exit(1); });

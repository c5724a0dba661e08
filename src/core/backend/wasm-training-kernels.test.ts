// Parity of the wasm training kernels against the cpu backend (same inputs, both backends).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-training-kernels';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Backend = 'cpu' | 'wasm';
const TOL = 1e-5;
const worst: Record<string, number> = {};

let seed = 12345;
function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    a[i] = seed / 2 ** 32 - 0.5;
  }
  return a;
}
const size = (s: number[]) => s.reduce((p, v) => p * v, 1);

function relErr(cpu: Float32Array, wasm: Float32Array): number {
  expect(wasm.length).toBe(cpu.length);
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < cpu.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(cpu[i]));
    maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - wasm[i]));
  }
  return maxDiff / Math.max(1e-6, maxAbs);
}

/** Runs fn on one backend; returns shapes and values of its results. */
async function on(backend: Backend, fn: () => tf.Tensor[]): Promise<{ shape: number[]; data: Float32Array }[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const res = outs.map((t) => ({ shape: t.shape, data: new Float32Array(t.dataSync()) }));
  tf.dispose(outs);
  return res;
}

/** Runs fn on cpu and wasm and checks every output; records the worst error under `group`. */
async function compare(group: string, fn: () => tf.Tensor[], tol = TOL): Promise<void> {
  const cpu = await on('cpu', fn);
  const wasm = await on('wasm', fn);
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((c, i) => {
    expect(wasm[i].shape).toEqual(c.shape);
    const e = relErr(c.data, wasm[i].data);
    worst[group] = Math.max(worst[group] ?? 0, e);
    expect(e, `${group} output ${i}`).toBeLessThanOrEqual(tol);
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu'); // registration must not need wasm to be active
  const warn = vi.spyOn(console, 'warn');
  registerWasmTrainingKernels();
  registerWasmTrainingKernels(); // idempotent
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
  await tf.setBackend('wasm');
  await tf.ready();
});

afterAll(() => {
  console.log('max relative error per group:', JSON.stringify(worst));
});

describe('registration', () => {
  it('registers every listed kernel for wasm', () => {
    for (const k of WASM_TRAINING_KERNELS) {
      const fn = tf.getKernel(k, 'wasm')?.kernelFunc as unknown as Record<string, unknown> | undefined;
      expect(fn?.__wasmTrainingKernel, k).toBe(true); // ours, not the stock kernel
    }
  });
  it('rejects NCHW', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2],
      }),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});

interface ConvCase { n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; s: number | [number, number]; pad: Pad }
const convCases: ConvCase[] = [
  { n: 2, h: 7, w: 6, ci: 3, co: 4, kh: 3, kw: 3, s: 1, pad: 'same' },
  { n: 1, h: 8, w: 8, ci: 2, co: 5, kh: 3, kw: 3, s: 2, pad: 'same' },
  { n: 3, h: 9, w: 7, ci: 4, co: 3, kh: 3, kw: 2, s: 2, pad: 'valid' },
  { n: 2, h: 6, w: 6, ci: 3, co: 2, kh: 1, kw: 1, s: 2, pad: 'valid' },
  { n: 2, h: 7, w: 9, ci: 2, co: 3, kh: 4, kw: 4, s: 2, pad: 'same' },
  { n: 1, h: 6, w: 5, ci: 3, co: 4, kh: 3, kw: 3, s: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { n: 2, h: 5, w: 5, ci: 2, co: 2, kh: 2, kw: 2, s: 1, pad: [[0, 0], [3, 0], [0, 4], [0, 0]] },
  { n: 2, h: 6, w: 7, ci: 3, co: 3, kh: 3, kw: 3, s: 2, pad: 1 },
  { n: 2, h: 7, w: 6, ci: 2, co: 3, kh: 3, kw: 3, s: 2, pad: [[0, 0], [4, 1], [3, 5], [0, 0]] },
  { n: 1, h: 9, w: 8, ci: 3, co: 2, kh: 2, kw: 3, s: 3, pad: 'same' },
  { n: 4, h: 10, w: 10, ci: 8, co: 8, kh: 5, kw: 5, s: 2, pad: 'same' },
];
const label = (c: object) => JSON.stringify(c);

type FilterOp = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;

type Shape4 = [number, number, number, number];

/** Gradients of sum(op(x, w) · r) with respect to x and w on cpu and wasm, for random x, w and r. */
async function compareFilterOpGrads(group: string, op: FilterOp, xShape: Shape4, wShape: Shape4): Promise<void> {
  const xv = rand(size(xShape));
  const wv = rand(size(wShape));
  const yShape = tf.tidy(() => op(tf.zeros(xShape), tf.zeros(wShape)).shape);
  const rv = rand(size(yShape));
  await compare(group, () => {
    const r = tf.tensor(rv, yShape);
    const g = tf.grads((a, b) => tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D), r)));
    return g([tf.tensor(xv, xShape), tf.tensor(wv, wShape)]);
  });
}

describe('Conv2DBackpropFilter / Conv2DBackpropInput (tf.grad of conv2d)', () => {
  for (const c of convCases) {
    it(label(c), () =>
      compareFilterOpGrads('conv2d grads', (x, w) => tf.conv2d(x, w, c.s, c.pad), [c.n, c.h, c.w, c.ci], [c.kh, c.kw, c.ci, c.co]),
    );
  }
});

/** Inserts d-1 zeros between filter taps: a dilated conv equals a plain conv with it. */
function dilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  const [kh, kw, ci, co] = w.shape;
  const w6 = tf.reshape(w, [kh, 1, kw, 1, ci, co]);
  const p = tf.pad(w6, [[0, 0], [0, d - 1], [0, 0], [0, d - 1], [0, 0], [0, 0]]);
  const big = tf.reshape(p, [kh * d, kw * d, ci, co]);
  return tf.slice(big, [0, 0, 0, 0], [(kh - 1) * d + 1, (kw - 1) * d + 1, ci, co]) as tf.Tensor4D;
}

describe('dilations (kernels called directly; cpu reference via a zero-dilated filter)', () => {
  const cases = [
    { n: 2, h: 9, w: 8, ci: 3, co: 4, k: 3, d: 2, pad: 'same' as Pad, depthwise: false },
    { n: 1, h: 10, w: 9, ci: 2, co: 3, k: 2, d: 3, pad: 'valid' as Pad, depthwise: false },
    { n: 2, h: 8, w: 8, ci: 3, co: 6, k: 3, d: 2, pad: 'same' as Pad, depthwise: true },
    { n: 2, h: 9, w: 7, ci: 2, co: 2, k: 2, d: 2, pad: 'valid' as Pad, depthwise: true },
  ];
  for (const c of cases) {
    it(label(c), async () => {
      const m = c.co / c.ci;
      const fShape: [number, number, number, number] = c.depthwise ? [c.k, c.k, c.ci, m] : [c.k, c.k, c.ci, c.co];
      const ke = (c.k - 1) * c.d + 1;
      const bigShape: [number, number, number, number] = [ke, ke, fShape[2], fShape[3]];
      const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
      const yShape = tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros([ke, ke, c.ci, c.co]) as tf.Tensor4D, 1, c.pad).shape;
      const xv = rand(size(xShape));
      const wv = rand(size(fShape));
      const dyv = rand(size(yShape));
      const names = c.depthwise
        ? ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']
        : ['Conv2DBackpropFilter', 'Conv2DBackpropInput'];
      const attrs = { strides: 1, pad: c.pad as tf.NamedAttrMap[string], dataFormat: 'NHWC' };
      await tf.setBackend('cpu');
      const ref = tf.tidy(() => {
        const x = tf.tensor4d(xv, xShape);
        const dy = tf.tensor4d(dyv, yShape as [number, number, number, number]);
        const wBig = dilateFilter(tf.tensor4d(wv, fShape), c.d);
        const dwBig = tf.engine().runKernel(names[0], { x, dy }, { ...attrs, dilations: 1, filterShape: bigShape }) as tf.Tensor4D;
        const dw = tf.stridedSlice(dwBig, [0, 0, 0, 0], bigShape, [c.d, c.d, 1, 1]);
        const dx = tf.engine().runKernel(names[1], { dy, filter: wBig }, { ...attrs, dilations: 1, inputShape: xShape }) as tf.Tensor;
        return [dw, dx].map((t) => new Float32Array(t.dataSync()));
      });
      await tf.setBackend('wasm');
      const got = tf.tidy(() => {
        const x = tf.tensor4d(xv, xShape);
        const dy = tf.tensor4d(dyv, yShape as [number, number, number, number]);
        const w = tf.tensor4d(wv, fShape);
        const dw = tf.engine().runKernel(names[0], { x, dy }, { ...attrs, dilations: c.d, filterShape: fShape }) as tf.Tensor;
        const dx = tf.engine().runKernel(names[1], { dy, filter: w }, { ...attrs, dilations: c.d, inputShape: xShape }) as tf.Tensor;
        expect(dw.shape).toEqual(fShape);
        expect(dx.shape).toEqual(xShape);
        return [dw, dx].map((t) => new Float32Array(t.dataSync()));
      });
      for (let i = 0; i < 2; i++) {
        const e = relErr(ref[i], got[i]);
        worst['dilated grads'] = Math.max(worst['dilated grads'] ?? 0, e);
        expect(e).toBeLessThanOrEqual(TOL);
      }
    });
  }
});

describe('conv2dTranspose forward (Conv2DBackpropInput) and its gradients', () => {
  const cases = [
    { n: 2, h: 4, w: 4, cin: 6, cout: 3, k: 3, s: 2, pad: 'same' as Pad, out: [8, 8] },
    { n: 1, h: 4, w: 3, cin: 4, cout: 2, k: 3, s: 2, pad: 'same' as Pad, out: [7, 5] },
    { n: 2, h: 3, w: 3, cin: 3, cout: 4, k: 3, s: 2, pad: 'valid' as Pad, out: [7, 7] },
    { n: 2, h: 3, w: 4, cin: 3, cout: 4, k: 4, s: 2, pad: 'valid' as Pad, out: [9, 10] },
    { n: 3, h: 5, w: 5, cin: 2, cout: 3, k: 3, s: 1, pad: 'same' as Pad, out: [5, 5] },
    { n: 1, h: 4, w: 4, cin: 2, cout: 2, k: 2, s: 2, pad: 'valid' as Pad, out: [9, 9] },
    { n: 2, h: 4, w: 4, cin: 3, cout: 2, k: 3, s: 2, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] as Pad, out: [8, 8] },
  ];
  for (const c of cases) {
    it(label(c), async () => {
      const xv = rand(c.n * c.h * c.w * c.cin);
      const wv = rand(c.k * c.k * c.cout * c.cin);
      const outShape: [number, number, number, number] = [c.n, c.out[0], c.out[1], c.cout];
      const rv = rand(size(outShape));
      await compare('conv2dTranspose fwd+grads', () => {
        const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.cin]);
        const w = tf.tensor4d(wv, [c.k, c.k, c.cout, c.cin]);
        const r = tf.tensor(rv, outShape);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, c.s, c.pad as 'same');
        const y = f(x, w);
        const g = tf.grads((a, b) => tf.sum(tf.mul(f(a, b), r)));
        return [y, ...g([x, w])];
      });
    });
  }
});

describe('depthwiseConv2d gradients', () => {
  const cases = [
    { n: 2, h: 7, w: 7, c: 3, m: 1, k: 3, s: 1, pad: 'same' as Pad },
    { n: 2, h: 8, w: 6, c: 2, m: 2, k: 3, s: 2, pad: 'same' as Pad },
    { n: 3, h: 9, w: 9, c: 4, m: 1, k: 3, s: 2, pad: 'valid' as Pad },
    { n: 1, h: 6, w: 7, c: 3, m: 3, k: 2, s: 1, pad: 'valid' as Pad },
    { n: 2, h: 6, w: 6, c: 2, m: 2, k: 3, s: 2, pad: [[0, 0], [2, 1], [1, 0], [0, 0]] as Pad },
  ];
  for (const c of cases) {
    it(label(c), () =>
      compareFilterOpGrads('depthwise grads', (x, w) => tf.depthwiseConv2d(x, w, c.s, c.pad), [c.n, c.h, c.w, c.c], [c.k, c.k, c.c, c.m]),
    );
  }
});

describe('gather gradient (UnsortedSegmentSum)', () => {
  const cases = [
    { shape: [10, 4], idx: [0, 3, 3, 9, 1, 3], axis: 0 },
    { shape: [6, 5, 3], idx: [4, 4, 0, 2], axis: 1 },
    { shape: [7], idx: [6, 6, 6, 0], axis: 0 },
  ];
  for (const c of cases) {
    it(label(c), async () => {
      const pv = rand(size(c.shape));
      const outShape = [...c.shape];
      outShape[c.axis] = c.idx.length;
      const rv = rand(size(outShape));
      await compare('gather grad', () => {
        const p = tf.tensor(pv, c.shape);
        const r = tf.tensor(rv, outShape);
        const g = tf.grad((a) => tf.sum(tf.mul(tf.gather(a, tf.tensor1d(c.idx, 'int32'), c.axis), r)));
        return [g(p)];
      });
    });
  }
  it('drops out-of-range segment ids like cpu', async () => {
    const xv = rand(6 * 3);
    await compare('unsortedSegmentSum direct', () => [
      tf.unsortedSegmentSum(tf.tensor2d(xv, [6, 3]), tf.tensor1d([1, -1, 4, 1, 7, 0], 'int32'), 5),
    ]);
  });
});

describe('matMul with transposes (BatchMatMul)', () => {
  const cases = [
    { a: [3, 5], b: [5, 4], tA: false, tB: false },
    { a: [5, 3], b: [5, 4], tA: true, tB: false },
    { a: [3, 5], b: [4, 5], tA: false, tB: true },
    { a: [2, 5, 3], b: [2, 4, 5], tA: true, tB: true },
    // Batches run one GEMM per matrix over views.
    { a: [6, 4, 5], b: [6, 5, 3], tA: false, tB: false },
    { a: [3, 6, 5], b: [3, 6, 4], tA: true, tB: false },
  ];
  for (const c of cases) {
    it(label(c), async () => {
      const av = rand(size(c.a));
      const bv = rand(size(c.b));
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.tA, c.tB);
      const outShape = tf.tidy(() => f(tf.zeros(c.a), tf.zeros(c.b)).shape);
      const rv = rand(size(outShape));
      await compare('matMul fwd+grads', () => {
        const a = tf.tensor(av, c.a);
        const b = tf.tensor(bv, c.b);
        const out = f(a, b);
        const r = tf.tensor(rv, outShape);
        return [out, ...tf.grads((x, y) => tf.sum(tf.mul(f(x, y), r)))([a, b])];
      });
    });
  }
});

describe('matMul with a broadcast batch (BatchMatMul)', () => {
  // Forward only: tfjs's matMul gradient does not reduce a broadcast batch on any backend.
  it('one matrix against a batch, either side', async () => {
    const [av, bv, cv] = [rand(2 * 3 * 4 * 5), rand(5 * 3), rand(4 * 5)];
    await compare('matMul broadcast', () => [
      tf.matMul(tf.tensor(av, [2, 3, 4, 5]), tf.tensor(bv, [5, 3])),
      tf.matMul(tf.tensor(cv, [1, 4, 5]), tf.tensor(av, [6, 5, 4])),
    ]);
  });
});

describe('Identity (tf.clone, the tape\'s saved tensors)', () => {
  it('shares the bytes instead of copying them, and a clone outlives its original', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d(rand(1000));
    const buffers = () => (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
    const before = buffers();
    const copy = tf.clone(x);
    expect(buffers()).toBe(before);
    const values = Array.from(await x.data());
    x.dispose();
    expect(Array.from(await copy.data())).toEqual(values);
    copy.dispose();
    expect(buffers()).toBe(before - 1);
  });
});

describe('memory', () => {
  it('does not leak tensors or wasm bytes across repeated gradient calls', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(rand(2 * 8 * 8 * 3), [2, 8, 8, 3]);
    const w = tf.tensor4d(rand(3 * 3 * 3 * 4), [3, 3, 3, 4]);
    const wt = tf.tensor4d(rand(3 * 3 * 2 * 4), [3, 3, 2, 4]);
    const wd = tf.tensor4d(rand(3 * 3 * 3 * 2), [3, 3, 3, 2]);
    const p = tf.tensor2d(rand(10 * 3), [10, 3]);
    const idx = tf.tensor1d([1, 1, 4, -2, 9], 'int32');
    const step = () =>
      tf.tidy(() => {
        const g1 = tf.grads((a, b) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w]);
        const g2 = tf.grads((a, b) =>
          tf.sum(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 15, 15, 2], 2, 'valid')),
        )([tf.slice(x, [0, 0, 0, 0], [2, 7, 7, 3]).concat(tf.zeros([2, 7, 7, 1]), 3), wt]);
        const g3 = tf.grads((a, b) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, wd]);
        const g4 = tf.grad((a) => tf.sum(tf.gather(a, tf.tensor1d([0, 2, 2], 'int32'))))(p);
        const g5 = tf.unsortedSegmentSum(tf.tensor2d(rand(15), [5, 3]), idx, 10);
        const g6 = tf.grads((a, b) => tf.sum(tf.matMul(a, b, true, true)))([tf.ones([4, 3]), tf.ones([5, 4])]);
        const g7 = tf.grads((a, b) => tf.sum(tf.matMul(a, b, false, true)))([tf.ones([3, 4, 3]), tf.ones([3, 5, 3])]);
        [...g1, ...g2, ...g3, g4, g5, ...g6, ...g7].forEach((t) => t.dataSync());
      });
    step();
    const m0 = tf.memory() as tf.MemoryInfo & { numBytesInWASM?: number };
    for (let i = 0; i < 4; i++) step();
    const m1 = tf.memory() as tf.MemoryInfo & { numBytesInWASM?: number };
    expect(m1.numTensors).toBe(m0.numTensors);
    expect(m1.numBytes).toBe(m0.numBytes);
    if (m0.numBytesInWASM !== undefined) expect(m1.numBytesInWASM).toBe(m0.numBytesInWASM);
    const ids = (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
    step();
    expect((tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds()).toBe(ids);
    tf.dispose([x, w, wt, wd, p, idx]);
  });
});

describe('training', () => {
  it('one Adam step of a small conv autoencoder matches cpu within 1e-4', async () => {
    const shapes: Record<string, number[]> = {
      w1: [3, 3, 3, 4], b1: [4], w2: [3, 3, 4, 6], b2: [6], w3: [3, 3, 3, 6], b3: [3],
    };
    const init = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, rand(size(s))]));
    const xv = rand(2 * 8 * 8 * 3).map((v) => v + 0.5);
    const stepOn = async (backend: Backend) => {
      await tf.setBackend(backend);
      const vars = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(init[k], s))])) as Record<string, tf.Variable>;
      const x = tf.tensor4d(xv, [2, 8, 8, 3]);
      const opt = tf.train.adam(0.01);
      const loss = () => {
        const h1 = tf.relu(tf.add(tf.conv2d(x, vars.w1 as tf.Variable<tf.Rank.R4>, 1, 'same'), vars.b1)) as tf.Tensor4D;
        const h2 = tf.relu(tf.add(tf.conv2d(h1, vars.w2 as tf.Variable<tf.Rank.R4>, 2, 'same'), vars.b2)) as tf.Tensor4D;
        const y = tf.sigmoid(tf.add(tf.conv2dTranspose(h2, vars.w3 as tf.Variable<tf.Rank.R4>, [2, 8, 8, 3], 2, 'same'), vars.b3));
        return tf.losses.meanSquaredError(x, y) as tf.Scalar;
      };
      tf.dispose(opt.minimize(loss, true) ?? undefined);
      const out = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, new Float32Array(v.dataSync())]));
      opt.dispose();
      tf.dispose([x, ...Object.values(vars)]);
      return out;
    };
    const cpu = await stepOn('cpu');
    const wasm = await stepOn('wasm');
    for (const k of Object.keys(shapes)) {
      let maxDiff = 0;
      for (let i = 0; i < cpu[k].length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[k][i] - wasm[k][i]));
      worst['adam step abs diff'] = Math.max(worst['adam step abs diff'] ?? 0, maxDiff);
      expect(maxDiff, k).toBeLessThanOrEqual(1e-4);
      // the step must actually have changed the weights
      expect(relErr(init[k], cpu[k])).toBeGreaterThan(0);
    }
  });
});

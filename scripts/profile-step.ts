/**
 * Where one training step's time goes: per-kernel time and call count (tf.profile) of an
 * unlearning or whole-model step of a shipped model, on a Node backend (wasm by default; webgpu
 * through Dawn, see scripts/node/backend.ts).
 *   npm run profile-step -- [--model mnist-inpaint-ae] [--batch 16] [--task unlearn|pretrain] [--top 15]
 *     [--backend wasm|cpu|webgpu] [--tfjs-flags NAME=value,...]
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { splitByClass } from '../src/core/data/splits';
import { loadModel } from '../src/core/models/families';
import { DEFAULT_PRETRAIN, Pretrainer } from '../src/core/training/pretrain';
import { Unlearner } from '../src/core/unlearning/unlearner';
import { DEFAULT_UNLEARN } from '../src/shared/settings';
import { setTfjsFlags, useNodeBackend, type NodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderReader, parseOptions, loadStudioDataset } from './node/files';

const options = parseOptions(process.argv.slice(2), { model: 'mnist-inpaint-ae', batch: 16, task: 'unlearn', top: 15, backend: 'wasm', tfjsFlags: '' });
await useNodeBackend(options.backend as NodeBackend);
setTfjsFlags(options.tfjsFlags);
const model = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
const data = await loadStudioDataset(model.card.dataset);
const split = splitByClass(data.train, data.test, [7]);
const trainer =
  options.task === 'unlearn'
    ? new Unlearner(model, split.forgetTrain, split.retainTrain, { ...DEFAULT_UNLEARN, batchSize: options.batch, steps: 100 })
    : new Pretrainer(model, split.retainTrain, { ...DEFAULT_PRETRAIN, batchSize: options.batch, steps: 100, tasks: [model.card.tasks[0]] });
for (let i = 0; i < 3; i++) await trainer.step();
const started = performance.now();
for (let i = 0; i < 5; i++) await trainer.step();
console.log(`${options.model} ${options.task} batch ${options.batch}: ${((performance.now() - started) / 5).toFixed(1)} ms/step`);

const profileStart = performance.now();
const profile = await tf.profile(async () => void (await trainer.step()));
const profiledMs = performance.now() - profileStart;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const kernel of profile.kernels) {
  const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
  entry.ms += kernel.kernelTimeMs as number;
  entry.calls++;
  byKernel.set(kernel.name, entry);
}
const kernelMs = profile.kernels.reduce((sum, kernel) => sum + (kernel.kernelTimeMs as number), 0);
console.log(`${profile.kernels.length} kernel calls (ops with a custom gradient are listed as well as their kernels)`);
// On a GPU the gap between the two is the host's cost of dispatching (profiling adds its own).
console.log(`kernel time ${kernelMs.toFixed(1)} ms in a profiled step of ${profiledMs.toFixed(1)} ms`);
for (const [name, { ms, calls }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, options.top)) {
  console.log(`${name.padEnd(28)} ${String(calls).padStart(5)} calls ${ms.toFixed(1).padStart(8)} ms`);
}

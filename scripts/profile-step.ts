/**
 * Where one training step's time goes: per-kernel time and call count (tf.profile) of an
 * unlearning or whole-model step of a shipped model, on Node's wasm backend.
 *   npm run profile-step -- [--model mnist-inpaint-ae] [--batch 16] [--task unlearn|pretrain] [--top 15]
 */
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { loadBuiltInDataset, type BuiltInDatasetId } from '../src/core/data/builtin';
import { splitByClass } from '../src/core/data/splits';
import { loadModel } from '../src/core/models/families';
import { DEFAULT_PRETRAIN, Pretrainer } from '../src/core/training/pretrain';
import { Unlearner } from '../src/core/unlearning/unlearner';
import { DEFAULT_UNLEARN } from '../src/shared/settings';
import { useNodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderReader, parseOptions } from './node/files';

const options = parseOptions(process.argv.slice(2), { model: 'mnist-inpaint-ae', batch: 16, task: 'unlearn', top: 15 });
await useNodeBackend('wasm');
const model = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
const data = await loadBuiltInDataset(model.card.dataset as BuiltInDatasetId, folderReader(resolve(import.meta.dirname, '../public/data', model.card.dataset)));
const split = splitByClass(data.train, data.test, [7]);
const trainer =
  options.task === 'unlearn'
    ? new Unlearner(model, split.forgetTrain, split.retainTrain, { ...DEFAULT_UNLEARN, batchSize: options.batch, steps: 100 })
    : new Pretrainer(model, split.retainTrain, { ...DEFAULT_PRETRAIN, batchSize: options.batch, steps: 100, tasks: [model.card.tasks[0]] });
for (let i = 0; i < 3; i++) await trainer.step();
const started = performance.now();
for (let i = 0; i < 5; i++) await trainer.step();
console.log(`${options.model} ${options.task} batch ${options.batch}: ${((performance.now() - started) / 5).toFixed(1)} ms/step`);

const profile = await tf.profile(async () => void (await trainer.step()));
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const kernel of profile.kernels) {
  const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
  entry.ms += kernel.kernelTimeMs as number;
  entry.calls++;
  byKernel.set(kernel.name, entry);
}
console.log(`${profile.kernels.length} kernel calls (ops with a custom gradient are listed as well as their kernels)`);
for (const [name, { ms, calls }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, options.top)) {
  console.log(`${name.padEnd(28)} ${String(calls).padStart(5)} calls ${ms.toFixed(1).padStart(8)} ms`);
}

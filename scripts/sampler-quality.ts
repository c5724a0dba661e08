/**
 * A diffusion model's one-draw hidden-pixel quality under several samplers and step counts, on the
 * held-out images its card is measured on, beside the training-mean fill: which sampler its card
 * should name. Nothing is written to the model.
 *   npm run sampler-quality -- --model mnist-palette --samplers ddim:10,ancestral:50 [--images 500] [--tasks centre-50,outpaint] [--json FILE]
 */
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allIndices, batchTensor, filterByLabel, take } from '../src/core/data/image-set';
import { constantFillQuality, holeQuality } from '../src/core/evaluation/reconstruction';
import { loadModel } from '../src/core/models/families';
import { DIFFUSION_SAMPLERS, cardSampling, type DiffusionSampler } from '../src/shared/settings';
import { TASK_IDS, TASKS, modelTaskIds, type TaskId } from '../src/shared/tasks';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { loadDataset } from './node/datasets';
import { PUBLIC_MODELS, folderReader, parseOptions } from './node/files';

const options = parseOptions(process.argv.slice(2), { model: 'mnist-palette', samplers: 'ddim:10,ancestral:50', images: 500, tasks: '', backend: 'wasm', json: '' });
const samplings = options.samplers.split(',').map((text) => {
  const [sampler, steps] = text.split(':');
  if (!(DIFFUSION_SAMPLERS as readonly string[]).includes(sampler) || !(Number(steps) >= 1)) throw new Error(`--samplers takes sampler:steps pairs (${DIFFUSION_SAMPLERS.join(', ')}), got "${text}"`);
  return { sampler: sampler as DiffusionSampler, sampleSteps: Number(steps) };
});
const backend = await useNodeBackend(options.backend as NodeBackend);
const model = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
if (!cardSampling(model.card.architecture)) throw new Error(`${options.model} is not a diffusion model: it has no sampler`);
const taskIds = options.tasks ? (options.tasks.split(',') as TaskId[]) : modelTaskIds(model.card);
for (const id of taskIds) if (!TASK_IDS.includes(id) || !modelTaskIds(model.card).includes(id)) throw new Error(`${options.model} has no task "${id}"`);
// The card's held-out images and training mean: the same classes left out as in its training.
const excluded = model.card.excludedClasses ?? [];
const data = await loadDataset(model.card.dataset);
const heldOut = take(filterByLabel(data.test, (label) => !excluded.includes(label)), options.images);
const train = filterByLabel(data.train, (label) => !excluded.includes(label));
const meanImage = tf.tidy(() => tf.mean(batchTensor(train, allIndices(train)), 0, true) as tf.Tensor4D);

const meanFill: Record<string, { psnr: number; mse: number }> = {};
for (const id of taskIds) {
  const { psnr, mse } = await constantFillQuality(meanImage, heldOut, TASKS[id]);
  meanFill[id] = { psnr, mse };
}
const rows = [];
for (const sampling of samplings) {
  const perTask: Record<string, { psnr: number; mse: number; seconds: number }> = {};
  for (const id of taskIds) {
    const started = performance.now();
    const { psnr, mse } = await holeQuality(model, TASKS[id], heldOut, model, 200, sampling);
    perTask[id] = { psnr, mse, seconds: Math.round((performance.now() - started) / 1000) };
    console.log(`${sampling.sampler} ${sampling.sampleSteps} steps, ${id}: ${psnr.toFixed(2)} dB (MSE ${mse.toFixed(4)}; mean fill ${meanFill[id].psnr.toFixed(2)} dB, ${meanFill[id].mse.toFixed(4)}), ${perTask[id].seconds} s`);
  }
  rows.push({ ...sampling, perTask });
}
meanImage.dispose();
if (options.json) await writeFile(options.json, JSON.stringify({ model: options.model, backend, heldOutImages: heldOut.count, meanFill, rows }, null, 2) + '\n');

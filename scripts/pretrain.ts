/**
 * Pretrains a model of any family on a built-in dataset in Node, seeded, and writes it with its
 * model card to public/models/<id>/. `--exclude 7` trains the same recipe without those classes:
 * the retrained-from-scratch reference (exact unlearning) that unlearning is judged against.
 *   npm run pretrain -- [--family conv-inpainting-ae] [--id mnist-inpaint-ae] [--dataset mnist]
 *     [--tasks centre-50] [--steps 3000] [--batch 64] [--lr 0.002] [--exclude 7]
 * `--tasks` takes a comma list of task ids (centre-25, centre-50, outpaint, patches); a model
 * trained on several gets one at random per step and serves each of them in the studio.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { BUILT_IN_DATASETS, type BuiltInDatasetId } from '../src/core/data/builtin';
import { allIndices, batchTensor, filterByLabel, take } from '../src/core/data/image-set';
import { constantFillQuality, holeQuality } from '../src/core/evaluation/reconstruction';
import { familyOf, saveModel } from '../src/core/models/families';
import type { ModelCard, ModelFamilyId } from '../src/core/models/types';
import { TASK_IDS, TASK_LABELS, TASKS, type TaskId } from '../src/core/tasks/task';
import { DEFAULT_PRETRAIN, Pretrainer } from '../src/core/training/pretrain';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { loadDataset } from './node/datasets';
import { PUBLIC_MODELS, folderWriter, parseOptions } from './node/files';

const options = parseOptions(process.argv.slice(2), {
  family: 'conv-inpainting-ae',
  id: 'mnist-inpaint-ae',
  dataset: 'mnist',
  tasks: 'centre-50',
  steps: DEFAULT_PRETRAIN.steps,
  batch: DEFAULT_PRETRAIN.batchSize,
  lr: DEFAULT_PRETRAIN.learningRate,
  warmup: DEFAULT_PRETRAIN.warmupSteps,
  seed: DEFAULT_PRETRAIN.seed,
  evalImages: 2000,
  backend: 'wasm',
  exclude: '',
});

const family = familyOf(options.family);
const taskIds = options.tasks.split(',') as TaskId[];
for (const id of taskIds) if (!TASK_IDS.includes(id)) throw new Error(`unknown task "${id}"; tasks: ${TASK_IDS.join(', ')}`);
const backend = await useNodeBackend(options.backend as NodeBackend);
const data = await loadDataset(options.dataset);
const excluded = options.exclude ? options.exclude.split(',').map(Number) : [];
const train = filterByLabel(data.train, (label) => !excluded.includes(label));
const test = filterByLabel(data.test, (label) => !excluded.includes(label));
const { height, width, channels } = train;
const datasetTitle = BUILT_IN_DATASETS[options.dataset as BuiltInDatasetId].title;
const card: ModelCard = {
  id: options.id,
  family: options.family as ModelFamilyId,
  title: `${datasetTitle}, ${family.title} (${taskIds.map((id) => TASK_LABELS[id]).join('; ')})${excluded.length ? `, trained without ${excluded.join(', ')}` : ''}`,
  dataset: options.dataset,
  height,
  width,
  channels,
  tasks: taskIds.map((id) => TASKS[id]),
  architecture: { ...family.defaultArchitecture(height, width, channels), seed: options.seed },
  ...(excluded.length ? { excludedClasses: excluded } : {}),
};
const model = family.create(card);
const settings = { ...DEFAULT_PRETRAIN, steps: options.steps, batchSize: options.batch, learningRate: options.lr, warmupSteps: options.warmup, seed: options.seed };
const trainer = new Pretrainer(model, train, settings);
console.log(`pretraining ${options.id} (${options.family}) on ${backend}: ${settings.steps} steps of ${settings.batchSize}`);
const started = performance.now();
let recent: number[] = [];
for (let step = 1; step <= settings.steps; step++) {
  recent.push(await trainer.step());
  if (step % 100 === 0 || step === settings.steps) {
    const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
    console.log(`step ${step}  loss ${mean.toFixed(5)}  ${((performance.now() - started) / step).toFixed(0)} ms/step  tensors ${tf.memory().numTensors}`);
    if (step < settings.steps) recent = [];
  }
}
const seconds = (performance.now() - started) / 1000;
const finalLoss = recent.reduce((a, b) => a + b, 0) / recent.length;
trainer.dispose();

// Quality on held-out images for every task, against filling the hidden pixels with the training mean.
const heldOut = take(test, options.evalImages);
const meanImage = tf.tidy(() => tf.mean(batchTensor(train, allIndices(train)), 0, true) as tf.Tensor4D);
const perTask: Record<string, { holePsnr: number; holeMse: number; meanImageHolePsnr: number; meanImageHoleMse: number }> = {};
for (const id of taskIds) {
  const quality = await holeQuality(model, TASKS[id], heldOut);
  const baseline = await constantFillQuality(meanImage, heldOut, TASKS[id]);
  perTask[id] = { holePsnr: quality.psnr, holeMse: quality.mse, meanImageHolePsnr: baseline.psnr, meanImageHoleMse: baseline.mse };
  console.log(`${id}: hidden-pixel PSNR ${quality.psnr.toFixed(2)} dB (training-mean fill ${baseline.psnr.toFixed(2)} dB)`);
}
meanImage.dispose();

const first = perTask[taskIds[0]];
Object.assign(model.card, {
  training: { steps: settings.steps, batchSize: settings.batchSize, seed: settings.seed, finalLoss, seconds: Math.round(seconds), backend },
  evaluation: {
    heldOutImages: heldOut.count,
    holePsnr: first.holePsnr,
    holeMse: first.holeMse,
    meanImageHolePsnr: first.meanImageHolePsnr,
    meanImageHoleMse: first.meanImageHoleMse,
    ...(taskIds.length > 1 ? { perTask } : {}),
  },
});
await saveModel(model, folderWriter(join(PUBLIC_MODELS, options.id)));
console.log(JSON.stringify(model.card.evaluation, null, 2));
console.log(`wrote public/models/${options.id} in ${seconds.toFixed(0)} s`);

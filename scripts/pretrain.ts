/**
 * Pretrains the shipped inpainting model on MNIST in Node, seeded, and writes it with its
 * model card to public/models/<id>/. `--exclude 7` trains the same recipe without those classes:
 * the retrained-from-scratch reference (exact unlearning) that unlearning is judged against.
 *   npm run pretrain -- [--id mnist-inpaint-ae] [--steps 3000] [--batch 64] [--lr 0.002] [--hole 0.5] [--exclude 7]
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { allIndices, batchTensor, filterByLabel, take } from '../src/core/data/image-set';
import { constantFillQuality, holeQuality } from '../src/core/evaluation/reconstruction';
import { ConvInpaintingModel, DEFAULT_CONV_INPAINTING, cardArchitecture } from '../src/core/models/conv-inpainting-ae';
import { saveModel } from '../src/core/models/io';
import { DEFAULT_PRETRAIN, Pretrainer } from '../src/core/training/pretrain';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderWriter, parseOptions } from './node/files';
import { loadMnist } from './node/mnist';

const options = parseOptions(process.argv.slice(2), {
  id: 'mnist-inpaint-ae',
  steps: DEFAULT_PRETRAIN.steps,
  batch: DEFAULT_PRETRAIN.batchSize,
  lr: DEFAULT_PRETRAIN.learningRate,
  hole: 0.5,
  seed: DEFAULT_PRETRAIN.seed,
  evalImages: 2000,
  backend: 'wasm',
  exclude: '',
});

const backend = await useNodeBackend(options.backend as NodeBackend);
const mnist = await loadMnist();
const excluded = options.exclude ? options.exclude.split(',').map(Number) : [];
const train = filterByLabel(mnist.train, (label) => !excluded.includes(label));
const test = filterByLabel(mnist.test, (label) => !excluded.includes(label));
const config = { ...DEFAULT_CONV_INPAINTING, seed: options.seed };
const model = ConvInpaintingModel.create(
  {
    id: options.id,
    family: 'conv-inpainting-ae',
    title: `MNIST centre-hole inpainting (hole ${options.hole * 100}% of the side)${excluded.length ? `, trained without ${excluded.join(', ')}` : ''}`,
    dataset: 'mnist',
    height: 28,
    width: 28,
    channels: 1,
    task: { kind: 'centre-hole', holeFraction: options.hole },
    architecture: cardArchitecture(config),
    ...(excluded.length ? { excludedClasses: excluded } : {}),
  },
  config,
);
const settings = { ...DEFAULT_PRETRAIN, steps: options.steps, batchSize: options.batch, learningRate: options.lr, seed: options.seed };
const trainer = new Pretrainer(model, train, settings);
console.log(`pretraining ${options.id} on ${backend}: ${settings.steps} steps of ${settings.batchSize}`);
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

const heldOut = take(test, options.evalImages);
const quality = await holeQuality(model, heldOut);
const meanImage = tf.tidy(() => tf.mean(batchTensor(train, allIndices(train)), 0, true) as tf.Tensor4D);
const baseline = await constantFillQuality(meanImage, heldOut, model.card.task);
meanImage.dispose();

const card = {
  ...model.card,
  training: { steps: settings.steps, batchSize: settings.batchSize, seed: settings.seed, finalLoss, seconds: Math.round(seconds), backend },
  evaluation: {
    heldOutImages: heldOut.count,
    holePsnr: quality.psnr,
    holeMse: quality.mse,
    meanImageHolePsnr: baseline.psnr,
    meanImageHoleMse: baseline.mse,
  },
};
const trained = new ConvInpaintingModel(card, model.encoder, model.decoder);
await saveModel(trained, folderWriter(join(PUBLIC_MODELS, options.id)));
console.log(JSON.stringify(card.evaluation, null, 2));
console.log(`wrote public/models/${options.id} in ${seconds.toFixed(0)} s`);

/**
 * Trains a dataset's classifier whose embedding the output metrics use (FID, IS, cosine), seeded,
 * on the dataset's full training set, and writes it with its card to public/models/<dataset>-classifier/.
 *   npm run train-classifier -- [--dataset mnist] [--epochs 2] [--batch 64] [--lr 0.002]
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { batchTensor } from '../src/core/data/image-set';
import { Classifier, DEFAULT_CLASSIFIER, accuracy, classifySet, saveClassifier } from '../src/core/models/classifier';
import { createIndexSampler, createRng } from '../src/core/random';
import { AdamW, DEFAULT_ADAMW, warmupCosine } from '../src/core/unlearning/optimizer';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderWriter, parseOptions } from './node/files';
import { BUILT_IN_DATASETS, type BuiltInDatasetId } from '../src/core/data/builtin';
import { loadDataset } from './node/datasets';

const options = parseOptions(process.argv.slice(2), {
  dataset: 'mnist',
  epochs: 2,
  batch: 64,
  lr: 2e-3,
  warmup: 100,
  seed: 1,
  backend: 'wasm',
});

const backend = await useNodeBackend(options.backend as NodeBackend);
const { train, test } = await loadDataset(options.dataset);
const id = `${options.dataset}-classifier`;
const { title, classNames } = BUILT_IN_DATASETS[options.dataset as BuiltInDatasetId];
const config = { ...DEFAULT_CLASSIFIER, height: train.height, width: train.width, channels: train.channels, classes: classNames.length, seed: options.seed };
const classifier = Classifier.create({ id, family: 'domain-classifier', title: `${title} classifier (metric embedding)` }, config);

const steps = Math.ceil((options.epochs * train.count) / options.batch);
const variables = classifier.model.trainableWeights.map((w) => w.read() as tf.Variable);
// Plain Adam (β2 0.999, no decay): a short from-scratch run that should use every unit.
const optimizer = new AdamW(variables, { ...DEFAULT_ADAMW, beta2: 0.999, weightDecay: 0 });
const sample = createIndexSampler(train.count, createRng(options.seed));

console.log(`training ${id} on ${backend}: ${steps} steps of ${options.batch} (${options.epochs} epochs of ${train.count})`);
const started = performance.now();
let recent: number[] = [];
for (let step = 0; step < steps; step++) {
  const indices = sample(options.batch);
  const lr = warmupCosine(step, steps, options.warmup, options.lr);
  const loss = tf.tidy(() => {
    const images = batchTensor(train, indices);
    const labels = tf.oneHot(tf.tensor1d(indices.map((i) => train.labels[i]), 'int32'), config.classes);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, classifier.forward(images)[1]) as tf.Scalar, variables);
    tf.dispose(optimizer.apply(variables.map((v) => grads[v.name]), lr));
    return value;
  });
  recent.push((await loss.data())[0]);
  loss.dispose();
  if ((step + 1) % 100 === 0 || step + 1 === steps) {
    const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
    console.log(`step ${step + 1}  loss ${mean.toFixed(4)}  ${((performance.now() - started) / (step + 1)).toFixed(0)} ms/step  tensors ${tf.memory().numTensors}`);
    if (step + 1 < steps) recent = [];
  }
}
const seconds = (performance.now() - started) / 1000;
const finalLoss = recent.reduce((a, b) => a + b, 0) / recent.length;
optimizer.dispose();

const { probabilities } = await classifySet(classifier, test);
const testAccuracy = accuracy(probabilities, test.labels, config.classes);
const trained = new Classifier(
  {
    ...classifier.card,
    training: {
      dataset: options.dataset,
      trainImages: train.count,
      epochs: options.epochs,
      steps,
      batchSize: options.batch,
      learningRate: options.lr,
      seed: options.seed,
      finalLoss,
      seconds: Math.round(seconds),
      backend,
    },
    evaluation: { testImages: test.count, testAccuracy },
  },
  classifier.model,
);
await saveClassifier(trained, folderWriter(join(PUBLIC_MODELS, id)));
console.log(`test accuracy ${(100 * testAccuracy).toFixed(2)}% on ${test.count} images`);
console.log(`wrote public/models/${id} after ${seconds.toFixed(0)} s of training`);

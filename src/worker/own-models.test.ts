import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../core/testing/fixtures';
import { OriginalTraining, applyCheckpoint, checkFits, loadOwnModel, modelFiles, modelFromFiles, ownRunSplit, previewStack } from './own-models';

/** Seeded colour images, 32x32x3, as the decode worker would hand them over. */
function images(count: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: count * 32 * 32 * 3 }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24));
}
const own = { height: 32, width: 32, channels: 3, forget: images(6, 1), retain: images(6, 2) };
const held = { count: 2, height: 32, width: 32, channels: 3, pixels: images(2, 3) };

beforeAll(() => useBackend('wasm'));

it('trains an original on the own sets, saves it, and the saved model reconstructs bit for bit as the trained one', async () => {
  const job = new OriginalTraining('own-test', 'test', own, { steps: 2, batchSize: 4, learningRate: 1e-3, seed: 1 });
  expect((await job.step()).step).toBe(1);
  await job.step();
  expect(job.done).toBe(true);
  const trainedPreview = await previewStack(job.model, held);
  const { model, saveError } = await job.finish('wasm');
  expect(saveError).toBeUndefined();
  expect(model.card.training?.steps).toBe(2);
  expect(model.card.channels).toBe(3);
  const reloaded = await loadOwnModel('own-test');
  for (const m of [model, reloaded]) expect((await previewStack(m, held)).pixels).toEqual(trainedPreview.pixels);
  // An export's files carry the card it is given.
  const files = await modelFiles(reloaded, { ...reloaded.card, id: 'own-exported' });
  expect(JSON.parse(new TextDecoder().decode(files['card.json'])).id).toBe('own-exported');
  expect(Object.keys(files).sort()).toEqual(['card.json', 'decoder.json', 'decoder.weights.bin', 'encoder.json', 'encoder.weights.bin']);
  job.dispose();
  model.dispose();
  reloaded.dispose();
  expect(tf.memory().numTensors).toBeLessThan(5);
});

it('refuses sets in another format than the model takes, and a model that is not saved', async () => {
  const job = new OriginalTraining('own-fit', 'test', own, { steps: 1, batchSize: 4, learningRate: 1e-3, seed: 1 });
  expect(() => checkFits(job.model, { height: 28, width: 28, channels: 1 })).toThrow(/takes 32×32×3 images, your sets are 28×28×1/);
  expect(ownRunSplit(job.model, own).forgetTest.count).toBe(1);
  job.dispose();
  await expect(loadOwnModel('own-missing')).rejects.toThrow(/not saved in this browser/);
});

it('a training resumed from its checkpoint (weights, optimiser, batch order) ends bit for bit as one never interrupted', async () => {
  const settings = { steps: 4, batchSize: 4, learningRate: 1e-3, seed: 1 };
  const whole = new OriginalTraining('own-whole', 'whole', own, settings);
  while (!whole.done) await whole.step();
  const cut = new OriginalTraining('own-cut', 'cut', own, settings);
  await cut.step();
  await cut.step();
  const checkpoint = await cut.checkpoint();
  expect(checkpoint.step).toBe(2);
  cut.dispose();
  const resumed = new OriginalTraining('own-cut', 'cut', own, settings, { model: await modelFromFiles(checkpoint.files), state: checkpoint.state });
  expect((await resumed.step()).step).toBe(3);
  await resumed.step();
  expect(resumed.done).toBe(true);
  const weights = (training: OriginalTraining) => [...training.model.encoder.getWeights(), ...training.model.decoder.getWeights()].map((w) => w.dataSync());
  expect(weights(resumed)).toEqual(weights(whole));
  whole.dispose();
  resumed.dispose();
});

it('puts a checkpoint into a model, which then reconstructs as the checkpointed one', async () => {
  const a = new OriginalTraining('own-a', 'a', own, { steps: 1, batchSize: 4, learningRate: 1e-3, seed: 1 });
  const b = new OriginalTraining('own-b', 'b', own, { steps: 1, batchSize: 4, learningRate: 1e-3, seed: 1 });
  await a.step();
  const files = await modelFiles(a.model);
  expect((await previewStack(b.model, held)).pixels).not.toEqual((await previewStack(a.model, held)).pixels);
  await applyCheckpoint(b.model, files);
  expect((await previewStack(b.model, held)).pixels).toEqual((await previewStack(a.model, held)).pixels);
  a.dispose();
  b.dispose();
});

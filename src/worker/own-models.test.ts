import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../core/testing/fixtures';
import { DEFAULT_UNLEARN } from '../core/unlearning/settings';
import { OriginalTraining, applyCheckpoint, checkFits, loadOwnModel, modelFiles, ownRunSplit, previewStack, resumedSettings, shiftSteps } from './own-models';

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

it('continues a run from a checkpoint: the steps left, from the learning rate reached, counted from the start', async () => {
  const settings = { ...DEFAULT_UNLEARN, steps: 100, warmupFraction: 0.1, learningRate: 1e-3 };
  const resumed = resumedSettings(settings, 40);
  expect(resumed.steps).toBe(60);
  expect(resumed.warmupFraction).toBe(0);
  expect(resumed.learningRate).toBeCloseTo(1e-3 * 0.5 * (1 + Math.cos((Math.PI * 30) / 90)), 12);
  expect(() => resumedSettings(settings, 100)).toThrow(/does not fit a run of 100 steps/);
  const report = { step: 3, retainLoss: 0, weightedForgetLoss: 0, total: 0, learningRate: 0, gradNorm: 0, ms: 0 };
  expect(shiftSteps({ type: 'progress', runId: 1, report, tensors: 0 }, 40)).toMatchObject({ report: { step: 43 } });
  expect(shiftSteps({ type: 'status', runId: 1, status: 'running' }, 40)).toEqual({ type: 'status', runId: 1, status: 'running' });
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

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../../backend/parity';
import { sameBits, smallModel, useBackend, weightsOf } from '../../testing/fixtures';
import { DEFAULT_UNLEARN, validateSettings, type UnlearnSettings } from '../../../shared/settings';
import { Unlearner } from '../unlearner';
import { METHOD_IDS, METHOD_REGISTRY, METHODS, type MethodId } from '.';
import { weightedPixelLoss } from '../../models/losses';
import { maxLossTerms } from './max-loss';
import { createNoisyLabelMethod, noisyLabelTerms } from './noisy-label';
import { forgetNoise, taskBatches } from './method';
import { holeNoiseTargets } from '../../models/losses';
import { batchTensor } from '../../data/image-set';
import { TASKS } from '../../../shared/tasks';
import { randomEncodingTargets } from './random-encoder';
import { retainLabelTerms } from './retain-label';

const forget = syntheticImages(24, 28, 11);
const retain = syntheticImages(24, 28, 12);
const settings: UnlearnSettings = { ...DEFAULT_UNLEARN, steps: 50, batchSize: 8, learningRate: 1e-2 };

beforeAll(() => useBackend('wasm'));

/** 2x2 single-channel images, one per argument. */
function images(...pixels: number[][]): tf.Tensor4D {
  return tf.tensor4d(pixels.flat(), [pixels.length, 2, 2, 1]);
}

function read(terms: { retain: tf.Scalar; forget: tf.Scalar; total: tf.Scalar }) {
  return { retain: terms.retain.dataSync()[0], forget: terms.forget.dataSync()[0], total: terms.total.dataSync()[0] };
}

describe('baseline losses on fixed tensors', () => {
  test('the pixel task loss: per-image MSE with hidden pixels weighted', () => {
    // (0.5 vs 0) everywhere, squared 0.25; one hidden pixel weighted 4: 0.25 · (4 + 1 + 1 + 1) / 4 = 0.4375
    const mask = images([1, 0, 0, 0]);
    expect(weightedPixelLoss(images([0.5, 0.5, 0.5, 0.5]), images([0, 0, 0, 0]), mask, 4).dataSync()[0]).toBeCloseTo(0.4375, 6);
    expect(weightedPixelLoss(images([0.5, 0.5, 0.5, 0.5]), images([0, 0, 0, 0]), mask).dataSync()[0]).toBeCloseTo(0.25, 6);
  });

  test('max loss: L_task(R) − α·L_task(F), averaged per image', () => {
    // retain: image 1 (0.5 vs 0,1,0,1) → 0.25, image 2 (0 vs 1,1,1,1) → 1; mean 0.625
    // forget: (1 vs 0,0,1,1) → 0.5, so the forget term is −0.5; total = 0.625 − 0.2·0.5 = 0.525
    const none = images([0, 0, 0, 0], [0, 0, 0, 0]);
    const retainLosses = weightedPixelLoss(images([0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0]), images([0, 1, 0, 1], [1, 1, 1, 1]), none);
    const forgetLosses = weightedPixelLoss(images([1, 1, 1, 1]), images([0, 0, 1, 1]), images([0, 0, 0, 0]));
    const terms = read(maxLossTerms(retainLosses, forgetLosses, 0.2));
    expect(terms.retain).toBeCloseTo(0.625, 6);
    expect(terms.forget).toBeCloseTo(-0.5, 6);
    expect(terms.total).toBeCloseTo(0.525, 6);
  });

  test('noisy label: pixel targets are the forget images with noise in the hole, retain images as they are', () => {
    // forget image (0.1, 0.2, 0.3, 0.4), hole at pixels 0 and 3, noise 0.9 / 0.8 there; retain image unchanged
    const targets = holeNoiseTargets(images([0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]), images([1, 0, 0, 1], [1, 1, 0, 0]), images([0.9, 0.9, 0.8, 0.8]));
    Array.from(targets.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0.9, 0.2, 0.3, 0.8, 0.5, 0.6, 0.7, 0.8][i], 6));
  });

  test('noisy label: L_task(R) + α·L_task(F → noise)', () => {
    // retain: 0.5 vs (0,1,0,1) → 0.25; forget: 0.2 vs its noise target (0.4,0,0.2,0.2) → (0.04 + 0.04) / 4 = 0.02
    // total = 0.25 + 0.5·0.02 = 0.26
    const none = images([0, 0, 0, 0]);
    const retainLosses = weightedPixelLoss(images([0.5, 0.5, 0.5, 0.5]), images([0, 1, 0, 1]), none);
    const noiseLosses = weightedPixelLoss(images([0.2, 0.2, 0.2, 0.2]), images([0.4, 0, 0.2, 0.2]), none);
    const terms = read(noisyLabelTerms(retainLosses, noiseLosses, 0.5));
    expect(terms.retain).toBeCloseTo(0.25, 6);
    expect(terms.forget).toBeCloseTo(0.02, 6);
    expect(terms.total).toBeCloseTo(0.26, 6);
  });

  test('retain label: forget sample i is pulled to the original’s output for retain sample i', () => {
    // retain: (0.5 vs 0,1,0,1) → 0.25 and (1,1,1,0 vs 1,1,1,1) → 0.25; mean 0.25
    // forget: (0,1,0,0) vs retain sample 0's original output (0,1,0,1) → 0.25 (vs sample 1 it would be 0.75)
    // total = 0.25 + 0.5·0.25 = 0.375
    const originalRetain = images([0, 1, 0, 1], [1, 1, 1, 1]);
    const terms = read(retainLabelTerms(images([0.5, 0.5, 0.5, 0.5], [1, 1, 1, 0]), originalRetain, images([0, 1, 0, 0]), 0.5));
    expect(terms.retain).toBeCloseTo(0.25, 6);
    expect(terms.forget).toBeCloseTo(0.25, 6);
    expect(terms.total).toBeCloseTo(0.375, 6);
  });

  test('random encoder: forget targets are seeded randn scaled by the whole batch’s scalar std and shifted by its mean', () => {
    // Teacher features: forget sample (1, 3), retain sample (5, 7): mean 4, variance (9 + 1 + 1 + 9) / 4 = 5
    // (the forget sample alone would give mean 2, variance 1).
    const f = tf.tensor2d([[1, 3], [5, 7]]);
    const eps = tf.randomNormal([1, 2], 0, 1, 'float32', 9).dataSync();
    const [target] = randomEncodingTargets([f], 1, 9);
    expect(target.shape).toEqual([1, 2]);
    eps.forEach((e, i) => expect(target.dataSync()[i]).toBeCloseTo(e * Math.sqrt(5) + 4, 5));
    expect(Array.from(randomEncodingTargets([f], 1, 10)[0].dataSync())).not.toEqual(Array.from(target.dataSync()));
  });
});

describe('noisy label on a pixel model', () => {
  test('the forget input is the real image under the task’s mask; only the target has noise, in the hole', () => {
    const model = smallModel();
    const [teacher, originalDecoder] = [model.cloneEncoder(), model.cloneDecoder()];
    const task = TASKS['centre-50'];
    const method = createNoisyLabelMethod({ model, task, teacher, originalDecoder, settings: { ...settings, method: 'noisy-label' } });
    const step = { forget: batchTensor(forget, [0, 1]), retain: batchTensor(retain, [0, 1, 2]), seed: 5 };
    const terms = tf.tidy(() => read(method.objective(step)()));
    const expected = tf.tidy(() => {
      const batches = taskBatches(step, task);
      const targets = holeNoiseTargets(batches.forget.images, batches.forget.mask, forgetNoise(step, settings.noise));
      return [tf.mean(weightedPixelLoss(model.predict(batches.forget), targets, batches.forget.mask)), tf.mean(model.taskLoss(batches.retain))].map((t) => t.dataSync()[0]);
    });
    expect(terms.forget).toBeCloseTo(expected[0], 5);
    expect(terms.retain).toBeCloseTo(expected[1], 5);
    tf.dispose([step.forget, step.retain]);
    [teacher, originalDecoder, model].forEach((m) => m.dispose());
  });
});

describe('every method through the Unlearner', () => {
  for (const { id, trains } of METHODS) {
    test(`${id}: trains the ${trains}, keeps the rest frozen, holds the tensor count, dispose restores`, async () => {
      const model = smallModel();
      const encoderBefore = weightsOf(model.encoder);
      const decoderBefore = weightsOf(model.decoder);
      const unlearner = new Unlearner(model, forget, retain, { ...settings, method: id });
      const teacherBefore = weightsOf(unlearner.teacher);
      let afterStep2 = 0;
      for (let i = 1; i <= 10; i++) {
        const report = await unlearner.step();
        expect(Number.isFinite(report.total)).toBe(true);
        if (id === 'max-loss') expect(report.weightedForgetLoss).toBeLessThan(0);
        if (i === 2) afterStep2 = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(afterStep2);
      expect(sameBits(weightsOf(unlearner.teacher), teacherBefore)).toBe(true);
      weightsOf(model.encoder).forEach((w, i) => expect(sameBits([w], [encoderBefore[i]])).toBe(false));
      if (trains === 'encoder') expect(sameBits(weightsOf(model.decoder), decoderBefore)).toBe(true);
      else weightsOf(model.decoder).forEach((w, i) => expect(sameBits([w], [decoderBefore[i]])).toBe(false));
      // Restored from the frozen copies: bitwise equality also shows that those copies never moved.
      unlearner.dispose();
      expect(sameBits(weightsOf(model.encoder), encoderBefore)).toBe(true);
      expect(sameBits(weightsOf(model.decoder), decoderBefore)).toBe(true);
      model.dispose();
    });
  }

  test('a whole-model run after an encoder-only run on the same model still trains the decoder', async () => {
    const model = smallModel();
    const paper = new Unlearner(model, forget, retain, settings);
    await paper.step();
    paper.dispose();
    const decoderBefore = weightsOf(model.decoder);
    const maxLoss = new Unlearner(model, forget, retain, { ...settings, method: 'max-loss' });
    await maxLoss.step();
    expect(sameBits(weightsOf(model.decoder), decoderBefore)).toBe(false);
    maxLoss.dispose();
    model.dispose();
  });
});

describe('method selection', () => {
  test('the registry implements exactly the catalogued methods', () => {
    expect(Object.keys(METHOD_REGISTRY).sort()).toEqual([...METHOD_IDS].sort());
  });

  test('validateSettings rejects an unknown method and lists the known ones', () => {
    expect(() => validateSettings({ ...DEFAULT_UNLEARN, method: 'forget-harder' as MethodId })).toThrow(
      'unknown method "forget-harder"; methods: paper, max-loss, noisy-label, retain-label, random-encoder',
    );
    expect(() => validateSettings(DEFAULT_UNLEARN)).not.toThrow();
  });
});

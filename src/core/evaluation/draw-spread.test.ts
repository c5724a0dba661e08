import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ImageSet } from '../data/image-set';
import type { I2IModel, TaskBatch } from '../models/types';
import { smallModel, useBackend } from '../testing/fixtures';
import { syntheticImages } from '../backend/parity';
import { TASKS } from '../../shared/tasks';
import { drawSpread, redrawn } from './draw-spread';
import { holeQuality } from './reconstruction';

beforeAll(() => useBackend('wasm'));

/** 24 grey images (128/255) of 16x16: every hidden value's truth is the same. */
const grey: ImageSet = { pixels: new Uint8Array(24 * 16 * 16).fill(128), labels: new Int32Array(24), count: 24, height: 16, width: 16, channels: 1 };
const truth = 128 / 255;

/** A sampler that fills the hole with 0.3 + 0.2·ε, ε drawn from the batch's seed: its mean misses by 0.3 − x, its spread is 0.04. */
const noisySampler = {
  async reconstruct(batch: TaskBatch): Promise<tf.Tensor4D> {
    return tf.tidy(() => {
      const fill = tf.add(0.3, tf.mul(0.2, tf.randomNormal(batch.images.shape, 0, 1, 'float32', batch.seed)));
      return tf.add(tf.mul(batch.images, tf.sub(1, batch.mask)), tf.mul(fill, batch.mask)) as tf.Tensor4D;
    });
  },
} as unknown as I2IModel;

describe('draw spread', () => {
  test('splits a sampler\'s error into its mean\'s miss and its spread', async () => {
    const measured = await drawSpread(noisySampler, TASKS['centre-50'], grey, 8, 10);
    // 12,288 draws of a hidden value: both within a few standard errors.
    expect(Math.abs(measured.spread - 0.04)).toBeLessThan(0.002);
    expect(Math.abs(measured.modelMeanMse - (0.3 - truth) ** 2)).toBeLessThan(0.002);
    // One draw pays both; the mean of the draws keeps 1/K of the spread.
    expect(measured.draw.mse).toBeCloseTo(measured.meanOfDraws.mse + (7 / 8) * measured.spread, 6);
    expect(measured.meanOfDraws.mse).toBeCloseTo(measured.modelMeanMse + measured.spread / 8, 6);
    expect(measured.draw.images).toBe(24);
    expect(measured.meanOfDraws.psnr).toBeGreaterThan(measured.draw.psnr);
  });

  test('draws anew under the same masks, and the mean of draws misses less than one draw', async () => {
    const task = TASKS['patches'];
    const single = await holeQuality(noisySampler, task, grey, noisySampler, 10);
    const spread = await drawSpread(noisySampler, task, grey, 2, 10);
    // The mean of two draws, each as far off as the single one, is off by less than it.
    expect(spread.meanOfDraws.mse).toBeLessThan(single.mse);
    const batch: TaskBatch = { images: tf.zeros([1, 16, 16, 1]), mask: tf.ones([1, 16, 16, 1]), seed: 5 };
    expect(redrawn(batch, 0)).toEqual(batch);
    expect(redrawn(batch, 1).mask).toBe(batch.mask);
    expect(redrawn(batch, 1).seed).not.toBe(batch.seed);
    tf.dispose([batch.images, batch.mask]);
  });

  test('a deterministic model has no spread: its draw is its mean', async () => {
    const model = smallModel();
    const images = syntheticImages(12, 28, 3);
    const before = tf.memory().numTensors;
    const measured = await drawSpread(model, TASKS['centre-25'], images, 3, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(measured.spread).toBeCloseTo(0, 8);
    expect(measured.modelMeanMse).toBeCloseTo(measured.draw.mse, 7);
    expect(measured.draw.mse).toBeCloseTo((await holeQuality(model, TASKS['centre-25'], images)).mse, 7);
    model.dispose();
  });
});

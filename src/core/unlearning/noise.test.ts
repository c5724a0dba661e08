import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { noiseImages } from './noise';

let batch: tf.Tensor4D;
beforeAll(async () => {
  await useBackend('cpu');
  // Mean 0.4 and std 0.1 (half the pixels 0.3, half 0.5): clipping barely touches N(0.4, 0.1).
  batch = tf.tidy(() => tf.reshape(tf.tile(tf.tensor1d([0.3, 0.5]), [4 * 32 * 32]), [8, 32, 32, 1]) as tf.Tensor4D);
});

function stats(values: Float32Array) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, min: Math.min(...values), max: Math.max(...values) };
}

describe('the noise image', () => {
  test('normal: the batch’s scalar mean and std, clipped to [0, 1]', () => {
    const s = stats(noiseImages(batch, 'normal', 1).dataSync() as Float32Array);
    expect(s.mean).toBeCloseTo(0.4, 2);
    expect(s.std).toBeCloseTo(0.1, 2);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThanOrEqual(1);
  });

  test('normal: clipping holds for a batch whose noise would leave [0, 1]', () => {
    const wide = tf.tidy(() => tf.reshape(tf.tile(tf.tensor1d([0, 1]), [512]), [1, 32, 32, 1]) as tf.Tensor4D);
    const s = stats(noiseImages(wide, 'normal', 2).dataSync() as Float32Array);
    expect(s.min).toBe(0);
    expect(s.max).toBe(1);
  });

  test('uniform: U[0, 1]', () => {
    const s = stats(noiseImages(batch, 'uniform', 3).dataSync() as Float32Array);
    expect(s.mean).toBeCloseTo(0.5, 1);
    expect(s.std).toBeCloseTo(Math.sqrt(1 / 12), 2);
  });

  test('constant: the batch mean everywhere', () => {
    const s = stats(noiseImages(batch, 'constant', 4).dataSync() as Float32Array);
    expect(s.min).toBeCloseTo(0.4, 6);
    expect(s.max).toBeCloseTo(0.4, 6);
  });

  test('the same seed gives the same noise; another seed does not', () => {
    const a = noiseImages(batch, 'normal', 7).dataSync();
    const b = noiseImages(batch, 'normal', 7).dataSync();
    const c = noiseImages(batch, 'normal', 8).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  test('drawing fewer images gives the first images of the whole-batch draw, with the whole batch statistics', () => {
    for (const type of ['normal', 'uniform', 'constant'] as const) {
      const whole = noiseImages(batch, type, 5);
      const few = noiseImages(batch, type, 5, 1);
      expect(few.shape[0]).toBe(1);
      expect(Array.from(few.dataSync())).toEqual(Array.from(whole.dataSync().slice(0, few.size)));
    }
  });
});

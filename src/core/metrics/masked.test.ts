import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { drawMask } from '../tasks/masks';
import { useBackend } from '../testing/fixtures';
import { maskedMsePerImage, psnrFromMse, summarizeMse } from './masked';

beforeAll(() => useBackend('cpu'));

describe('masked-region metrics', () => {
  test('PSNR of a known MSE (peak 1)', () => {
    expect(psnrFromMse(0.01)).toBeCloseTo(20, 6);
    expect(psnrFromMse(1e-4)).toBeCloseTo(40, 6);
    expect(psnrFromMse(0)).toBe(100);
  });

  test('only hole pixels count', () => {
    const mask = drawMask({ kind: 'centre-hole', holeFraction: 0.5 }, 1, 4, 4, 1); // the 2x2 centre
    const truth = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    // image 0: wrong everywhere outside the hole, right inside; image 1: 0.5 off inside the hole
    const output = tf.tidy(() => tf.stack([tf.mul(tf.sub(1, mask.squeeze([0])), 1), tf.mul(mask.squeeze([0]), 0.5)]) as tf.Tensor4D);
    const mse = Array.from(maskedMsePerImage(output, truth, mask).dataSync());
    expect(mse[0]).toBeCloseTo(0, 6);
    expect(mse[1]).toBeCloseTo(0.25, 6);
    const summary = summarizeMse(mse);
    expect(summary.mse).toBeCloseTo(0.125, 6);
    expect(summary.psnr).toBeCloseTo((100 + psnrFromMse(0.25)) / 2, 4);
  });

  test('per-image masks: each image is judged on its own hidden pixels', () => {
    const truth = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    const output = tf.fill([2, 2, 2, 1], 0.5) as tf.Tensor4D;
    // image 0 hides one pixel, image 1 hides all four: both MSEs are 0.25 whatever the count
    const mask = tf.tensor4d([1, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 1]);
    expect(Array.from(maskedMsePerImage(output, truth, mask).dataSync())).toEqual([0.25, 0.25]);
    const partly = tf.tensor4d([0, 0.5, 0.5, 0.5, 0, 0, 0, 0.5], [2, 2, 2, 1]);
    const [a, b] = maskedMsePerImage(partly, truth, mask).dataSync();
    expect(a).toBeCloseTo(0, 6);
    expect(b).toBeCloseTo(0.25 / 4, 6);
  });
});

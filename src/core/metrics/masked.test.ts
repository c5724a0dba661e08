import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { holeMask } from '../tasks/inpainting';
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
    const mask = holeMask({ kind: 'centre-hole', holeFraction: 0.5 }, 4, 4); // the 2x2 centre
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

  test('the hole is centred and half the side', () => {
    const m = holeMask({ kind: 'centre-hole', holeFraction: 0.5 }, 28, 28).dataSync();
    let count = 0;
    m.forEach((v) => (count += v));
    expect(count).toBe(14 * 14);
    expect(m[7 * 28 + 7]).toBe(1);
    expect(m[6 * 28 + 7]).toBe(0);
    expect(m[20 * 28 + 20]).toBe(1);
    expect(m[21 * 28 + 21]).toBe(0);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { AdamW, DEFAULT_ADAMW, warmupCosine } from './optimizer';

beforeAll(() => useBackend('cpu'));

describe('learning-rate schedule', () => {
  test('warms up linearly, then decays along a half cosine to zero', () => {
    expect(warmupCosine(0, 100, 10, 1)).toBeCloseTo(0.1);
    expect(warmupCosine(9, 100, 10, 1)).toBeCloseTo(1);
    expect(warmupCosine(10, 100, 10, 1)).toBeCloseTo(1);
    expect(warmupCosine(55, 100, 10, 1)).toBeCloseTo(0.5);
    expect(warmupCosine(100, 100, 10, 1)).toBeCloseTo(0);
  });
});

describe('AdamW', () => {
  test('one step matches the hand-computed update, with decoupled decay on matrices only', () => {
    const matrix = tf.variable(tf.tensor2d([[1, -2]]));
    const bias = tf.variable(tf.tensor1d([0.5]));
    const opt = new AdamW([matrix, bias], { ...DEFAULT_ADAMW, weightDecay: 0.1, clipNorm: 100 });
    tf.dispose(opt.apply([tf.tensor2d([[0.2, -0.4]]), tf.tensor1d([0.3])], 0.01));
    // first step: m̂ = g, v̂ = g², so the Adam step is lr·g/(|g| + ε) = ±lr
    const m = matrix.dataSync();
    expect(m[0]).toBeCloseTo(1 - 0.01 - 0.01 * 0.1 * 1, 6);
    expect(m[1]).toBeCloseTo(-2 + 0.01 - 0.01 * 0.1 * -2, 6);
    expect(bias.dataSync()[0]).toBeCloseTo(0.5 - 0.01, 6);
    opt.dispose();
  });

  test('dispose frees everything the optimiser made', () => {
    const weights = tf.variable(tf.tensor2d([[1, -2]]));
    const before = tf.memory().numTensors;
    const opt = new AdamW([weights]);
    const grad = tf.tensor2d([[0.2, -0.4]]);
    tf.dispose(opt.apply([grad], 0.01));
    grad.dispose();
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    weights.dispose();
  });

  test('clips the global gradient norm and reports the norm before clipping', () => {
    const v = tf.variable(tf.tensor1d([0, 0]));
    const opt = new AdamW([v], { ...DEFAULT_ADAMW, clipNorm: 1, weightDecay: 0 });
    const norm = opt.apply([tf.tensor1d([3, 4])], 0.1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 5);
    // Clipped, the first gradient equals the second, (0.6, 0.8): both Adam steps are then exactly
    // lr per coordinate. Unclipped, the second step would be 0.081 (m̂/√v̂ = 0.8125).
    tf.dispose(opt.apply([tf.tensor1d([0.6, 0.8])], 0.1));
    const w = v.dataSync();
    expect(w[0]).toBeCloseTo(-0.2, 5);
    expect(w[1]).toBeCloseTo(-0.2, 5);
    opt.dispose();
  });
});

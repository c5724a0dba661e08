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

  test('variables of several shapes follow an element-wise reference over several steps (clipping, bias correction, decay on matrices only)', () => {
    const config = { ...DEFAULT_ADAMW, weightDecay: 0.1, clipNorm: 1 };
    const initial = [[[0.5, -1], [2, 0.25]], [0.1, -0.2, 0.3], [[[-0.7]]]];
    const gradientsAt = (step: number) => [[[0.3 * step, -0.1], [0.2, 0.4]], [-0.5, 0.1 * step, 0.2], [[[0.05 * step]]]];
    const variables = initial.map((values) => tf.variable(tf.tensor(values)));
    const opt = new AdamW(variables, config);
    // Reference: AdamW element by element, in doubles.
    const weights = initial.map((values) => values.flat(2) as number[]);
    const m = weights.map((w) => w.map(() => 0));
    const v = weights.map((w) => w.map(() => 0));
    for (let step = 1; step <= 3; step++) {
      const grads = gradientsAt(step).map((g) => g.flat(2) as number[]);
      const norm = Math.sqrt(grads.flat().reduce((sum, g) => sum + g * g, 0));
      const scale = Math.min(1, config.clipNorm / (norm + 1e-6));
      weights.forEach((w, i) => {
        const decays = initial[i].length > 0 && Array.isArray(initial[i][0]);
        w.forEach((value, j) => {
          const g = grads[i][j] * scale;
          m[i][j] = config.beta1 * m[i][j] + (1 - config.beta1) * g;
          v[i][j] = config.beta2 * v[i][j] + (1 - config.beta2) * g * g;
          const update = m[i][j] / (1 - config.beta1 ** step) / (Math.sqrt(v[i][j] / (1 - config.beta2 ** step)) + config.epsilon);
          w[j] = value - 0.01 * update - (decays ? 0.01 * config.weightDecay * value : 0);
        });
      });
      const gradients = gradientsAt(step).map((g) => tf.tensor(g));
      const reported = opt.apply(gradients, 0.01);
      expect(reported.dataSync()[0]).toBeCloseTo(norm, 5);
      tf.dispose([reported, ...gradients]);
    }
    variables.forEach((variable, i) => {
      expect(variable.shape).toEqual(tf.tidy(() => tf.tensor(initial[i]).shape));
      Array.from(variable.dataSync()).forEach((value, j) => expect(value).toBeCloseTo(weights[i][j], 5));
    });
    opt.dispose();
    tf.dispose(variables);
  });

  test('its saved state is per variable and a restored optimiser goes on exactly', async () => {
    const make = (): tf.Variable[] => [tf.variable(tf.tensor2d([[1, 2], [3, 4]])), tf.variable(tf.tensor1d([0.5, -0.5, 1]))];
    const gradients = () => [tf.tensor2d([[0.1, -0.2], [0.3, 0.05]]), tf.tensor1d([0.2, 0.1, -0.3])];
    const [a, b] = [make(), make()];
    const first = new AdamW(a);
    for (let i = 0; i < 2; i++) tf.dispose(tf.tidy(() => first.apply(gradients(), 0.01)));
    const state = await first.save();
    expect(state.steps).toBe(2);
    expect(state.firstMoments.map((moment) => moment.length)).toEqual([4, 3]);
    expect(state.secondMoments.map((moment) => moment.length)).toEqual([4, 3]);
    b.forEach((variable, i) => variable.assign(a[i]));
    const second = new AdamW(b);
    second.restore(state);
    tf.dispose(tf.tidy(() => [first.apply(gradients(), 0.01), second.apply(gradients(), 0.01)]));
    a.forEach((variable, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(variable.dataSync())));
    expect(() => second.restore({ ...state, firstMoments: [state.firstMoments[0]] })).toThrow('does not fit');
    [first, second].forEach((opt) => opt.dispose());
    tf.dispose([...a, ...b]);
  });
});

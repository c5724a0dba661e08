import { describe, expect, test } from 'vitest';
import { DEFAULT_UNLEARN, defaultsFor } from './settings';

describe('a model’s starting settings', () => {
  test('are the studio defaults when its card recommends nothing', () => {
    expect(defaultsFor({})).toEqual(DEFAULT_UNLEARN);
  });

  test('take the values its card recommends and keep the rest', () => {
    expect(defaultsFor({ unlearning: { alpha: 2, learningRate: 3e-3 } })).toEqual({ ...DEFAULT_UNLEARN, alpha: 2, learningRate: 3e-3 });
  });
});

import { describe, expect, it } from 'vitest';
import { smooth } from './smoothing';

describe('smooth', () => {
  it('returns the values unchanged at weight 0', () => {
    expect(smooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
  });

  it('is debiased: a constant curve stays constant from the first point', () => {
    for (const v of smooth([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
  });

  it('is the debiased moving average', () => {
    // average after 1: 0.5·4 = 2, /(1 − 0.5) = 4; after 2: 0.5·2 + 0.5·0 = 1, /(1 − 0.25) = 4/3.
    const [a, b] = smooth([4, 0], 0.5);
    expect(a).toBeCloseTo(4, 12);
    expect(b).toBeCloseTo(4 / 3, 12);
  });

  it('keeps gaps as gaps without letting them into the average', () => {
    const out = smooth([2, null, NaN, 2], 0.8);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNull();
    expect(out[3]).toBeCloseTo(2, 12);
  });

  it('refuses a weight outside [0, 1)', () => {
    expect(() => smooth([1], 1)).toThrow(/\[0, 1\)/);
  });
});

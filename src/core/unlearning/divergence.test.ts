import { describe, expect, test } from 'vitest';
import { DivergenceWatch, EXPLOSION_FACTOR } from './divergence';

/** The step (1-based) at which a watch first reports divergence on these losses, with the reason, or undefined. */
function divergesAt(losses: number[]): { step: number; why: string } | undefined {
  const watch = new DivergenceWatch();
  for (const [i, loss] of losses.entries()) {
    const why = watch.observe(loss);
    if (why) return { step: i + 1, why };
  }
  return undefined;
}

describe('divergence of a run, judged on its total loss', () => {
  test('a sound run does not diverge: falling, rising within bounds, crossing zero (max-loss)', () => {
    expect(divergesAt([0.5, 0.45, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01])).toBeUndefined();
    expect(divergesAt([0.02, 0.03, 0.05, 0.08, 0.1, 0.5, 2, 9])).toBeUndefined();
    expect(divergesAt([0.3, 0.1, -0.05, -0.2, -0.4, -0.6, -0.9])).toBeUndefined();
  });

  test('a loss that is not finite diverges at once, even in the opening steps', () => {
    expect(divergesAt([0.5, NaN])).toEqual({ step: 2, why: 'the loss became NaN' });
    expect(divergesAt([0.5, 0.4, 0.3, 0.2, 0.1, 0.1, Infinity])).toEqual({ step: 7, why: 'the loss became Infinity' });
  });

  test('a loss that explodes past the factor over its opening scale diverges at the first step beyond it', () => {
    // lr 1e9: geometric growth from 0.2 on.
    const losses = Array.from({ length: 20 }, (_, i) => 0.2 * 10 ** i);
    expect(divergesAt(losses)?.step).toBe(9);
    expect(divergesAt(losses)?.why).toMatch(/reached 2\.00e\+7, over 1000× its opening 2\.00e\+3/);
  });

  test('the opening scale is the largest of the opening steps, so a first loss of 0 (paper: retain term 0) does not trip it', () => {
    const opening = [0, 0.01, 0.05, 0.1, 0.1];
    expect(divergesAt([...opening, 0.1 * EXPLOSION_FACTOR])).toBeUndefined();
    expect(divergesAt([...opening, 0.1 * EXPLOSION_FACTOR * 1.01])?.step).toBe(6);
  });
});

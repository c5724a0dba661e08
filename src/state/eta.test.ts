import { describe, expect, test } from 'vitest';
import type { StepReport } from '../shared/protocol';
import { estimateRemainingMs, remainingMs } from './eta';
import type { RunState } from './slices/run';

const curve = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i }) as StepReport);
const run = (patch: Partial<RunState>): RunState => ({ id: 1, phase: 'running', totalSteps: 200, lastProgressAt: 0, ...patch });

describe('the ETA', () => {
  test('none before two steps of this start are in', () => {
    expect(estimateRemainingMs(run({}), [])).toBeUndefined();
    expect(estimateRemainingMs(run({ firstProgress: { step: 1, at: 1000 }, lastProgressAt: 1000 }), curve(1, 1))).toBeUndefined();
  });

  test('a fresh run: the time per step since its first step, times the steps left', () => {
    // Steps 1 to 5 in 4 s (the first step's compilation is not in it): 195 steps left at 1 s.
    expect(estimateRemainingMs(run({ firstProgress: { step: 1, at: 1000 }, lastProgressAt: 5000 }), curve(1, 5))).toBeCloseTo(195_000);
  });

  test('a resumed run: only the steps run since the resume count, not the earlier curve shown again', () => {
    // Steps 1 to 100 ran before a reload; 101 to 110 ran here in 9 s after the first of them.
    expect(estimateRemainingMs(run({ firstProgress: { step: 101, at: 51_000 }, lastProgressAt: 60_000 }), curve(1, 110))).toBeCloseTo(90_000);
  });

  test('while the evaluation runs: the time per image judged, times the images left; none before the first batch', () => {
    const evaluating = (done: number) => run({ phase: 'evaluating', evaluation: { done, total: 400, startedAt: 10_000, lastAt: 10_000 + 50 * done } });
    expect(remainingMs(evaluating(0), curve(1, 200))).toBeUndefined();
    expect(remainingMs(evaluating(100), curve(1, 200))).toBeCloseTo(15_000);
    // Once the run has ended there is nothing left to wait for.
    expect(remainingMs(run({ phase: 'finished', firstProgress: { step: 1, at: 0 }, lastProgressAt: 4000 }), curve(1, 5))).toBeUndefined();
  });

  test('none left once the last step is in', () => {
    expect(estimateRemainingMs(run({ totalSteps: 5, firstProgress: { step: 1, at: 0 }, lastProgressAt: 4000 }), curve(1, 5))).toBe(0);
  });
});

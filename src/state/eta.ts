import type { StepReport } from '../shared/protocol';
import type { RunState } from './slices/run';

/**
 * Time left: wall-clock time per step since the first step this (re)start ran, times the steps
 * left. Measured from that step, not from the curve's first (a resumed run shows the steps of
 * the session before again, which took no time here), so grid refreshes count and the first
 * step's shader compilation does not.
 */
export function estimateRemainingMs(run: RunState, curve: StepReport[]): number | undefined {
  const last = curve.at(-1);
  const first = run.firstProgress;
  if (!first || !last || last.step <= first.step) return undefined;
  const msPerStep = (run.lastProgressAt - first.at) / (last.step - first.step);
  return msPerStep * Math.max(0, run.totalSteps - last.step);
}

/** Time left of the evaluation after a run: time per image judged so far, times the images left. */
export function evaluationRemainingMs({ done, total, startedAt, lastAt }: NonNullable<RunState['evaluation']>): number | undefined {
  return done > 0 ? ((lastAt - startedAt) / done) * (total - done) : undefined;
}

/** The toolbar's ETA: of the steps while the run steps, of the evaluation while it evaluates. */
export function remainingMs(run: RunState, curve: StepReport[]): number | undefined {
  if (run.phase === 'running') return estimateRemainingMs(run, curve);
  return run.phase === 'evaluating' && run.evaluation ? evaluationRemainingMs(run.evaluation) : undefined;
}

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

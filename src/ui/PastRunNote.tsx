import { useShallow } from 'zustand/react/shallow';
import { resultsStale, useStudio } from '../state/studio';
import { describeRunSetup } from './run-setup';

/** Says that the grid, chart and metrics below are a past run's, and what it ran with, once the sets or settings differ from it. */
export function PastRunNote() {
  const { stale, runSetup, classNames } = useStudio(useShallow((s) => ({ stale: resultsStale(s), runSetup: s.runSetup, classNames: s.dataset?.classNames })));
  if (!stale || !runSetup) return null;
  return (
    <p className="panel past-run" role="status" data-testid="past-run-note">
      Results below are from a past run: {describeRunSetup(runSetup, classNames)}. The sets or settings have changed since; press Start to run with the new ones.
    </p>
  );
}

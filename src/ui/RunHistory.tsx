import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { studioStorage } from '../state/storage-handle';
import { useStudio } from '../state/studio';
import type { RunRecord } from '../shared/studio-db';
import { isRunActive } from '../state/run-phase';

const delta = (run: RunRecord, set: 'forget' | 'retain') => {
  const m = run.metrics?.[set];
  return m ? (m.unlearned.psnr - m.original.psnr).toFixed(2) : '—';
};

/** The runs saved in this browser, newest first; a run of the loaded model can be shown again. */
export function RunHistory() {
  const { modelId, runPhase } = useStudio(useShallow((s) => ({ modelId: s.modelId, runPhase: s.run.phase })));
  const [runs, setRuns] = useState<RunRecord[]>([]);
  // Re-read when a run ends (it has just been saved).
  useEffect(() => {
    if (isRunActive(runPhase)) return;
    void studioStorage()
      .then((storage) => storage.runs())
      .then((all) => setRuns(all.filter((r) => r.kind === 'unlearn').reverse()))
      .catch(() => setRuns([]));
  }, [runPhase]);
  if (runs.length === 0) return null;

  return (
    <section className="panel run-history" aria-labelledby="run-history-title" data-testid="run-history">
      <h2 id="run-history-title">Past runs</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">saved</th>
            <th scope="col">model</th>
            <th scope="col">steps</th>
            <th scope="col">forget Δ dB</th>
            <th scope="col">retain Δ dB</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-testid="run-history-row">
              <td>{new Date(run.savedAt).toLocaleString()}</td>
              <td>
                <code>{run.modelId}</code>
              </td>
              <td>{run.curve?.length ?? 0}</td>
              <td>{delta(run, 'forget')}</td>
              <td>{delta(run, 'retain')}</td>
              <td>
                <button
                  type="button"
                  className="small"
                  disabled={run.modelId !== modelId || isRunActive(runPhase)}
                  title={run.modelId !== modelId ? 'load its model to show it' : undefined}
                  onClick={() => useStudio.getState().showRun(run)}
                >
                  Show
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

import { useShallow } from 'zustand/react/shallow';
import { useOwnModel, useStudio } from '../state/studio';
import { hasEnded, holdsWorker, isRunActive } from '../state/run-phase';
import { downloadText } from './comparison-export';
import { download } from './download';
import { runReportCsv, runReportJson } from './run-report';

/** The model (unlearned when the shown run left its weights, else the original, and it says so) and the run report, for every model. */
export function RunExports() {
  const { phase, runPhase, hasWeights, hasRun } = useStudio(
    useShallow((s) => ({ phase: s.phase, runPhase: s.run.phase, hasWeights: !!s.unlearnedWeights, hasRun: s.curve.length > 0 && hasEnded(s.run.phase) })),
  );
  const { busy, trainingPhase } = useOwnModel(useShallow((s) => ({ busy: s.busy, trainingPhase: s.training?.phase })));
  const blocked = phase !== 'ready' || holdsWorker(runPhase) || (trainingPhase !== undefined && isRunActive(trainingPhase)) || !!busy;

  const exportZip = async () => {
    try {
      const { fileName, zip } = await useOwnModel.getState().exportModel();
      download(fileName, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    } catch (error) {
      useStudio.getState().reportError(error);
    }
  };
  const report = (kind: 'json' | 'csv') => {
    const state = useStudio.getState();
    // The report names what the run ran with, not what is selected now.
    const source = { ...state, ...state.runSetup, calibration: state.calibration };
    const name = `run-${source.modelId}-step-${state.curve.length}.${kind}`;
    downloadText(name, kind === 'json' ? runReportJson(source) : runReportCsv(source), kind === 'json' ? 'application/json' : 'text/csv');
  };

  return (
    <section className="panel run-exports" aria-labelledby="run-exports-title" data-testid="run-exports">
      <h2 id="run-exports-title">Export</h2>
      <div className="drop-buttons">
        <button type="button" className="small" data-testid="export-model" data-unlearned={hasWeights} disabled={blocked} onClick={() => void exportZip()}>
          {hasWeights ? 'Export unlearned model (.zip)' : 'Export original model (.zip)'}
        </button>
        <button type="button" className="small" data-testid="export-report-json" disabled={!hasRun} onClick={() => report('json')}>
          Run report JSON
        </button>
        <button type="button" className="small" data-testid="export-report-csv" disabled={!hasRun} onClick={() => report('csv')}>
          Run report CSV
        </button>
      </div>
      {hasRun && !hasWeights && (
        <p className="note" data-testid="export-original-note">
          This run&apos;s unlearned weights were not kept (it was saved before runs kept them): the model export holds the original weights, not the unlearned ones.
        </p>
      )}
    </section>
  );
}

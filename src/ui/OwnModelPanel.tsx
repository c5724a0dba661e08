import { useShallow } from 'zustand/react/shallow';
import { useOwnModel, useStudio } from '../state/studio';
import { ImageCanvas } from './ImageCanvas';
import { holdsWorker, isRunActive } from '../state/run-phase';

const NUMBER_FIELDS = [
  { key: 'steps', label: 'steps', min: 1, step: 1 },
  { key: 'batchSize', label: 'batch', min: 2, step: 1 },
  { key: 'learningRate', label: 'lr', min: 0, step: 0.0005 },
] as const;

function TrainOriginal({ disabled }: { disabled: boolean }) {
  const { trainSettings, training } = useOwnModel(useShallow((s) => ({ trainSettings: s.trainSettings, training: s.training })));
  const { updateTrainSettings, trainOriginal } = useOwnModel.getState();
  const { pause, resume, stop } = useStudio.getState();
  const active = training && isRunActive(training.phase);
  const last = training?.curve.at(-1);

  return (
    <div className="train-original">
      <h3>Train an original on your images</h3>
      <p className="note">A new inpainting model learns your forget and retain sets (held-out images excepted), in the worker; then unlearn it with Start.</p>
      <div className="settings-row">
        {NUMBER_FIELDS.map((f) => (
          <label key={f.key} className="setting">
            {f.label}{' '}
            <input
              type="number"
              min={f.min}
              step={f.step}
              data-testid={`train-${f.key}`}
              value={trainSettings[f.key]}
              disabled={active}
              onChange={(e) => {
                const value = Number(e.target.value);
                if (Number.isFinite(value) && value >= f.min) updateTrainSettings({ [f.key]: value });
              }}
            />
          </label>
        ))}
      </div>
      <div className="run-buttons">
        <button type="button" className="primary" data-testid="train-original" disabled={disabled || active} onClick={() => void trainOriginal()}>
          Train original
        </button>
        {training?.phase === 'paused' ? (
          <button type="button" data-testid="train-resume" onClick={() => void resume()}>
            Resume
          </button>
        ) : (
          <button type="button" data-testid="train-pause" disabled={training?.phase !== 'running'} onClick={() => void pause()}>
            Pause
          </button>
        )}
        <button type="button" data-testid="train-stop" disabled={!active} onClick={() => void stop()}>
          Stop
        </button>
      </div>
      {training && (
        <p className="counts" data-testid="train-progress" data-phase={training.phase} data-step={last?.step ?? 0}>
          {training.phase}: step {last?.step ?? 0} / {training.totalSteps}
          {last && `, loss ${last.loss.toFixed(4)}, ${Math.round(last.ms)} ms/step`}
        </p>
      )}
    </div>
  );
}

function ModelPreview() {
  const preview = useOwnModel((s) => s.preview);
  if (!preview) return null;
  return (
    <div className="model-preview" data-testid="model-preview" data-model={preview.modelId} data-checksum={preview.checksum}>
      {(['truth', 'reconstruction'] as const).map((row) => (
        <div key={row} className="preview-row">
          <span className="muted">{row === 'truth' ? 'held-out' : 'model'}</span>
          {Array.from({ length: preview[row].count }, (_, i) => (
            <ImageCanvas key={i} stack={preview[row]} index={i} displayWidth={44} label={`${row} ${i + 1}`} />
          ))}
        </div>
      ))}
    </div>
  );
}

/** The user's model: train an original, preview the loaded one, import a model (exports are in RunExports, for every model). */
export function OwnModelPanel() {
  const { dataSource, phase, runPhase, modelId } = useStudio(useShallow((s) => ({ dataSource: s.dataSource, phase: s.phase, runPhase: s.run.phase, modelId: s.modelId })));
  const { busy, trainingPhase } = useOwnModel(useShallow((s) => ({ busy: s.busy, trainingPhase: s.training?.phase })));
  if (dataSource !== 'own') return null;
  const blocked = phase !== 'ready' || holdsWorker(runPhase) || (trainingPhase !== undefined && isRunActive(trainingPhase)) || !!busy;
  const { importModel, previewModel } = useOwnModel.getState();

  return (
    <section className="panel own-model" aria-labelledby="own-model-title" data-testid="own-model-panel">
      <h2 id="own-model-title">Your model</h2>
      <TrainOriginal disabled={blocked} />
      <h3>Loaded model: {modelId}</h3>
      <div className="drop-buttons">
        <button type="button" className="small" data-testid="preview-model" disabled={blocked} onClick={() => void previewModel()}>
          Reconstruct held-out images
        </button>
        <label className={`small button${blocked ? ' disabled' : ''}`}>
          Import model…
          <input
            type="file"
            accept=".zip,application/zip"
            hidden
            disabled={blocked}
            data-testid="import-model"
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              if (file) void file.arrayBuffer().then((bytes) => importModel(new Uint8Array(bytes), file.name));
            }}
          />
        </label>
      </div>
      {busy && <p className="note">{busy}…</p>}
      <ModelPreview />
    </section>
  );
}

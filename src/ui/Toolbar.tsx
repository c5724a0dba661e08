import { useShallow } from 'zustand/react/shallow';
import { remainingMs, useStudio } from '../state/studio';
import type { BackendAttempt, BackendName } from '../shared/protocol';
import { holdsWorker, isRunActive } from '../state/run-phase';

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "webgpu: reason; webgl: reason" for the backends that failed before the one in use, or undefined. */
function describeFallback(attempts: BackendAttempt[], backend: BackendName | undefined): string | undefined {
  const chosen = attempts.findIndex((a) => a.backend === backend);
  const failed = attempts.slice(0, chosen < 0 ? attempts.length : chosen).filter((a) => !a.ok);
  if (!backend || failed.length === 0) return undefined;
  return `fell back to ${backend}: ${failed.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`;
}

function urlWithBackend(backend: BackendName): string {
  const params = new URLSearchParams(location.search);
  params.set('backend', backend);
  return `?${params}`;
}

export function Toolbar() {
  const { phase, backend, backendAttempts, model, modelId, models, run, curve, tensors } = useStudio(
    useShallow((s) => ({
      modelId: s.modelId,
      models: s.models,
      phase: s.phase,
      backend: s.backend,
      backendAttempts: s.backendAttempts,
      model: s.model,
      run: s.run,
      curve: s.curve,
      tensors: s.tensors,
    })),
  );
  const { start, pause, resume, stop, cancelEvaluation, selectModel } = useStudio.getState();

  const active = isRunActive(run.phase);
  const last = curve.at(-1);
  const evaluating = run.phase === 'evaluating';
  const remaining = remainingMs(run, curve);
  const fallback = describeFallback(backendAttempts, backend);
  const software = backendAttempts.find((a) => a.ok && a.software);

  return (
    <header className="toolbar">
      <div className="toolbar-row">
        <h1>Unlearning Studio</h1>
        <label className="model-name">
          model{' '}
          <select
            data-testid="model-select"
            value={modelId}
            disabled={phase !== 'ready' || active}
            onChange={(e) => void selectModel(e.target.value)}
          >
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>{' '}
          <span className="model-title">{model?.title ?? '…'}</span>
        </label>
        <div className="run-buttons">
          <button
            type="button"
            className="primary"
            data-testid="start-button"
            disabled={phase !== 'ready' || holdsWorker(run.phase)}
            title={evaluating ? 'the last run is being evaluated: wait for its metrics or cancel them' : undefined}
            onClick={() => void start()}
          >
            Start
          </button>
          {run.phase === 'paused' ? (
            <button type="button" data-testid="resume-button" onClick={() => void resume()}>
              Resume
            </button>
          ) : (
            <button type="button" data-testid="pause-button" disabled={run.phase !== 'running'} onClick={() => void pause()}>
              Pause
            </button>
          )}
          <button
            type="button"
            data-testid="stop-button"
            disabled={run.phase !== 'running' && run.phase !== 'paused'}
            onClick={() => void stop()}
          >
            Stop
          </button>
          {evaluating && (
            <button type="button" data-testid="cancel-evaluation" disabled={run.metricsCancelled} onClick={() => void cancelEvaluation()}>
              Cancel evaluation
            </button>
          )}
        </div>
        {backend && (
          <span className="backend-badge" data-testid="backend-badge" title={fallback ?? `running on ${backend}`}>
            {backend}
          </span>
        )}
      </div>
      <div className="toolbar-row status">
        {phase === 'starting' || phase === 'loading' ? (
          <span className="loading">Loading model and data…</span>
        ) : phase === 'failed' ? (
          <span className="failed">The studio could not load; reload the page to try again.</span>
        ) : (
          <>
            <span className={`run-phase run-phase-${run.phase}`} data-testid="run-phase">
              {run.phase}
            </span>
            <span data-testid="step-counter">
              step {last?.step ?? 0} / {run.totalSteps}
            </span>
            {evaluating && (
              <span data-testid="evaluation-progress" data-done={run.evaluation?.done ?? 0} data-total={run.evaluation?.total ?? 0}>
                {run.metricsCancelled
                  ? 'cancelling the evaluation…'
                  : run.evaluation?.total
                    ? `evaluating: ${run.evaluation.done} / ${run.evaluation.total} reconstructions judged`
                    : 'evaluating: the last grid…'}
              </span>
            )}
            <span>ETA {remaining === undefined ? '—' : formatDuration(remaining)}</span>
            <span>ms/step {last ? Math.round(last.ms) : '—'}</span>
            <span>tensors {tensors ?? '—'}</span>
          </>
        )}
        <SelfCheck disabled={phase !== 'ready' || active} />
      </div>
      {software && (
        <div className="fallback" data-testid="software-adapter">
          WebGPU runs on a software adapter here ({software.adapter}), so training is slow.{' '}
          <a href={urlWithBackend('wasm')}>Switch to wasm</a>, usually far faster on a machine without a GPU.
        </div>
      )}
      {fallback && (
        <div className="fallback" data-testid="backend-fallback" title={fallback}>
          {fallback}
        </div>
      )}
    </header>
  );
}

/** Compares the active backend against cpu on a fixed workload; the worker refuses it during a run. */
function SelfCheck({ disabled }: { disabled: boolean }) {
  const selfCheck = useStudio((s) => s.selfCheck);
  const runSelfCheck = useStudio((s) => s.runSelfCheck);
  const running = selfCheck?.running ?? false;

  return (
    <span className="self-check">
      <button type="button" className="small" data-testid="self-check-button" disabled={disabled || running} onClick={() => void runSelfCheck()}>
        Check backend
      </button>
      {selfCheck && (
        <span
          data-testid="self-check-result"
          className={running ? '' : selfCheck.passed ? 'good' : 'bad'}
          data-passed={running ? undefined : String(selfCheck.passed)}
          data-max-relative-diff={running ? undefined : selfCheck.maxRelativeDiff}
        >
          {running
            ? 'checking…'
            : selfCheck.passed
              ? `${selfCheck.backend} matches cpu (max rel. diff ${selfCheck.maxRelativeDiff.toExponential(0)}, tol ${selfCheck.tolerance.toExponential(0)})`
              : `⚠ ${selfCheck.backend} differs from cpu (max rel. diff ${selfCheck.maxRelativeDiff.toExponential(0)} > tol ${selfCheck.tolerance.toExponential(0)}): results on this backend may be wrong`}
        </span>
      )}
    </span>
  );
}

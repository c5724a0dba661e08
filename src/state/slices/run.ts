import { WorkerLostError, type WorkerLoss } from '../../client/worker-client';
import type { JobEvent, MetricsReport, ModelFiles, NoiseLevels, ReconstructionGrid, ResumeFrom, SetCounts, StepReport, UnlearnSettings } from '../../shared/protocol';
import type { CalibrationRequest, RunCalibration } from '../../shared/calibration';
import type { RunRecord } from '../../shared/studio-db';
import { errorMessage } from '../errors';
import { appendSnapshot, snapshotOf, type GridSnapshot } from '../grid-history';
import { isRunActive, isStepping, type RunPhase } from '../run-phase';
import type { SliceCreator } from '../studio-store';
import { COMPARING_MESSAGE, isComparing } from './comparison';
import { calibrationRequest, type DataSource, type SelectionSlice } from './selection';

const PREVIEW_IMAGES = 6;
const PREVIEW_INTERVAL_MS = 1000;

export interface RunState {
  id: number;
  phase: RunPhase;
  totalSteps: number;
  counts?: SetCounts;
  /** The first progress message since this (re)start: its step and wall time (performance.now), for the ETA. */
  firstProgress?: { step: number; at: number };
  /** Wall time of the latest progress message. */
  lastProgressAt: number;
  /** How far the held-out metrics are (reconstructions judged), with the wall times (performance.now) for their ETA. */
  evaluation?: { done: number; total: number; startedAt: number; lastAt: number };
  /** The evaluation was cancelled: the run ends stopped, without metrics. */
  metricsCancelled?: boolean;
}

/** What the shown run ran with: the studio's sets and settings may have changed since. */
export interface RunSetup {
  modelId: string;
  dataSource: DataSource;
  forgetClasses: number[];
  retainClasses: number[];
  settings: UnlearnSettings;
  /** Unknown for runs saved before it was kept. */
  evalImages?: number;
  /** Stop at target, when the run was calibrated. */
  calibration?: CalibrationRequest;
}

const setupKey = (s: RunSetup, evalImages = s.evalImages) =>
  JSON.stringify([
    s.modelId,
    s.dataSource,
    s.dataSource === 'own' ? [] : [s.forgetClasses, s.retainClasses],
    evalImages,
    Object.entries(s.settings).filter(([, v]) => v !== undefined).sort(),
    s.calibration ?? null,
  ]);

/** Results are on screen whose run ran with other sets or settings than those now selected. */
export function resultsStale(state: RunSlice & SelectionSlice): boolean {
  const { runSetup } = state;
  if (!runSetup || (state.curve.length === 0 && !state.grid)) return false;
  const { modelId, dataSource, forgetClasses, retainClasses, settings } = state;
  const current: RunSetup = { modelId, dataSource, forgetClasses, retainClasses, settings, calibration: calibrationRequest(state.stopAtTarget) };
  return setupKey(runSetup) !== setupKey(current, runSetup.evalImages === undefined ? undefined : state.evalImages);
}

/** The unlearning run: its phase, curve, grid and metrics. */
export interface RunSlice {
  run: RunState;
  curve: StepReport[];
  tensors?: number;
  grid?: ReconstructionGrid;
  gridStep: number;
  /** The unlearned column of the run's grids so far, oldest first, to scrub back through. */
  gridHistory: GridSnapshot[];
  /** Progress of the grid being sampled (diffusion models), until it arrives. */
  sampling?: { done: number; total: number };
  metrics?: MetricsReport;
  /** The sets and settings of the run shown (its grid, curve and metrics). */
  runSetup?: RunSetup;
  /** Files of the parts the shown run trained: what its model is exported from, also after a reload. */
  unlearnedWeights?: ModelFiles;
  /** The shown run's stop at target: its target, measurements and why it stopped. */
  calibration?: RunCalibration;
  /** A diffusion model's run: its per-noise-level diagnostics, original and unlearned. */
  noiseLevels?: NoiseLevels;
  /** `resume`: continue an interrupted run from its checkpoint (its curve so far is shown again). */
  start(resume?: ResumeFrom & { curve: StepReport[] }): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** Cuts the evaluation of an ended run short: it ends stopped, without metrics. */
  cancelEvaluation(): Promise<void>;
  /** Puts a saved run (its curve, grid and metrics) on screen, as a run just ended would be. */
  showRun(record: RunRecord): void;
  clearRun(): void;
  onJobEvent(event: JobEvent): void;
  /** The worker was lost: a run in progress is interrupted (its checkpoint can resume it). */
  onWorkerLoss(loss: WorkerLoss): void;
}

const IDLE_RUN: RunState = { id: 0, phase: 'idle', totalSteps: 0, lastProgressAt: 0 };

export const createRunSlice: SliceCreator<RunSlice> = (set, get, { client, ownSets }) => {
  /** Pause, resume and stop act on whatever job is in the worker's slot (a training of an original too). */
  const control = async (action: 'pause' | 'resume' | 'stop', body: { withoutMetrics?: boolean } = {}) => {
    try {
      await client.request(action, body);
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  };

  return {
    run: IDLE_RUN,
    curve: [],
    gridStep: 0,
    gridHistory: [],

    async start(resume) {
      try {
        get().checkRunnable();
        // Checked here too so that the shown run is not cleared for a start the worker would refuse.
        if (isComparing(get().comparison.phase)) throw new Error(COMPARING_MESSAGE);
        // The worker would wait for the evaluation before it started: say so rather than seem to ignore the click.
        if (get().run.phase === 'evaluating') throw new Error('the last run is still being evaluated: wait for its metrics or cancel them first');
        const { forgetClasses, retainClasses, settings, modelId, evalImages, sampleSteps, sampler, dataSource } = get();
        const own = dataSource === 'own' ? ownSets() : undefined;
        const calibration = calibrationRequest(get().stopAtTarget);
        set({
          run: { ...IDLE_RUN, phase: 'preparing' },
          curve: resume?.curve ?? [],
          grid: undefined,
          gridHistory: [],
          metrics: undefined,
          unlearnedWeights: undefined,
          calibration: calibration && { request: calibration, curve: [] },
          noiseLevels: undefined,
          runSetup: { modelId, dataSource, forgetClasses, retainClasses, settings, evalImages, calibration },
          error: undefined,
        });
        const started = await client
          .request('start', {
            run: {
              modelId,
              forgetClasses,
              retainClasses,
              settings,
              evalImages,
              previewImages: PREVIEW_IMAGES,
              sampleSteps,
              sampler,
              previewIntervalMs: PREVIEW_INTERVAL_MS,
              own,
              calibration,
              resume: resume && { step: resume.step, files: resume.files, state: resume.state },
            },
          })
          .catch((error) => {
            set({ run: IDLE_RUN });
            throw error;
          });
        set({ run: { ...IDLE_RUN, id: started.runId, phase: 'running', totalSteps: started.totalSteps, counts: started.counts } });
      } catch (error) {
        // A start cut off by a lost worker leaves the run to the recovery (see onWorkerLoss).
        if (!(error instanceof WorkerLostError)) set({ error: errorMessage(error) });
      }
    },

    pause: () => control('pause'),
    resume: () => control('resume'),
    stop: () => control('stop'),

    async cancelEvaluation() {
      const { run } = get();
      if (run.phase !== 'evaluating') return;
      set({ run: { ...run, metricsCancelled: true } });
      await control('stop', { withoutMetrics: true });
    },

    showRun(record) {
      set({
        curve: record.curve ?? [],
        grid: record.grid,
        gridStep: record.gridStep ?? 0,
        gridHistory: record.grid ? [snapshotOf(record.grid, record.gridStep ?? 0)] : [],
        metrics: record.metrics,
        unlearnedWeights: record.weights,
        calibration: record.calibration,
        noiseLevels: record.noiseLevels,
        runSetup: {
          modelId: record.modelId,
          dataSource: record.ownData ? 'own' : 'classes',
          forgetClasses: record.forgetClasses ?? [],
          // Runs saved before their retain classes were kept retained every class not forgotten.
          retainClasses: record.retainClasses ?? (get().dataset?.classNames.map((_, c) => c).filter((c) => !record.forgetClasses?.includes(c)) ?? []),
          settings: record.settings ?? get().settings,
          evalImages: record.evalImages,
          calibration: record.calibration?.request,
        },
        ...(record.ownData ? { dataSource: 'own' as const } : {}),
        run: { ...get().run, phase: record.status as RunPhase, totalSteps: record.settings?.steps ?? record.curve?.length ?? 0, metricsCancelled: !record.metrics },
      });
    },

    clearRun() {
      set({ run: IDLE_RUN, curve: [], grid: undefined, gridHistory: [], metrics: undefined, runSetup: undefined, unlearnedWeights: undefined, calibration: undefined, noiseLevels: undefined });
    },

    onJobEvent(event) {
      const { run } = get();
      // A new worker counts its runs afresh: an interrupted run hears nothing until it is resumed.
      if (event.type === 'compareProgress' || event.runId !== run.id || run.phase === 'interrupted') return;
      switch (event.type) {
        case 'error':
          set({ error: event.message, run: { ...run, phase: 'stopped' } });
          return;
        case 'progress': {
          const now = performance.now();
          const firstProgress = run.firstProgress ?? { step: event.report.step, at: now };
          set({ curve: [...get().curve, event.report], tensors: event.tensors, run: { ...run, firstProgress, lastProgressAt: now } });
          return;
        }
        case 'reconstructions':
          set({ grid: event.grid, gridStep: event.step, gridHistory: appendSnapshot(get().gridHistory, snapshotOf(event.grid, event.step)), sampling: undefined });
          return;
        case 'sampling':
          set({ sampling: { done: event.done, total: event.total } });
          return;
        case 'metrics':
          set({ metrics: event.metrics });
          return;
        case 'noiseLevels':
          set({ noiseLevels: event.noiseLevels });
          return;
        case 'unlearnedWeights':
          set({ unlearnedWeights: event.files });
          return;
        case 'calibrationTarget':
        case 'calibration':
        case 'calibrationEnd': {
          const calibration = get().calibration;
          if (!calibration) return;
          if (event.type === 'calibrationTarget') set({ calibration: { ...calibration, target: event.target, original: event.original } });
          else if (event.type === 'calibration') set({ calibration: { ...calibration, curve: [...calibration.curve, event.point] } });
          else set({ calibration: { ...calibration, end: { step: event.step, reason: event.reason } } });
          return;
        }
        case 'evaluationProgress': {
          const now = performance.now();
          set({ run: { ...run, evaluation: { done: event.done, total: event.total, startedAt: run.evaluation?.startedAt ?? now, lastAt: now } } });
          return;
        }
        case 'status': {
          // The evaluation's clock starts with it (its last grid included), for the ETA.
          const evaluation = event.status === 'evaluating' ? { done: 0, total: 0, startedAt: performance.now(), lastAt: performance.now() } : run.evaluation;
          set({ run: { ...run, phase: event.status, evaluation }, ...(event.reason ? { error: event.reason } : {}) });
          return;
        }
      }
    },

    onWorkerLoss(loss) {
      const { run } = get();
      const cut = isRunActive(run.phase) || isStepping(run.phase) || run.phase === 'evaluating';
      set({
        error: `${loss.reason}. The studio started a new worker${loss.cause === 'backendLost' ? ' on the next backend' : ''}; what you loaded is kept.`,
        ...(cut ? { run: { ...run, phase: 'interrupted' as const } } : {}),
      });
    },
  };
};

import { WorkerLostError, type WorkerLoss } from '../../client/worker-client';
import type { JobEvent, MetricsReport, ReconstructionGrid, ResumeFrom, SetCounts, StepReport } from '../../shared/protocol';
import type { RunRecord } from '../../shared/studio-db';
import { errorMessage } from '../errors';
import { isRunActive, isStepping, type RunPhase } from '../run-phase';
import type { SliceCreator } from '../studio-store';
import { COMPARING_MESSAGE, isComparing } from './comparison';

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
}

/** The unlearning run: its phase, curve, grid and metrics. */
export interface RunSlice {
  run: RunState;
  curve: StepReport[];
  tensors?: number;
  grid?: ReconstructionGrid;
  gridStep: number;
  /** Progress of the grid being sampled (diffusion models), until it arrives. */
  sampling?: { done: number; total: number };
  metrics?: MetricsReport;
  /** `resume`: continue an interrupted run from its checkpoint (its curve so far is shown again). */
  start(resume?: ResumeFrom & { curve: StepReport[] }): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
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
  const control = async (action: 'pause' | 'resume' | 'stop') => {
    try {
      await client.request(action, {});
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  };

  return {
    run: IDLE_RUN,
    curve: [],
    gridStep: 0,

    async start(resume) {
      try {
        get().checkRunnable();
        // Checked here too so that the shown run is not cleared for a start the worker would refuse.
        if (isComparing(get().comparison.phase)) throw new Error(COMPARING_MESSAGE);
        const { forgetClasses, retainClasses, settings, modelId, evalImages, sampleSteps } = get();
        const own = get().dataSource === 'own' ? ownSets() : undefined;
        set({ run: { ...IDLE_RUN, phase: 'preparing' }, curve: resume?.curve ?? [], grid: undefined, metrics: undefined, error: undefined });
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
              previewIntervalMs: PREVIEW_INTERVAL_MS,
              own,
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

    showRun(record) {
      set({
        curve: record.curve ?? [],
        grid: record.grid,
        gridStep: record.gridStep ?? 0,
        metrics: record.metrics,
        ...(record.ownData ? { dataSource: 'own' as const } : {}),
        run: { ...get().run, phase: record.status as RunPhase, totalSteps: record.settings?.steps ?? record.curve?.length ?? 0 },
      });
    },

    clearRun() {
      set({ run: IDLE_RUN, curve: [], grid: undefined, metrics: undefined });
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
          set({ grid: event.grid, gridStep: event.step, sampling: undefined });
          return;
        case 'sampling':
          set({ sampling: { done: event.done, total: event.total } });
          return;
        case 'metrics':
          set({ metrics: event.metrics });
          return;
        case 'status':
          set({ run: { ...run, phase: event.status }, ...(event.reason ? { error: event.reason } : {}) });
          return;
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

import { create } from 'zustand';
import { UnlearningWorkerClient, type CompareProgressEvent, type RunEvent } from '../worker/client';
import {
  DEFAULT_RUN_OPTIONS,
  SETTING_RULES,
  modelTaskIds,
  validateSettings,
  type BenchmarkBudget,
  type AuditSummary,
  type BenchmarkResult,
  type BuiltInModel,
  type ComparedModel,
  type ComparedProjection,
  type EvaluationRow,
  type MethodCost,
  type BackendAttempt,
  type BackendName,
  type DatasetSummary,
  type MetricsReport,
  type ModelCard,
  type ReconstructionGrid,
  type ResumeFrom,
  type RunStatus,
  type SetCounts,
  type StepReport,
  type UnlearnSettings,
} from '../worker/protocol';
import { readSharedSettings, writeSharedSettings } from './url-settings';
import { ownSetsForWorker } from './own-sets-store';

export const DEFAULT_MODEL_ID = 'mnist-inpaint-ae';
const PREVIEW_IMAGES = 6;
const PREVIEW_INTERVAL_MS = 1000;

export type Phase = 'starting' | 'loading' | 'ready' | 'failed';
export type RunPhase = 'idle' | 'preparing' | RunStatus;

export interface RunState {
  id: number;
  phase: RunPhase;
  totalSteps: number;
  counts?: SetCounts;
  /** Wall times (performance.now) of the first and the latest progress message, for the ETA. */
  firstProgressAt: number;
  lastProgressAt: number;
}

export type ComparisonPhase = 'idle' | 'running' | 'cancelling' | 'cancelled' | 'finished';

export interface ComparisonResult {
  /** What the comparison ran with: the studio's settings may have changed since. */
  modelId: string;
  /** The dataset whose classifier the metrics were computed in. */
  dataset: string;
  forgetClasses: number[];
  settings: UnlearnSettings;
  evalImages: number;
  rows: EvaluationRow[];
  audit: AuditSummary[];
  costs: MethodCost[];
  projection?: ComparedProjection[];
}

export interface ComparisonState {
  phase: ComparisonPhase;
  progress?: Pick<CompareProgressEvent, 'progress' | 'position' | 'models'>;
  result?: ComparisonResult;
  /** The model whose membership-audit histogram and projection scatter are shown. */
  selected: ComparedModel;
}

export interface StudioState {
  phase: Phase;
  backend?: BackendName;
  backendAttempts: BackendAttempt[];
  preferredBackend?: BackendName;
  modelId: string;
  /** The built-in models the worker offers. */
  models: BuiltInModel[];
  model?: ModelCard;
  dataset?: DatasetSummary;
  forgetClasses: number[];
  retainClasses: number[];
  /** The dataset's classes, or the user's own image sets (forget / retain / proxy retain). */
  dataSource: DataSource;
  settings: UnlearnSettings;
  evalImages: number;
  /** Settings whose field holds text that is not a usable value (the store keeps the last good one). */
  invalidSettings: string[];
  run: RunState;
  curve: StepReport[];
  tensors?: number;
  grid?: ReconstructionGrid;
  gridStep: number;
  /** Progress of the grid being sampled (diffusion models), until it arrives. */
  sampling?: { done: number; total: number };
  /** DDIM steps for diffusion models (grid and metrics); the model's default when undefined. */
  sampleSteps?: number;
  setSampleSteps(steps: number | undefined): void;
  metrics?: MetricsReport;
  selfCheck?: { backend: BackendName; maxRelativeDiff: number; tolerance: number; passed: boolean; running: boolean };
  comparison: ComparisonState;
  /** The message shown in the error banner; nothing loaded is lost when it appears. */
  error?: string;

  initialize(): Promise<void>;
  /** Loads a built-in model (and its dataset); the previous run is ended. */
  selectModel(modelId: string): Promise<void>;
  toggleForgetClass(c: number): void;
  toggleRetainClass(c: number): void;
  updateSettings(patch: Partial<UnlearnSettings>): void;
  markSettingInvalid(key: keyof UnlearnSettings, invalid: boolean): void;
  /** `resume`: continue an interrupted run from its checkpoint (its curve so far is shown again). */
  start(resume?: ResumeFrom & { curve: StepReport[] }): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  runSelfCheck(): Promise<void>;
  /** Times unlearning steps on the active backend (used by `npm run bench` through the page). */
  benchmark(task: BenchmarkResult['task'], batchSize: number, budget: BenchmarkBudget): Promise<BenchmarkResult & { backend: BackendName; wasmThreads: number }>;
  /** Runs every method next to the references on the current forget classes and settings (ends any run). */
  /** Compares every method; `retrain` first trains the retrained reference here when none ships for the forget classes. */
  compare(options?: { retrain?: boolean; retrainSteps?: number }): Promise<void>;
  /** Stops the comparison after its current step. */
  cancelCompare(): Promise<void>;
  selectComparedModel(method: ComparedModel): void;
  dismissError(): void;
  setDataSource(source: DataSource): void;
}

export type DataSource = 'classes' | 'own';

const IDLE_RUN: RunState = { id: 0, phase: 'idle', totalSteps: 0, firstProgressAt: 0, lastProgressAt: 0 };
const IDLE_COMPARISON: ComparisonState = { phase: 'idle', selected: 'original' };
const COMPARING_MESSAGE = 'a method comparison is running: wait for it to finish or cancel it first';

export const isComparing = (phase: ComparisonPhase) => phase === 'running' || phase === 'cancelling';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const shared = readSharedSettings(typeof location === 'undefined' ? '' : location.search, {
  modelId: DEFAULT_MODEL_ID,
  forgetClasses: [7],
  evalImages: DEFAULT_RUN_OPTIONS.evalImages,
});

let whenClient: () => UnlearningWorkerClient | undefined = () => undefined;
/** The training worker's client, once the studio has started it (for the own-model store). */
export const studioWorker = () => whenClient();

export const useStudio = create<StudioState>()((set, get) => {
  let client: UnlearningWorkerClient | undefined;
  whenClient = () => client;

  const syncUrl = () => {
    const { modelId, forgetClasses, settings, evalImages, sampleSteps, preferredBackend } = get();
    history.replaceState(null, '', writeSharedSettings({ modelId, forgetClasses, settings, evalImages, sampleSteps, backend: preferredBackend, wasmThreads: shared.wasmThreads }));
  };

  const onRunEvent = (event: RunEvent) => {
    const { run } = get();
    if (event.type === 'error') {
      set({ error: event.message, run: event.runId === run.id || event.runId === -1 ? { ...run, phase: 'stopped' } : run });
      return;
    }
    if (event.runId !== run.id) return;
    switch (event.type) {
      case 'progress': {
        const now = performance.now();
        const firstProgressAt = get().curve.length === 0 ? now : run.firstProgressAt;
        set({ curve: [...get().curve, event.report], tensors: event.tensors, run: { ...run, firstProgressAt, lastProgressAt: now } });
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
        set({ run: { ...run, phase: event.status } });
        return;
    }
  };

  /** Settings a run or a comparison can start with, or a clear reason why not. */
  const checkRunnable = () => {
    const { forgetClasses, retainClasses, settings } = get();
    if (!client || get().phase !== 'ready') throw new Error('the studio is still loading');
    if (get().dataSource === 'own') return client;
    if (forgetClasses.length === 0) throw new Error('the forget set is empty: pick at least one class to forget');
    if (retainClasses.length === 0) throw new Error('the retain set is empty: keep at least one class');
    const invalid = get().invalidSettings;
    if (invalid.length) throw new Error(`fix the settings first: ${invalid.map((k) => SETTING_RULES[k as keyof typeof SETTING_RULES]?.rule ?? k).join('; ')}`);
    validateSettings(settings);
    return client;
  };

  const guarded = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      set({ error: message(error) });
    }
  };

  return {
    phase: 'starting',
    backendAttempts: [],
    preferredBackend: shared.backend,
    modelId: shared.modelId,
    models: [],
    forgetClasses: shared.forgetClasses,
    retainClasses: [],
    dataSource: 'classes',
    settings: shared.settings,
    evalImages: shared.evalImages,
    sampleSteps: shared.sampleSteps,
    invalidSettings: [],
    run: IDLE_RUN,
    curve: [],
    gridStep: 0,
    comparison: IDLE_COMPARISON,

    async initialize() {
      if (client) return;
      client = new UnlearningWorkerClient(onRunEvent);
      try {
        const ready = await client.init({ preferred: get().preferredBackend, wasmThreads: shared.wasmThreads });
        set({ backend: ready.backend, backendAttempts: ready.attempts, models: ready.models });
        await get().selectModel(get().modelId);
      } catch (error) {
        set({ phase: 'failed', error: message(error) });
      }
    },

    async selectModel(modelId) {
      if (!client) return;
      const previous = get().model;
      set({ phase: 'loading' });
      try {
        const loaded = await client.load({ modelId });
        const classes = loaded.dataset.classNames.map((_, i) => i);
        const forget = get().forgetClasses.filter((c) => classes.includes(c));
        // A task the new model was not trained on falls back to the model's default.
        const { task } = get().settings;
        const settings = task && !modelTaskIds(loaded.model).includes(task) ? { ...get().settings, task: undefined } : get().settings;
        set({
          modelId,
          settings,
          model: loaded.model,
          dataset: loaded.dataset,
          forgetClasses: forget,
          retainClasses: classes.filter((c) => !forget.includes(c)),
          phase: 'ready',
          ...(previous?.id === modelId ? {} : { run: IDLE_RUN, curve: [], grid: undefined, metrics: undefined }),
        });
        syncUrl();
      } catch (error) {
        // The worker keeps what it had: so does the studio, unless nothing was loaded yet.
        set({ phase: previous ? 'ready' : 'failed', error: message(error) });
      }
    },

    toggleForgetClass(c) {
      const { forgetClasses, retainClasses } = get();
      const forgetting = !forgetClasses.includes(c);
      set({
        forgetClasses: forgetting ? [...forgetClasses, c].sort((a, b) => a - b) : forgetClasses.filter((x) => x !== c),
        // A class is never in both sets: forgetting it takes it out of the retain set, un-forgetting gives it back.
        retainClasses: forgetting ? retainClasses.filter((x) => x !== c) : [...retainClasses, c].sort((a, b) => a - b),
      });
      syncUrl();
    },

    toggleRetainClass(c) {
      const { forgetClasses, retainClasses } = get();
      if (forgetClasses.includes(c)) {
        set({ error: `class ${c} is in the forget set; take it out of the forget set before retaining it` });
        return;
      }
      set({ retainClasses: retainClasses.includes(c) ? retainClasses.filter((x) => x !== c) : [...retainClasses, c].sort((a, b) => a - b) });
    },

    updateSettings(patch) {
      set({ settings: { ...get().settings, ...patch } });
      syncUrl();
    },

    setSampleSteps(sampleSteps) {
      set({ sampleSteps });
      syncUrl();
    },

    markSettingInvalid(key, invalid) {
      const others = get().invalidSettings.filter((k) => k !== key);
      set({ invalidSettings: invalid ? [...others, key] : others });
    },

    start: (resume) =>
      guarded(async () => {
        const { forgetClasses, retainClasses, settings, modelId, evalImages } = get();
        const worker = checkRunnable();
        // Checked here too so that the shown run is not cleared for a start the worker would refuse.
        if (isComparing(get().comparison.phase)) throw new Error(COMPARING_MESSAGE);
        const own = get().dataSource === 'own' ? ownSetsForWorker() : undefined;
        set({ run: { ...IDLE_RUN, phase: 'preparing' }, curve: resume?.curve ?? [], grid: undefined, metrics: undefined, error: undefined });
        const started = await worker.start({
          run: {
            modelId,
            forgetClasses,
            retainClasses,
            settings,
            evalImages,
            previewImages: PREVIEW_IMAGES,
            sampleSteps: get().sampleSteps,
            previewIntervalMs: PREVIEW_INTERVAL_MS,
            own,
            resume: resume && { step: resume.step, files: resume.files },
          },
        }).catch((error) => {
          set({ run: IDLE_RUN });
          throw error;
        });
        set({ run: { ...IDLE_RUN, id: started.runId, phase: 'running', totalSteps: started.totalSteps, counts: started.counts } });
      }),

    pause: () => guarded(async () => void (await client?.pause())),
    resume: () => guarded(async () => void (await client?.resume())),
    stop: () => guarded(async () => void (await client?.stop())),

    runSelfCheck: () =>
      guarded(async () => {
        if (!client) return;
        set({ selfCheck: { backend: get().backend!, maxRelativeDiff: NaN, tolerance: NaN, passed: false, running: true } });
        try {
          const result = await client.selfCheck();
          set({ selfCheck: { backend: result.backend, maxRelativeDiff: result.maxRelativeDiff, tolerance: result.tolerance, passed: result.passed, running: false } });
        } catch (error) {
          set({ selfCheck: undefined });
          throw error;
        }
      }),

    async benchmark(task, batchSize, budget) {
      if (!client || get().phase !== 'ready') throw new Error('the studio is still loading');
      const { modelId, forgetClasses } = get();
      const answer = await client.benchmark({ task, modelId, forgetClasses, batchSize, budget });
      return { ...answer.result, backend: answer.backend, wasmThreads: answer.wasmThreads };
    },

    compare: (options) =>
      guarded(async () => {
        const worker = checkRunnable();
        if (isComparing(get().comparison.phase)) throw new Error(COMPARING_MESSAGE);
        const { modelId, forgetClasses, settings, evalImages } = get();
        const dataset = get().dataset?.id ?? '';
        set({ comparison: { ...IDLE_COMPARISON, phase: 'running' }, error: undefined });
        const onProgress = ({ progress, position, models }: CompareProgressEvent) =>
          set({ comparison: { ...get().comparison, progress: { progress, position, models } } });
        try {
          const answer = await worker.compare({ modelId, forgetClasses, settings, evalImages, retrain: options?.retrain, retrainSteps: options?.retrainSteps }, onProgress);
          set({
            comparison:
              answer.type === 'compareCancelled'
                ? { ...IDLE_COMPARISON, phase: 'cancelled' }
                : {
                    ...IDLE_COMPARISON,
                    phase: 'finished',
                    result: { modelId, dataset, forgetClasses, settings, evalImages, rows: answer.rows, audit: answer.audit, costs: answer.costs, projection: answer.projection },
                    selected: answer.audit.find((a) => a.method !== 'original' && a.method !== 'retrained')?.method ?? 'original',
                  },
          });
        } catch (error) {
          set({ comparison: IDLE_COMPARISON });
          throw error;
        }
      }),

    cancelCompare: () =>
      guarded(async () => {
        if (!client || get().comparison.phase !== 'running') return;
        set({ comparison: { ...get().comparison, phase: 'cancelling' } });
        await client.cancelCompare();
      }),

    selectComparedModel(method) {
      set({ comparison: { ...get().comparison, selected: method } });
    },

    dismissError() {
      set({ error: undefined });
    },

    setDataSource(dataSource) {
      set({ dataSource });
    },
  };
});

import type { Restarted } from '../../client/worker-client';
import type { BackendAttempt, BackendName, BenchmarkBudget, BenchmarkResult, BuiltInModel } from '../../shared/protocol';
import { errorMessage } from '../errors';
import { DEFAULT_FORGET_CLASSES, DEFAULT_MODEL_ID, type SliceCreator } from '../studio-store';

export type Phase = 'starting' | 'loading' | 'ready' | 'failed';

/** The worker: its backend, the models it offers, and the checks run on it. */
export interface BackendSlice {
  phase: Phase;
  backend?: BackendName;
  backendAttempts: BackendAttempt[];
  preferredBackend?: BackendName;
  /** The built-in models the worker offers, and the user's own. */
  models: BuiltInModel[];
  selfCheck?: { backend: BackendName; maxRelativeDiff: number; tolerance: number; passed: boolean; running: boolean };
  /**
   * Starts the worker's backend and loads the selected model. What the URL held that could not be
   * used (a model or classes that do not exist included) is reported once, with the defaults used.
   */
  initialize(): Promise<void>;
  runSelfCheck(): Promise<void>;
  /** Times unlearning steps on the active backend (used by `npm run bench` through the page). */
  benchmark(task: BenchmarkResult['task'], batchSize: number, budget: BenchmarkBudget): Promise<BenchmarkResult & { backend: BackendName; wasmThreads: number }>;
  addModel(model: BuiltInModel): void;
  removeModel(id: string): void;
  /** A replacement worker has its backend and the model back. */
  onWorkerRestart(restarted: Restarted): void;
}

export const createBackendSlice: SliceCreator<BackendSlice> = (set, get, { client, shared }) => ({
  phase: 'starting',
  backendAttempts: [],
  preferredBackend: shared.backend,
  models: [],

  async initialize() {
    if (get().phase !== 'starting') return;
    set({ phase: 'loading' });
    try {
      const ready = await client.request('init', { preferred: get().preferredBackend, wasmThreads: shared.wasmThreads });
      set({ backend: ready.backend, backendAttempts: ready.attempts, models: ready.models });
    } catch (error) {
      set({ phase: 'failed', error: errorMessage(error) });
      return;
    }
    const ignored = [...(shared.ignored ?? [])];
    if (!get().models.some((m) => m.id === get().modelId)) {
      ignored.push(`model=${get().modelId}: no such model; used ${DEFAULT_MODEL_ID}`);
      set({ modelId: DEFAULT_MODEL_ID });
    }
    await get().selectModel(get().modelId);
    const { dataset } = get();
    const missing = dataset ? shared.forgetClasses.filter((c) => c >= dataset.classNames.length) : [];
    if (dataset && missing.length) {
      if (get().forgetClasses.length === 0) DEFAULT_FORGET_CLASSES.filter((c) => c < dataset.classNames.length).forEach((c) => get().toggleForgetClass(c));
      ignored.push(`forget=${shared.forgetClasses.join(',')}: ${dataset.title} has no class ${missing.join(', ')} (0 to ${dataset.classNames.length - 1}); used ${get().forgetClasses.join(',')}`);
    }
    if (ignored.length) set({ error: [get().error, `Some of the link's settings could not be used, so defaults stand in: ${ignored.join('; ')}.`].filter(Boolean).join(' ') });
  },

  async runSelfCheck() {
    set({ selfCheck: { backend: get().backend!, maxRelativeDiff: NaN, tolerance: NaN, passed: false, running: true } });
    try {
      const result = await client.request('selfCheck', {});
      set({ selfCheck: { backend: result.backend, maxRelativeDiff: result.maxRelativeDiff, tolerance: result.tolerance, passed: result.passed, running: false } });
    } catch (error) {
      set({ selfCheck: undefined, error: errorMessage(error) });
    }
  },

  async benchmark(task, batchSize, budget) {
    if (get().phase !== 'ready') throw new Error('the studio is still loading');
    const { modelId, forgetClasses } = get();
    const answer = await client.request('benchmark', { task, modelId, forgetClasses, batchSize, budget });
    return { ...answer.result, backend: answer.backend, wasmThreads: answer.wasmThreads };
  },

  addModel(model) {
    if (!get().models.some((m) => m.id === model.id)) set({ models: [...get().models, model] });
  },

  removeModel(id) {
    set({ models: get().models.filter((m) => m.id !== id) });
  },

  onWorkerRestart({ ready, loaded }) {
    // The user's own models the old worker knew stay listed: they are in IndexedDB.
    const models = [...ready.models, ...get().models.filter((m) => !ready.models.some((r) => r.id === m.id))];
    set({ backend: ready.backend, backendAttempts: ready.attempts, models, phase: loaded ? 'ready' : 'failed' });
    if (loaded) set({ model: loaded.model, dataset: loaded.dataset });
  },
});

import { METHODS } from '../shared/methods';
import type { BackendName } from '../shared/protocol';
import { DEFAULT_UNLEARN, type UnlearnSettings } from '../shared/settings';
import { TASK_IDS, type TaskId } from '../shared/tasks';

/** Every setting that changes a result lives in the URL, so a run can be shared and repeated. */
export interface SharedSettings {
  modelId: string;
  forgetClasses: number[];
  settings: UnlearnSettings;
  /** Held-out images per set for the metrics. */
  evalImages: number;
  /** DDIM steps for diffusion models (`sample=`); the model's default when absent. */
  sampleSteps?: number;
  backend?: BackendName;
  /** `threads=1`: let the wasm backend try its threaded build (off by default: it did not win here). */
  wasmThreads?: boolean;
  /** `watchdog=<seconds>`: how long the training worker may stay silent before it is replaced. */
  watchdogSeconds?: number;
}

const NUMBER_KEYS = { alpha: 'alpha', lr: 'learningRate', steps: 'steps', batch: 'batchSize', warmup: 'warmupFraction', seed: 'seed' } as const;
const BACKENDS: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const NOISES: UnlearnSettings['noise'][] = ['normal', 'uniform', 'constant'];

export function readSharedSettings(search: string, defaults: Omit<SharedSettings, 'settings'>): SharedSettings {
  const params = new URLSearchParams(search);
  const settings: UnlearnSettings = { ...DEFAULT_UNLEARN };
  for (const [param, key] of Object.entries(NUMBER_KEYS)) {
    const value = Number(params.get(param));
    if (params.has(param) && Number.isFinite(value)) settings[key] = value;
  }
  const noise = params.get('noise') as UnlearnSettings['noise'] | null;
  if (noise && NOISES.includes(noise)) settings.noise = noise;
  const method = METHODS.find((m) => m.id === params.get('method'));
  if (method) settings.method = method.id;
  const task = params.get('task') as TaskId | null;
  if (task && TASK_IDS.includes(task)) settings.task = task;
  const forget = params.get('forget');
  const evalImages = Number(params.get('eval'));
  const backend = params.get('backend') as BackendName | null;
  const sampleSteps = Number(params.get('sample'));
  const watchdog = Number(params.get('watchdog'));
  return {
    modelId: params.get('model') ?? defaults.modelId,
    forgetClasses: forget ? forget.split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 0) : defaults.forgetClasses,
    settings,
    evalImages: Number.isInteger(evalImages) && evalImages > 0 ? evalImages : defaults.evalImages,
    sampleSteps: Number.isInteger(sampleSteps) && sampleSteps > 0 ? sampleSteps : undefined,
    backend: backend && BACKENDS.includes(backend) ? backend : defaults.backend,
    wasmThreads: params.get('threads') === '1',
    watchdogSeconds: watchdog > 0 ? watchdog : undefined,
  };
}

export function writeSharedSettings(shared: SharedSettings): string {
  const params = new URLSearchParams();
  params.set('model', shared.modelId);
  params.set('forget', shared.forgetClasses.join(','));
  for (const [param, key] of Object.entries(NUMBER_KEYS)) params.set(param, String(shared.settings[key]));
  params.set('method', shared.settings.method);
  params.set('noise', shared.settings.noise);
  if (shared.settings.task) params.set('task', shared.settings.task);
  params.set('eval', String(shared.evalImages));
  if (shared.sampleSteps) params.set('sample', String(shared.sampleSteps));
  if (shared.backend) params.set('backend', shared.backend);
  if (shared.wasmThreads) params.set('threads', '1');
  if (shared.watchdogSeconds) params.set('watchdog', String(shared.watchdogSeconds));
  return `?${params}`;
}

import { DEFAULT_CALIBRATION_EVERY, type CalibrationRequest } from '../shared/calibration';
import { METHODS } from '../shared/methods';
import type { BackendName } from '../shared/protocol';
import { DEFAULT_UNLEARN, DIFFUSION_SAMPLERS, SETTING_RULES, UNLEARN_MASKS, type DiffusionSampler, type UnlearnSettings } from '../shared/settings';
import { TASK_IDS } from '../shared/tasks';

/** Every setting that changes a result lives in the URL, so a run can be shared and repeated. */
export interface SharedSettings {
  modelId: string;
  forgetClasses: number[];
  settings: UnlearnSettings;
  /** Held-out images per set for the metrics. */
  evalImages: number;
  /** A diffusion model's sampling steps (`sample=`); the model's default when absent. */
  sampleSteps?: number;
  /** A diffusion model's sampler (`sampler=ddim|ancestral`); the model's default when absent. */
  sampler?: DiffusionSampler;
  backend?: BackendName;
  /** `threads=1`: wasm's threaded build on every core (off by default: faster for convolutions, slower for the small transformers; README, wasm threads). */
  wasmThreads?: boolean;
  /** `watchdog=<seconds>`: how long the training worker may stay silent before it is replaced. */
  watchdogSeconds?: number;
  /** What the URL held that could not be used, each naming what was used instead (to be reported once). */
  ignored?: string[];
  /** The settings the URL gave: they win over the first model's recipe. */
  given?: (keyof UnlearnSettings)[];
  /** Stop at target (`target=retrained|unseen-class|<dB>`, `every=<steps>`); off when absent. */
  calibration?: CalibrationRequest;
}

const NUMBER_KEYS = { alpha: 'alpha', lr: 'learningRate', steps: 'steps', batch: 'batchSize', warmup: 'warmupFraction', beta2: 'beta2', wd: 'weightDecay', clip: 'clipNorm', seed: 'seed' } as const;
const SCHEDULES: UnlearnSettings['schedule'][] = ['warmup-cosine', 'constant'];
const BACKENDS: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const NOISES: UnlearnSettings['noise'][] = ['normal', 'uniform', 'constant'];

/**
 * The settings of a URL. A value that cannot be used (unknown, not a number, outside its rule) is
 * replaced by the default and listed in `ignored`, so that one bad parameter never blocks the studio.
 * The model and the classes are judged once the worker has said which exist (see initialize).
 */
export function readSharedSettings(search: string, defaults: Omit<SharedSettings, 'settings'>): SharedSettings {
  const params = new URLSearchParams(search);
  const ignored: string[] = [];
  const ignore = (param: string, why: string, used: string) => ignored.push(`${param}=${params.get(param)}: ${why}; used ${used}`);
  const settings: UnlearnSettings = { ...DEFAULT_UNLEARN };
  const given: (keyof UnlearnSettings)[] = [];
  for (const [param, key] of Object.entries(NUMBER_KEYS)) {
    if (!params.has(param)) continue;
    const value = Number(params.get(param));
    if (params.get(param)!.trim() === '' || !Number.isFinite(value)) ignore(param, 'not a number', String(settings[key]));
    else if (!SETTING_RULES[key].accepts(value)) ignore(param, SETTING_RULES[key].rule, String(settings[key]));
    else {
      settings[key] = value;
      given.push(key);
    }
  }
  const pick = <T extends string>(param: string, known: readonly T[], what: string, used: string): T | undefined => {
    const value = params.get(param);
    if (value === null) return undefined;
    if (known.includes(value as T)) return value as T;
    ignore(param, `not ${what} (${known.join(', ')})`, used);
    return undefined;
  };
  settings.noise = pick('noise', NOISES, 'a noise type', settings.noise) ?? settings.noise;
  const schedule = pick('schedule', SCHEDULES, 'a schedule', "the model's recipe");
  if (schedule) {
    settings.schedule = schedule;
    given.push('schedule');
  }
  settings.method = pick('method', METHODS.map((m) => m.id), 'a method', settings.method) ?? settings.method;
  const masks = pick('masks', UNLEARN_MASKS, 'unlearning masks', "the model's recipe");
  if (masks) {
    settings.unlearnMasks = masks;
    given.push('unlearnMasks');
  }
  settings.task = pick('task', TASK_IDS, 'a task', "the model's default");
  const wholeAbove0 = (param: string, used: string): number | undefined => {
    if (!params.has(param)) return undefined;
    const value = Number(params.get(param));
    if (Number.isInteger(value) && value > 0) return value;
    ignore(param, 'not a whole number ≥ 1', used);
    return undefined;
  };
  const target = params.get('target');
  const every = wholeAbove0('every', String(DEFAULT_CALIBRATION_EVERY)) ?? DEFAULT_CALIBRATION_EVERY;
  let calibration: CalibrationRequest | undefined;
  if (target === 'retrained' || target === 'unseen-class') calibration = { goal: { kind: target }, every };
  else if (target !== null && Number(target) > 0) calibration = { goal: { kind: 'psnr', forgetPsnr: Number(target) }, every };
  else if (target !== null) ignore('target', 'not retrained, unseen-class or a PSNR in dB', 'no stop at target');
  const forget = params.get('forget') ? params.get('forget')!.split(',').map(Number) : undefined;
  const forgetOk = forget?.every((n) => Number.isInteger(n) && n >= 0);
  if (forget && !forgetOk) ignore('forget', 'not a list of class numbers', defaults.forgetClasses.join(','));
  const watchdog = Number(params.get('watchdog'));
  if (params.has('watchdog') && !(watchdog > 0)) ignore('watchdog', 'not a number of seconds > 0', 'the default');
  return {
    modelId: params.get('model') ?? defaults.modelId,
    forgetClasses: forget && forgetOk ? forget : defaults.forgetClasses,
    settings,
    evalImages: wholeAbove0('eval', String(defaults.evalImages)) ?? defaults.evalImages,
    sampleSteps: wholeAbove0('sample', "the model's default"),
    sampler: pick('sampler', DIFFUSION_SAMPLERS, 'a sampler', "the model's default"),
    backend: pick('backend', BACKENDS, 'a backend', 'the fastest that works') ?? defaults.backend,
    wasmThreads: params.get('threads') === '1',
    watchdogSeconds: watchdog > 0 ? watchdog : undefined,
    ignored,
    given,
    calibration,
  };
}

export function writeSharedSettings(shared: SharedSettings): string {
  const params = new URLSearchParams();
  params.set('model', shared.modelId);
  params.set('forget', shared.forgetClasses.join(','));
  for (const [param, key] of Object.entries(NUMBER_KEYS)) params.set(param, String(shared.settings[key]));
  params.set('method', shared.settings.method);
  params.set('noise', shared.settings.noise);
  params.set('schedule', shared.settings.schedule);
  params.set('masks', shared.settings.unlearnMasks);
  if (shared.settings.task) params.set('task', shared.settings.task);
  params.set('eval', String(shared.evalImages));
  if (shared.sampleSteps) params.set('sample', String(shared.sampleSteps));
  if (shared.sampler) params.set('sampler', shared.sampler);
  if (shared.backend) params.set('backend', shared.backend);
  if (shared.wasmThreads) params.set('threads', '1');
  if (shared.watchdogSeconds) params.set('watchdog', String(shared.watchdogSeconds));
  if (shared.calibration) {
    const { goal, every } = shared.calibration;
    params.set('target', goal.kind === 'psnr' ? String(goal.forgetPsnr) : goal.kind);
    params.set('every', String(every));
  }
  return `?${params}`;
}

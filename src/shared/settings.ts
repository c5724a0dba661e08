/** Run settings and reports: plain data, no tfjs, so the UI can share them through the worker protocol. */

import { TASK_IDS, type TaskId } from './tasks';
import { METHOD_IDS, type MethodId } from './methods';

export { METHODS, METHOD_IDS, type MethodId, type MethodInfo } from './methods';

export type NoiseType = 'normal' | 'uniform' | 'constant';
/** The learning rate over the run: a linear warm-up then a half-cosine to zero (MAGE), or constant (Palette). */
export type Schedule = 'warmup-cosine' | 'constant';

export interface UnlearnSettings {
  /** Which unlearning method (the paper's or a baseline) runs; see METHODS. */
  method: MethodId;
  /** Weight of the forget term, α in L_R + α·L_F. */
  alpha: number;
  learningRate: number;
  steps: number;
  /** Images per step, half forget and half retain (the paper's sets are balanced, 100 + 100 classes). */
  batchSize: number;
  /** Fraction of the steps spent warming the learning rate up (warmup-cosine only). */
  warmupFraction: number;
  schedule: Schedule;
  /** Adam's second-moment decay (β1 is 0.9 throughout). */
  beta2: number;
  /** Decoupled weight decay (AdamW) on the weight matrices and kernels; 0 is plain Adam. */
  weightDecay: number;
  /** The global gradient norm is clipped to this; 0 clips nothing. */
  clipNorm: number;
  noise: NoiseType;
  seed: number;
  /** The task (mask) to unlearn on; undefined = the model's default task. */
  task?: TaskId;
  /**
   * The masks the unlearning steps draw: the task's (what the run is judged on), or Palette's
   * official `hybrid` masks (a random box and brush strokes per image). MAGE unlearns under its
   * own random token masks either way.
   */
  unlearnMasks: UnlearnMasks;
}

export const UNLEARN_MASKS = ['task', 'hybrid'] as const;
export type UnlearnMasks = (typeof UNLEARN_MASKS)[number];

/**
 * The settings a model without a recipe of its own starts from: the project's recipe for the conv
 * AE and the MAE, which have no official unlearning code (on the shipped MNIST conv AE it forgets
 * ~4.7 dB and keeps retain within 0.5 dB), with the official MAGE optimiser (AdamW, β2 0.95,
 * weight decay 0.05, clipping at 3, warm-up then half-cosine). A model card's recipe overrides it.
 */
export const DEFAULT_UNLEARN: UnlearnSettings = {
  method: 'paper',
  alpha: 0.25,
  learningRate: 1e-3,
  steps: 500,
  batchSize: 32,
  warmupFraction: 0.05,
  schedule: 'warmup-cosine',
  beta2: 0.95,
  weightDecay: 0.05,
  clipNorm: 3,
  noise: 'normal',
  seed: 0,
  unlearnMasks: 'task',
};

/** The settings a model card's recipe may set: its family's unlearning recipe. */
export const RECIPE_KEYS = ['alpha', 'learningRate', 'steps', 'batchSize', 'warmupFraction', 'schedule', 'beta2', 'weightDecay', 'clipNorm', 'unlearnMasks'] as const;
export type RecipeKey = (typeof RECIPE_KEYS)[number];

/** The settings a recipe may set apart for calibrated runs (stop at target). */
export const CALIBRATED_KEYS = ['alpha', 'learningRate'] as const;

/**
 * A model's unlearning recipe, and where it comes from (the official code, or why the project
 * departs from it). `calibrated`: gentler values for a run that stops at a target, which needs to
 * reach the target without the retain damage of the recipe's strong start, not to overshoot it.
 */
export type Recipe = Partial<Pick<UnlearnSettings, RecipeKey>> & {
  source: string;
  calibrated?: Partial<Pick<UnlearnSettings, (typeof CALIBRATED_KEYS)[number]>> & { source: string };
};

/** `settings` with the recipe's values (the defaults' where the recipe is silent) for every recipe key; `calibrated` applies its calibrated values on top. */
export function withRecipe(settings: UnlearnSettings, recipe: Recipe | undefined, calibrated = false): UnlearnSettings {
  const next = { ...settings };
  for (const key of RECIPE_KEYS) (next as Record<RecipeKey, unknown>)[key] = recipe?.[key] ?? DEFAULT_UNLEARN[key];
  return calibrated ? withCalibratedRecipe(next, recipe, true) : next;
}

/** The recipe's calibrated α and learning rate when `calibrated`, its plain ones when not; every other setting stays. */
export function withCalibratedRecipe(settings: UnlearnSettings, recipe: Recipe | undefined, calibrated: boolean): UnlearnSettings {
  const next = { ...settings };
  for (const key of CALIBRATED_KEYS) {
    const gentle = recipe?.calibrated?.[key];
    if (gentle !== undefined) next[key] = calibrated ? gentle : (recipe?.[key] ?? DEFAULT_UNLEARN[key]);
  }
  return next;
}

export interface RunOptions {
  /** Held-out images per set used for metrics. */
  evalImages: number;
  /** Held-out images per set shown in the grid. */
  previewImages: number;
  /** Network evaluations when a diffusion model reconstructs (grid and metrics); the card's when undefined. */
  sampleSteps?: number;
  /** A diffusion model's sampler (grid and metrics); the card's when undefined. */
  sampler?: DiffusionSampler;
}

export const DIFFUSION_SAMPLERS = ['ddim', 'ancestral'] as const;
export type DiffusionSampler = (typeof DIFFUSION_SAMPLERS)[number];

export interface Sampling {
  sampler: DiffusionSampler;
  sampleSteps: number;
}

/**
 * A model card's own sampler and its steps (`architecture.sampler`, `sampleSteps`); undefined for a
 * model that does not sample. Cards from before the sampler was a card setting sampled with DDIM.
 */
export function cardSampling(architecture: Readonly<Record<string, unknown>>): Sampling | undefined {
  if (architecture.sampleSteps === undefined) return undefined;
  const sampler = architecture.sampler ?? 'ddim';
  if (!(DIFFUSION_SAMPLERS as readonly unknown[]).includes(sampler)) throw new Error(`unknown sampler "${String(sampler)}"; samplers: ${DIFFUSION_SAMPLERS.join(', ')}`);
  return { sampler: sampler as DiffusionSampler, sampleSteps: Number(architecture.sampleSteps) };
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { evalImages: 500, previewImages: 6 };

export interface StepReport {
  step: number;
  /** L_R */
  retainLoss: number;
  /** α·L_F, as charted */
  weightedForgetLoss: number;
  total: number;
  learningRate: number;
  gradNorm: number;
  ms: number;
}

type NumericSetting = Exclude<keyof UnlearnSettings, 'noise' | 'method' | 'task' | 'schedule' | 'unlearnMasks'>;

/**
 * What each numeric setting accepts, with the message shown when it does not (the UI uses the same
 * rules). The upper bounds keep a run sane: AdamW moves each weight by about the learning rate per
 * step, so above 0.1 it overwrites weights of that size in a step and the run diverges; α beyond
 * 100 leaves the retain term nothing to say; more steps or images than these would take days or
 * more memory than a browser tab gets.
 */
export const SETTING_RULES: Record<NumericSetting, { accepts(n: number): boolean; rule: string }> = {
  alpha: { accepts: (n) => n >= 0 && n <= 100, rule: 'α must be in [0, 100]' },
  learningRate: { accepts: (n) => n > 0 && n <= 0.1, rule: 'learning rate must be in (0, 0.1]' },
  steps: { accepts: (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, rule: 'steps must be a whole number in [1, 100000]' },
  batchSize: { accepts: (n) => Number.isInteger(n) && n >= 2 && n <= 1024, rule: 'batch must be a whole number in [2, 1024]' },
  warmupFraction: { accepts: (n) => n >= 0 && n < 1, rule: 'warm-up fraction must be in [0, 1)' },
  beta2: { accepts: (n) => n >= 0 && n < 1, rule: 'β2 must be in [0, 1)' },
  weightDecay: { accepts: (n) => n >= 0 && n <= 1, rule: 'weight decay must be in [0, 1]' },
  clipNorm: { accepts: (n) => n >= 0, rule: 'gradient clipping must be ≥ 0 (0: none)' },
  seed: { accepts: (n) => Number.isInteger(n) && n >= 0, rule: 'seed must be a whole number ≥ 0' },
};

export function validateSettings(s: UnlearnSettings): void {
  const problems = (Object.keys(SETTING_RULES) as NumericSetting[])
    .filter((key) => !(Number.isFinite(s[key]) && SETTING_RULES[key].accepts(s[key])))
    .map((key) => SETTING_RULES[key].rule);
  if (!['normal', 'uniform', 'constant'].includes(s.noise)) problems.push(`unknown noise type "${s.noise}"`);
  if (!['warmup-cosine', 'constant'].includes(s.schedule)) problems.push(`unknown schedule "${s.schedule}"; schedules: warmup-cosine, constant`);
  if (!UNLEARN_MASKS.includes(s.unlearnMasks)) problems.push(`unknown unlearning masks "${s.unlearnMasks}"; masks: ${UNLEARN_MASKS.join(', ')}`);
  if (s.task !== undefined && !TASK_IDS.includes(s.task)) problems.push(`unknown task "${s.task}"; tasks: ${TASK_IDS.join(', ')}`);
  if (!METHOD_IDS.includes(s.method)) problems.push(`unknown method "${s.method}"; methods: ${METHOD_IDS.join(', ')}`);
  if (problems.length) throw new Error(problems.join('; '));
}

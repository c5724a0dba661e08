/** Run settings and reports: plain data, no tfjs, so the UI can share them through the worker protocol. */

import { TASK_IDS, type TaskId } from './tasks';
import { METHOD_IDS, type MethodId } from './methods';

export { METHODS, METHOD_IDS, type MethodId, type MethodInfo } from './methods';

export type NoiseType = 'normal' | 'uniform' | 'constant';

export interface UnlearnSettings {
  /** Which unlearning method (the paper's or a baseline) runs; see METHODS. */
  method: MethodId;
  /** Weight of the forget term, α in L_R + α·L_F. */
  alpha: number;
  learningRate: number;
  steps: number;
  /** Images per step, half forget and half retain (the paper's sets are balanced, 100 + 100 classes). */
  batchSize: number;
  /** Fraction of the steps spent warming the learning rate up. */
  warmupFraction: number;
  noise: NoiseType;
  seed: number;
  /** The task (mask) to unlearn on; undefined = the model's default task. */
  task?: TaskId;
}

export const DEFAULT_UNLEARN: UnlearnSettings = {
  method: 'paper',
  // The official MAGE default; on the shipped MNIST model it forgets ~4.7 dB and keeps retain within 0.5 dB.
  alpha: 0.25,
  learningRate: 1e-3,
  steps: 500,
  batchSize: 32,
  warmupFraction: 0.05,
  noise: 'normal',
  seed: 0,
};

export interface RunOptions {
  /** Held-out images per set used for metrics. */
  evalImages: number;
  /** Held-out images per set shown in the grid. */
  previewImages: number;
  /** Network evaluations when a diffusion model reconstructs (grid and metrics); see ReconstructOptions. */
  sampleSteps?: number;
  /** A diffusion model's sampler (default DDIM, fast enough for the live grid; the official evaluation is ancestral over every step). */
  sampler?: DiffusionSampler;
}

export const DIFFUSION_SAMPLERS = ['ddim', 'ancestral'] as const;
export type DiffusionSampler = (typeof DIFFUSION_SAMPLERS)[number];

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

type NumericSetting = Exclude<keyof UnlearnSettings, 'noise' | 'method' | 'task'>;

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
  seed: { accepts: (n) => Number.isInteger(n) && n >= 0, rule: 'seed must be a whole number ≥ 0' },
};

export function validateSettings(s: UnlearnSettings): void {
  const problems = (Object.keys(SETTING_RULES) as NumericSetting[])
    .filter((key) => !(Number.isFinite(s[key]) && SETTING_RULES[key].accepts(s[key])))
    .map((key) => SETTING_RULES[key].rule);
  if (!['normal', 'uniform', 'constant'].includes(s.noise)) problems.push(`unknown noise type "${s.noise}"`);
  if (s.task !== undefined && !TASK_IDS.includes(s.task)) problems.push(`unknown task "${s.task}"; tasks: ${TASK_IDS.join(', ')}`);
  if (!METHOD_IDS.includes(s.method)) problems.push(`unknown method "${s.method}"; methods: ${METHOD_IDS.join(', ')}`);
  if (problems.length) throw new Error(problems.join('; '));
}

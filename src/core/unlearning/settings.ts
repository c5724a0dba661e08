/** Run settings and reports: plain data, no tfjs, so the UI can share them through the worker protocol. */

export type NoiseType = 'normal' | 'uniform' | 'constant';

export interface UnlearnSettings {
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
}

export const DEFAULT_UNLEARN: UnlearnSettings = {
  alpha: 1,
  learningRate: 1e-3,
  steps: 500,
  batchSize: 32,
  warmupFraction: 0.05,
  noise: 'normal',
  seed: 0,
};

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

export function validateSettings(s: UnlearnSettings): void {
  const problems: string[] = [];
  if (!(s.alpha >= 0)) problems.push('α must be ≥ 0');
  if (!(s.learningRate > 0)) problems.push('learning rate must be > 0');
  if (!Number.isInteger(s.steps) || s.steps < 1) problems.push('steps must be a whole number ≥ 1');
  if (!Number.isInteger(s.batchSize) || s.batchSize < 2) problems.push('batch must be a whole number ≥ 2');
  if (!(s.warmupFraction >= 0 && s.warmupFraction < 1)) problems.push('warm-up fraction must be in [0, 1)');
  if (problems.length) throw new Error(problems.join('; '));
}

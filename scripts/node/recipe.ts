import type { ModelCard } from '../../src/core/models/types';
import { DEFAULT_UNLEARN, withRecipe, type NoiseType, type Schedule, type UnlearnMasks, type UnlearnSettings } from '../../src/shared/settings';
import type { TaskId } from '../../src/shared/tasks';

/** The run-setting flags of the CLIs; NaN or '' means "not given": the model's recipe decides. */
export const SETTING_FLAGS = {
  task: '',
  steps: NaN,
  alpha: NaN,
  lr: NaN,
  batch: NaN,
  warmup: NaN,
  schedule: '',
  beta2: NaN,
  weightDecay: NaN,
  clip: NaN,
  noise: DEFAULT_UNLEARN.noise as string,
  unlearnMasks: '',
  seed: DEFAULT_UNLEARN.seed,
};

/** The card's recipe (the defaults where it is silent; its calibrated values for a run that stops at a target), then every flag that was given. */
export function settingsFor(card: ModelCard, flags: typeof SETTING_FLAGS, method = DEFAULT_UNLEARN.method, calibrated = false): UnlearnSettings {
  const given = <T>(value: T) => (typeof value === 'number' ? Number.isNaN(value) : value === '') ? undefined : value;
  const recipe = withRecipe({ ...DEFAULT_UNLEARN }, card.recipe, calibrated);
  return {
    ...recipe,
    method,
    task: (flags.task || undefined) as TaskId | undefined,
    steps: given(flags.steps) ?? recipe.steps,
    alpha: given(flags.alpha) ?? recipe.alpha,
    learningRate: given(flags.lr) ?? recipe.learningRate,
    batchSize: given(flags.batch) ?? recipe.batchSize,
    warmupFraction: given(flags.warmup) ?? recipe.warmupFraction,
    schedule: (given(flags.schedule) as Schedule | undefined) ?? recipe.schedule,
    beta2: given(flags.beta2) ?? recipe.beta2,
    weightDecay: given(flags.weightDecay) ?? recipe.weightDecay,
    clipNorm: given(flags.clip) ?? recipe.clipNorm,
    noise: flags.noise as NoiseType,
    unlearnMasks: (given(flags.unlearnMasks) as UnlearnMasks | undefined) ?? recipe.unlearnMasks,
    seed: flags.seed,
  };
}

import { filterByLabel, type ImageSet } from '../data/image-set';
import { familyOf } from '../models/families';
import type { I2IModel } from '../models/types';
import { DEFAULT_PRETRAIN, Pretrainer } from './pretrain';

/** The training images a retrained reference may see: every image of a class that is not forgotten. */
export function retrainingSet(train: ImageSet, forgetClasses: number[]): ImageSet {
  return filterByLabel(train, (label) => !forgetClasses.includes(label));
}

/**
 * Exact unlearning, the reference every method is judged against and the cost it must beat: a
 * fresh model of the original's family and architecture, trained from scratch with the
 * original's recipe (steps and batch from its card) on the retain classes only. `onStep` is
 * awaited after every step (it may yield, or throw to cancel); the time spent in it is not
 * counted in `seconds`.
 */
export async function retrainWithout(
  original: I2IModel,
  train: ImageSet,
  forgetClasses: number[],
  onStep: (step: number, steps: number) => void | Promise<void> = () => {},
  steps = original.card.training?.steps ?? DEFAULT_PRETRAIN.steps,
): Promise<{ model: I2IModel; seconds: number }> {
  const card = {
    ...original.card,
    id: `${original.card.id}-without-${forgetClasses.join('-')}`,
    title: `${original.card.title}, retrained without ${forgetClasses.join(', ')}`,
    excludedClasses: forgetClasses,
    training: undefined,
    evaluation: undefined,
  };
  const model = familyOf(card.family).create(card);
  const batchSize = original.card.training?.batchSize ?? DEFAULT_PRETRAIN.batchSize;
  const trainer = new Pretrainer(model, retrainingSet(train, forgetClasses), { ...DEFAULT_PRETRAIN, steps, batchSize });
  const started = performance.now();
  let waited = 0;
  let finalLoss = NaN;
  try {
    while (trainer.completedSteps < steps) {
      finalLoss = await trainer.step();
      const paused = performance.now();
      await onStep(trainer.completedSteps, steps);
      waited += performance.now() - paused;
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    trainer.dispose();
  }
  const seconds = (performance.now() - started - waited) / 1000;
  model.card.training = { steps, batchSize, seed: DEFAULT_PRETRAIN.seed, finalLoss, seconds: Math.round(seconds), backend: 'unknown' };
  return { model, seconds };
}

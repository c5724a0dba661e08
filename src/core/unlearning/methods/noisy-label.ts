import * as tf from '@tensorflow/tfjs';
import { joinBatches, splitOutputs } from '../../models/batches';
import type { ObjectiveTerms } from '../objective';
import { combine, forgetNoise, taskBatches, type MethodFactory } from './method';
import { WholeModel } from './whole-model';

/** L_task(R) + α·L_task(F → noise), from per-image task losses. */
export function noisyLabelTerms(retainLosses: tf.Tensor1D, noiseLosses: tf.Tensor1D, alpha: number): ObjectiveTerms {
  return combine(tf.mean(retainLosses) as tf.Scalar, tf.mean(noiseLosses) as tf.Scalar, alpha);
}

/**
 * Noisy Label baseline: forget samples keep their real input under the task's mask and learn a
 * noise target where the task hides (the family's noise: model.noisyLabelLoss); retain samples
 * keep their task.
 */
export const createNoisyLabelMethod: MethodFactory = ({ model, task, teacher, originalDecoder, settings }) => {
  const whole = new WholeModel(model, teacher, originalDecoder);
  return {
    variables: whole.variables,
    objective(step) {
      const { forget, retain } = taskBatches(step, task);
      const both = joinBatches(forget, retain);
      const noise = forgetNoise(step, settings.noise);
      return () => {
        const [noiseLosses, retainLosses] = splitOutputs([whole.noisyLabelLoss(both, noise)], forget.images.shape[0]);
        return noisyLabelTerms(retainLosses[0] as tf.Tensor1D, noiseLosses[0] as tf.Tensor1D, settings.alpha);
      };
    },
  };
};

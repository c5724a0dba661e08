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
 * Noisy Label baseline: each forget sample is replaced by a noise image (the paper's n) that is
 * both input and target, under the forget sample's masks.
 */
export const createNoisyLabelMethod: MethodFactory = ({ model, task, teacher, originalDecoder, settings }) => {
  const whole = new WholeModel(model, teacher, originalDecoder);
  return {
    variables: whole.variables,
    objective(step) {
      const { forget, retain } = taskBatches(step, task);
      const both = joinBatches({ ...forget, images: forgetNoise(step, settings.noise) }, retain);
      return () => {
        const [noiseLosses, retainLosses] = splitOutputs([whole.taskLoss(both)], forget.images.shape[0]);
        return noisyLabelTerms(retainLosses[0] as tf.Tensor1D, noiseLosses[0] as tf.Tensor1D, settings.alpha);
      };
    },
  };
};

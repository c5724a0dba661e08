import * as tf from '@tensorflow/tfjs';
import { joinBatches, splitOutputs } from '../../models/batches';
import type { ObjectiveTerms } from '../objective';
import { combine, taskBatches, type MethodFactory } from './method';
import { WholeModel } from './whole-model';

/**
 * L_task(R) − α·L_task(F) from per-image task losses. For the pixel families outputs (sigmoid)
 * and images are in [0, 1], so L_task(F) ≤ 1 and the objective is bounded below by −α; families
 * with an unbounded L_task (cross-entropy, noise prediction) rely on the optimiser's gradient
 * clipping and weight decay to hold back.
 */
export function maxLossTerms(retainLosses: tf.Tensor1D, forgetLosses: tf.Tensor1D, alpha: number): ObjectiveTerms {
  return combine(tf.mean(retainLosses) as tf.Scalar, tf.neg(tf.mean(forgetLosses)) as tf.Scalar, alpha);
}

/** Max Loss baseline: the whole model keeps its task on retain and pushes its task loss up on forget. */
export const createMaxLossMethod: MethodFactory = ({ model, task, teacher, originalDecoder, settings }) => {
  const whole = new WholeModel(model, teacher, originalDecoder);
  return {
    variables: whole.variables,
    objective(step) {
      const { forget, retain } = taskBatches(step, task);
      const both = joinBatches(forget, retain);
      return () => {
        const [forgetLosses, retainLosses] = splitOutputs([whole.taskLoss(both)], forget.images.shape[0]);
        return maxLossTerms(retainLosses[0] as tf.Tensor1D, forgetLosses[0] as tf.Tensor1D, settings.alpha);
      };
    },
  };
};

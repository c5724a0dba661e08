import * as tf from '@tensorflow/tfjs';
import { applyTask } from '../../tasks/inpainting';
import type { ObjectiveTerms } from '../objective';
import { combine, pixelMse, type MethodFactory } from './method';
import { WholeModel } from './whole-model';

/**
 * L_task(R) − α·L_task(F). Outputs (sigmoid) and images are both in [0, 1], so L_task(F) ≤ 1 and
 * the objective is bounded below by −α: it cannot run off to −∞. Saturating the sigmoid to get
 * there inflates the logits; the optimiser's gradient clipping and weight decay hold them back.
 */
export function maxLossTerms(
  retainOutput: tf.Tensor4D,
  retainImages: tf.Tensor4D,
  forgetOutput: tf.Tensor4D,
  forgetImages: tf.Tensor4D,
  alpha: number,
): ObjectiveTerms {
  return combine(pixelMse(retainOutput, retainImages), tf.neg(pixelMse(forgetOutput, forgetImages)), alpha);
}

/** Max Loss baseline: the whole model keeps its task on retain and pushes its task loss up on forget. */
export const createMaxLossMethod: MethodFactory = ({ model, teacher, originalDecoder, settings }) => {
  const whole = new WholeModel(model, teacher, originalDecoder);
  return {
    variables: whole.variables,
    objective({ forget, retain }) {
      const inputForget = applyTask(model.card.task, forget);
      const inputRetain = applyTask(model.card.task, retain);
      return () => maxLossTerms(whole.output(inputRetain), retain, whole.output(inputForget), forget, settings.alpha);
    },
  };
};

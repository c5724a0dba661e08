import * as tf from '@tensorflow/tfjs';
import { applyTask } from '../../tasks/inpainting';
import type { ObjectiveTerms } from '../objective';
import { combine, pixelMse, type MethodFactory } from './method';
import { WholeModel } from './whole-model';

/**
 * Retain: L2 to the original's outputs. Forget: forget sample i is pulled to the original's output
 * for retain sample i of the batch (a batch has at least as many retain samples as forget ones).
 */
export function retainLabelTerms(
  studentRetain: tf.Tensor4D,
  originalRetain: tf.Tensor4D,
  studentForget: tf.Tensor4D,
  alpha: number,
): ObjectiveTerms {
  const forgetTargets = tf.slice(originalRetain, 0, studentForget.shape[0]) as tf.Tensor4D;
  return combine(pixelMse(studentRetain, originalRetain), pixelMse(studentForget, forgetTargets), alpha);
}

/** Retain Label baseline: the whole model answers forget inputs with the original's answers for retain images. */
export const createRetainLabelMethod: MethodFactory = ({ model, teacher, originalDecoder, settings }) => {
  const whole = new WholeModel(model, teacher, originalDecoder);
  return {
    variables: whole.variables,
    objective({ forget, retain }) {
      const inputForget = applyTask(model.card.task, forget);
      const inputRetain = applyTask(model.card.task, retain);
      const originalRetain = whole.originalOutput(inputRetain);
      return () => retainLabelTerms(whole.output(inputRetain), originalRetain, whole.output(inputForget), settings.alpha);
    },
  };
};

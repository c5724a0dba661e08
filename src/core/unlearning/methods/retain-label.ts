import * as tf from '@tensorflow/tfjs';
import { joinBatches, splitOutputs } from '../../models/batches';
import type { ObjectiveTerms } from '../objective';
import { combine, meanSquaredDifference, taskBatches, type MethodFactory } from './method';
import { WholeModel } from './whole-model';

/**
 * Retain: L2 to the original's outputs. Forget: forget sample i is pulled to the original's output
 * for retain sample i of the batch (a batch has at least as many retain samples as forget ones).
 */
export function retainLabelTerms(studentRetain: tf.Tensor, originalRetain: tf.Tensor, studentForget: tf.Tensor, alpha: number): ObjectiveTerms {
  const forgetTargets = tf.slice(originalRetain, 0, studentForget.shape[0]);
  return combine(meanSquaredDifference(studentRetain, originalRetain), meanSquaredDifference(studentForget, forgetTargets), alpha);
}

/** Retain Label baseline: the whole model answers forget inputs with the original's answers for retain images. */
export const createRetainLabelMethod: MethodFactory = ({ model, task, teacher, originalDecoder, settings }) => {
  const whole = new WholeModel(model, teacher, originalDecoder);
  return {
    variables: whole.variables,
    objective(step) {
      const { forget, retain } = taskBatches(step, task);
      const originalRetain = whole.originalOutput(retain);
      const both = joinBatches(forget, retain);
      return () => {
        const [studentForget, studentRetain] = splitOutputs([whole.output(both)], forget.images.shape[0]);
        return retainLabelTerms(studentRetain[0], originalRetain, studentForget[0], settings.alpha);
      };
    },
  };
};

import type * as tf from '@tensorflow/tfjs';
import { applyTask } from '../../tasks/inpainting';
import type { ObjectiveTerms } from '../objective';
import { combine, forgetNoise, pixelMse, type MethodFactory } from './method';
import { WholeModel } from './whole-model';

/** L_task(R) + α·L_task(F → noise): the output for the masked noise image n is compared with n. */
export function noisyLabelTerms(
  retainOutput: tf.Tensor4D,
  retainImages: tf.Tensor4D,
  noiseOutput: tf.Tensor4D,
  noise: tf.Tensor4D,
  alpha: number,
): ObjectiveTerms {
  return combine(pixelMse(retainOutput, retainImages), pixelMse(noiseOutput, noise), alpha);
}

/** Noisy Label baseline: each forget sample is replaced by a noise image (the paper's n) that is both input and target. */
export const createNoisyLabelMethod: MethodFactory = ({ model, teacher, originalDecoder, settings }) => {
  const whole = new WholeModel(model, teacher, originalDecoder);
  return {
    variables: whole.variables,
    objective(batch) {
      const noise = forgetNoise(batch, settings.noise);
      const inputNoise = applyTask(model.card.task, noise);
      const inputRetain = applyTask(model.card.task, batch.retain);
      return () => noisyLabelTerms(whole.output(inputRetain), batch.retain, whole.output(inputNoise), noise, settings.alpha);
    },
  };
};

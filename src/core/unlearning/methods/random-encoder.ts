import * as tf from '@tensorflow/tfjs';
import { applyTask } from '../../tasks/inpainting';
import { unlearningObjective } from '../objective';
import { encoderVariables, type MethodFactory } from './method';

/**
 * randn · std(f) + mean(f) for each encoder output f = E_θ0(T(x_f)), with scalar statistics over
 * the batch. Each output draws from its own seed (seed·outputs + i is distinct across steps too).
 */
export function randomEncodingTargets(teacherForget: tf.Tensor[], seed: number): tf.Tensor[] {
  return teacherForget.map((f, i) => {
    const { mean, variance } = tf.moments(f);
    const eps = tf.randomNormal(f.shape, 0, 1, 'float32', seed * teacherForget.length + i);
    return tf.add(tf.mul(eps, tf.sqrt(variance)), mean);
  });
}

/** Random Encoder baseline: the paper's retain term; forget encodings move to random ones of the same scale. */
export const createRandomEncoderMethod: MethodFactory = ({ model, teacher, settings }) => {
  return {
    variables: encoderVariables(model),
    objective(batch) {
      const inputForget = applyTask(model.card.task, batch.forget);
      const inputRetain = applyTask(model.card.task, batch.retain);
      const teacherRetain = model.encode(inputRetain, teacher);
      const targets = randomEncodingTargets(model.encode(inputForget, teacher), batch.seed);
      return () => unlearningObjective(model.encode(inputRetain), teacherRetain, model.encode(inputForget), targets, settings.alpha);
    },
  };
};

import { joinBatches, splitOutputs } from '../../models/batches';
import * as tf from '@tensorflow/tfjs';
import { unlearningObjective } from '../objective';
import { taskBatches, type MethodFactory } from './method';

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
export const createRandomEncoderMethod: MethodFactory = ({ model, task, teacher, settings }) => {
  return {
    variables: model.encoder.variables,
    objective(step) {
      const { forget, retain } = taskBatches(step, task);
      const both = joinBatches(forget, retain);
      const count = forget.images.shape[0];
      const [teacherForget, teacherRetain] = splitOutputs(model.encode(both, teacher), count);
      const targets = randomEncodingTargets(teacherForget, step.seed);
      return () => {
        const [studentForget, studentRetain] = splitOutputs(model.encode(both), count);
        return unlearningObjective(studentRetain, teacherRetain, studentForget, targets, settings.alpha);
      };
    },
  };
};

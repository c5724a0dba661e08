import { joinBatches, splitOutputs } from '../../models/batches';
import * as tf from '@tensorflow/tfjs';
import { unlearningObjective } from '../objective';
import { taskBatches, type MethodFactory } from './method';

/**
 * randn · std(f) + mean(f) for the first `count` samples of each encoder output f, with scalar
 * statistics of f over the whole batch (forget and retain samples, as the official code takes
 * them from the teacher's whole output). Each output draws from its own seed (seed·outputs + i is
 * distinct across steps too).
 */
export function randomEncodingTargets(teacher: tf.Tensor[], count: number, seed: number): tf.Tensor[] {
  return teacher.map((f, i) => {
    const { mean, variance } = tf.moments(f);
    const eps = tf.randomNormal([count, ...f.shape.slice(1)], 0, 1, 'float32', seed * teacher.length + i);
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
      const teacherBoth = model.encode(both, teacher);
      const targets = randomEncodingTargets(teacherBoth, count, step.seed);
      const [, teacherRetain] = splitOutputs(teacherBoth, count);
      return () => {
        const [studentForget, studentRetain] = splitOutputs(model.encode(both), count);
        return unlearningObjective(studentRetain, teacherRetain, studentForget, targets, settings.alpha);
      };
    },
  };
};

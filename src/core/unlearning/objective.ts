import * as tf from '@tensorflow/tfjs';

/**
 * Squared error averaged over each sample's latent elements (over every encoder output),
 * then over the samples: the per-set term of the paper's Eq. 10.
 */
export function latentDistance(student: tf.Tensor[], target: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    const perSampleSums = student.map((s, i) => tf.sum(tf.reshape(tf.squaredDifference(s, target[i]), [s.shape[0], -1]), 1));
    const elements = student.reduce((sum, s) => sum + s.size / s.shape[0], 0);
    // A running add, not addN: webgpu's AddN fails past 8 inputs on some adapters (multi-output encoders).
    const summed = perSampleSums.reduce((a, b) => tf.add(a, b));
    return tf.div(tf.mean(summed), elements) as tf.Scalar;
  });
}

export interface ObjectiveTerms {
  /** L_R = mean ||E_θ(T(x_r)) − E_θ0(T(x_r))||² */
  retain: tf.Scalar;
  /** L_F = mean ||E_θ(T(x_f)) − E_θ0(T(n))||² (not yet weighted by α) */
  forget: tf.Scalar;
  /** L_R + α·L_F */
  total: tf.Scalar;
}

export function unlearningObjective(
  studentRetain: tf.Tensor[],
  teacherRetain: tf.Tensor[],
  studentForget: tf.Tensor[],
  teacherNoise: tf.Tensor[],
  alpha: number,
): ObjectiveTerms {
  const retain = latentDistance(studentRetain, teacherRetain);
  const forget = latentDistance(studentForget, teacherNoise);
  const total = tf.add(retain, tf.mul(forget, alpha)) as tf.Scalar;
  return { retain, forget, total };
}

import * as tf from '@tensorflow/tfjs';

/**
 * The per-set term of the paper's Eq. 10: squared error averaged over each sample's latent
 * elements, then over the samples. An encoder with several outputs (Palette's down blocks and
 * middle block) gets that mean per output, summed over outputs, as the official code does: each
 * scale counts once, so the small deep features are not drowned by the large shallow ones.
 */
export function latentDistance(student: tf.Tensor[], target: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    const perOutput = student.map((s, i) => tf.mean(tf.squaredDifference(s, target[i])));
    // A running add, not addN: webgpu's AddN fails past 8 inputs on some adapters (multi-output encoders).
    return perOutput.reduce((a, b) => tf.add(a, b)) as tf.Scalar;
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

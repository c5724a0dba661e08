import * as tf from '@tensorflow/tfjs';

/**
 * Per-image mean squared error, hidden pixels (mask 1) weighted by `hiddenWeight` and visible ones
 * by 1: the pixel families' L_task. [n, H, W, C] outputs and targets, [n, H, W, 1] mask; returns [n].
 */
export function weightedPixelLoss(output: tf.Tensor4D, target: tf.Tensor4D, mask: tf.Tensor4D, hiddenWeight = 1): tf.Tensor1D {
  return tf.tidy(() => {
    const weights = tf.add(1, tf.mul(mask, hiddenWeight - 1));
    return tf.mean(tf.mul(tf.squaredDifference(output, target), weights), [1, 2, 3]) as tf.Tensor1D;
  });
}

import * as tf from '@tensorflow/tfjs';
import { pasteHole } from '../tasks/masks';

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

/**
 * Noisy Label's pixel targets: the first `noise.shape[0]` images with the noise inside their hole
 * (their visible pixels are the input's, so they stay the target), the other images as they are.
 */
export function holeNoiseTargets(images: tf.Tensor4D, mask: tf.Tensor4D, noise: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const count = noise.shape[0];
    return tf.concat([pasteHole(noise, tf.slice(images, 0, count), tf.slice(mask, 0, count)), tf.slice(images, count)]) as tf.Tensor4D;
  });
}

import * as tf from '@tensorflow/tfjs';
import type { NoiseType } from './settings';

/**
 * The forget target's input, in pixel space, as in the official code: Gaussian noise with the
 * batch's scalar mean and std clipped to [0, 1] (`normal`), U[0, 1] (`uniform`), or the batch
 * mean everywhere (`constant`).
 */
export function noiseImages(batch: tf.Tensor4D, type: NoiseType, seed: number): tf.Tensor4D {
  // tfjs treats a seed of 0 as "unseeded" and draws a random one.
  if (seed === 0) throw new Error('noise seed must be non-zero');
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(batch);
    switch (type) {
      case 'normal': {
        const eps = tf.randomNormal(batch.shape, 0, 1, 'float32', seed);
        return tf.clipByValue(tf.add(tf.mul(eps, tf.sqrt(variance)), mean), 0, 1) as tf.Tensor4D;
      }
      case 'uniform':
        return tf.randomUniform(batch.shape, 0, 1, 'float32', seed) as tf.Tensor4D;
      case 'constant':
        return tf.mul(tf.onesLike(batch), mean) as tf.Tensor4D;
    }
  });
}

import * as tf from '@tensorflow/tfjs';
import type { NoiseType } from '../../shared/settings';

/**
 * The forget target's input, in pixel space, as in the official code: Gaussian noise with the
 * batch's scalar mean and std clipped to [0, 1] (`normal`), U[0, 1] (`uniform`), or the batch
 * mean everywhere (`constant`). `count` images are drawn (the first ones of the stream a whole
 * batch would draw: tfjs fills a random tensor in order), with the statistics of all of `batch`.
 */
export function noiseImages(batch: tf.Tensor4D, type: NoiseType, seed: number, count = batch.shape[0]): tf.Tensor4D {
  // tfjs treats a seed of 0 as "unseeded" and draws a random one.
  if (seed === 0) throw new Error('noise seed must be non-zero');
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(batch);
    const shape: [number, number, number, number] = [count, batch.shape[1], batch.shape[2], batch.shape[3]];
    switch (type) {
      case 'normal': {
        const eps = tf.randomNormal(shape, 0, 1, 'float32', seed);
        return tf.clipByValue(tf.add(tf.mul(eps, tf.sqrt(variance)), mean), 0, 1) as tf.Tensor4D;
      }
      case 'uniform':
        return tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
      case 'constant':
        return tf.mul(tf.ones(shape), mean) as tf.Tensor4D;
    }
  });
}

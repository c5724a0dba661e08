import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from './image-set';

/**
 * A training set uploaded to the backend once, as floats in [0, 1]: each step gathers its batch
 * there, so a step uploads only its indices, not its images (what a GPU step would wait on).
 */
export class DeviceImages {
  private readonly images: tf.Tensor4D;

  constructor(set: ImageSet) {
    this.images = tf.tidy(() =>
      tf.div(tf.tensor4d(set.pixels, [set.count, set.height, set.width, set.channels], 'int32'), 255),
    ) as tf.Tensor4D;
  }

  get count(): number {
    return this.images.shape[0];
  }

  /** The images at `indices`, [n, H, W, C]; the caller owns the result. */
  gather(indices: number[]): tf.Tensor4D {
    return tf.tidy(() => tf.gather(this.images, tf.tensor1d(indices, 'int32'))) as tf.Tensor4D;
  }

  dispose(): void {
    this.images.dispose();
  }
}

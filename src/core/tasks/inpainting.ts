import * as tf from '@tensorflow/tfjs';
import { holeBounds, type CentreHoleTask } from './hole';

export type { CentreHoleTask };

/** [1, H, W, 1] with 1 inside the hole, 0 elsewhere. */
export function holeMask(task: CentreHoleTask, height: number, width: number): tf.Tensor4D {
  const { top, left, size } = holeBounds(task, Math.min(height, width));
  const values = new Float32Array(height * width);
  for (let y = top; y < top + size; y++) for (let x = left; x < left + size; x++) values[y * width + x] = 1;
  return tf.tensor4d(values, [1, height, width, 1]);
}

/**
 * The I2I task transform T for centre-hole inpainting: [n, H, W, C] -> [n, H, W, C + 1], the
 * image with the hole zeroed plus the mask as an extra channel (on MNIST black is also the
 * background, so without the mask "missing" and "empty" look alike). Every sample gets the same mask.
 */
export function applyTask(task: CentreHoleTask, images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width] = images.shape;
    const mask = holeMask(task, height, width);
    const masked = tf.mul(images, tf.sub(1, mask));
    return tf.concat([masked, tf.tile(mask, [n, 1, 1, 1])], 3) as tf.Tensor4D;
  });
}

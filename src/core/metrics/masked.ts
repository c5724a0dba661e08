import * as tf from '@tensorflow/tfjs';

/** PSNR cap for a perfect hole (MSE 0), so that one exact image cannot make the mean infinite. */
const MAX_PSNR = 100;

/** Per-image MSE inside the mask ([n or 1, H, W, 1], 1 = hidden), for images in [0, 1]. Returns [n]. */
export function maskedMsePerImage(output: tf.Tensor4D, truth: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const channels = truth.shape[3];
    const squared = tf.mul(tf.squaredDifference(output, truth), mask);
    const hiddenValues = tf.mul(tf.sum(mask, [1, 2, 3]), channels);
    return tf.div(tf.sum(squared, [1, 2, 3]), hiddenValues) as tf.Tensor1D;
  });
}

export function psnrFromMse(mse: number): number {
  return mse <= 0 ? MAX_PSNR : Math.min(MAX_PSNR, -10 * Math.log10(mse));
}

export interface HoleQuality {
  /** Mean over images of the hole MSE. */
  mse: number;
  /** Mean over images of the per-image hole PSNR (dB, peak 1). */
  psnr: number;
  images: number;
}

export function summarizeMse(perImage: ArrayLike<number>): HoleQuality {
  const n = perImage.length;
  if (n === 0) throw new Error('no images to evaluate');
  let mse = 0;
  let psnr = 0;
  for (let i = 0; i < n; i++) {
    mse += perImage[i];
    psnr += psnrFromMse(perImage[i]);
  }
  return { mse: mse / n, psnr: psnr / n, images: n };
}

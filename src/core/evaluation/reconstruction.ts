import * as tf from '@tensorflow/tfjs';
import { batchTensor, indexBatches, type ImageSet } from '../data/image-set';
import { maskedMsePerImage, summarizeMse, type HoleQuality } from '../metrics/masked';
import type { I2IModel, ModelParts } from '../models/types';
import { applyTask, holeMask } from '../tasks/inpainting';

/** Rebuilds images with `parts` (by default the model's own encoder and decoder; or the frozen original's). */
export function reconstruct(model: I2IModel, images: tf.Tensor4D, parts: ModelParts = model): tf.Tensor4D {
  return tf.tidy(() => model.decode(model.encode(applyTask(model.card.task, images), parts.encoder), parts.decoder));
}

/** Hole MSE and PSNR over a whole set, in batches to bound memory. */
export async function holeQuality(model: I2IModel, set: ImageSet, parts: ModelParts = model, batchSize = 200): Promise<HoleQuality> {
  const perImage = new Float32Array(set.count);
  const mask = holeMask(model.card.task, set.height, set.width);
  for (const indices of indexBatches(set.count, batchSize)) {
    const start = indices[0];
    const errors = tf.tidy(() => {
      const truth = batchTensor(set, indices);
      return maskedMsePerImage(reconstruct(model, truth, parts), truth, mask);
    });
    perImage.set(await errors.data(), start);
    errors.dispose();
  }
  mask.dispose();
  return summarizeMse(perImage);
}

/** Hole quality when the hole is filled with a fixed image (the training mean): the floor a model must beat. */
export async function constantFillQuality(fill: tf.Tensor4D, set: ImageSet, task: I2IModel['card']['task']): Promise<HoleQuality> {
  const mask = holeMask(task, set.height, set.width);
  const errors = tf.tidy(() => {
    const truth = batchTensor(set, Array.from({ length: set.count }, (_, i) => i));
    return maskedMsePerImage(tf.broadcastTo(fill, truth.shape) as tf.Tensor4D, truth, mask);
  });
  const result = summarizeMse(await errors.data());
  tf.dispose([errors, mask]);
  return result;
}

export interface SetComparison {
  original: HoleQuality;
  unlearned: HoleQuality;
}

export interface RunMetrics {
  forget: SetComparison;
  retain: SetComparison;
}

import * as tf from '@tensorflow/tfjs';
import { batchTensor, indexBatches, type ImageSet } from '../data/image-set';
import { maskedMsePerImage, summarizeMse, type HoleQuality } from '../metrics/masked';
import type { I2IModel, ModelParts, ReconstructOptions, TaskBatch } from '../models/types';
import { pasteHole, taskBatch } from '../tasks/masks';
import type { TaskSpec } from '../../shared/tasks';

/** Seeds evaluation masks and draws; offset by the batch's first index so every model meets the same ones. */
const EVALUATION_SEED = 7_777;

/** A batch to evaluate on: images from `firstIndex` of a set, with masks and draws that depend only on that position. */
export function evaluationBatch(task: TaskSpec, images: tf.Tensor4D, firstIndex: number): TaskBatch {
  return taskBatch(task, images, EVALUATION_SEED + firstIndex);
}

export interface ReconstructedBatch {
  /** Index in the set of the batch's first image. */
  start: number;
  truth: tf.Tensor4D;
  mask: tf.Tensor4D;
  output: tf.Tensor4D;
}

/**
 * Reconstructs a whole set batch by batch (to bound memory) with `parts` (the model's own, or the
 * frozen original's). Each batch's tensors are freed when the loop moves on.
 */
export async function* reconstructions(
  model: I2IModel,
  task: TaskSpec,
  set: ImageSet,
  parts: ModelParts = model,
  batchSize = 250,
  options?: ReconstructOptions,
): AsyncGenerator<ReconstructedBatch> {
  for (const indices of indexBatches(set.count, batchSize)) {
    const truth = batchTensor(set, indices);
    const batch = evaluationBatch(task, truth, indices[0]);
    const output = await model.reconstruct(batch, parts, options);
    try {
      yield { start: indices[0], truth, mask: batch.mask, output };
    } finally {
      tf.dispose([truth, batch.mask, output]);
    }
  }
}

/** Hidden-pixel MSE and PSNR over a whole set. `onBatch` hears each batch's image count once judged (it may throw to cut the set short). */
export async function holeQuality(
  model: I2IModel,
  task: TaskSpec,
  set: ImageSet,
  parts: ModelParts = model,
  batchSize = 200,
  options?: ReconstructOptions,
  onBatch?: (images: number) => void | Promise<void>,
): Promise<HoleQuality> {
  const perImage = new Float32Array(set.count);
  for await (const { start, truth, mask, output } of reconstructions(model, task, set, parts, batchSize, options)) {
    const errors = maskedMsePerImage(output, truth, mask);
    perImage.set(await errors.data(), start);
    errors.dispose();
    await onBatch?.(truth.shape[0]);
  }
  return summarizeMse(perImage);
}

/** The set with its holes (the evaluation's masks) filled with a fixed image, as `reconstructions` gives a model's outputs. */
export async function* constantFills(fill: tf.Tensor4D, task: TaskSpec, set: ImageSet, batchSize = 500): AsyncGenerator<ReconstructedBatch> {
  for (const indices of indexBatches(set.count, batchSize)) {
    const truth = batchTensor(set, indices);
    const { mask } = evaluationBatch(task, truth, indices[0]);
    const output = tf.tidy(() => pasteHole(tf.broadcastTo(fill, truth.shape) as tf.Tensor4D, truth, mask));
    try {
      yield { start: indices[0], truth, mask, output };
    } finally {
      tf.dispose([truth, mask, output]);
    }
  }
}

/** Hidden-pixel quality when the hidden pixels are filled with a fixed image (the training mean): the floor a model must beat. */
export async function constantFillQuality(fill: tf.Tensor4D, set: ImageSet, task: TaskSpec): Promise<HoleQuality> {
  const perImage = new Float32Array(set.count);
  for await (const { start, truth, mask, output } of constantFills(fill, task, set)) {
    const errors = maskedMsePerImage(output, truth, mask);
    perImage.set(await errors.data(), start);
    errors.dispose();
  }
  return summarizeMse(perImage);
}

export interface SetComparison {
  original: HoleQuality;
  unlearned: HoleQuality;
}

export interface RunMetrics {
  forget: SetComparison;
  retain: SetComparison;
}

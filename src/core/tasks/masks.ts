import * as tf from '@tensorflow/tfjs';
import { createRng } from '../random';
import type { TaskBatch } from '../models/types';
import { fixedMaskPixels, type RandomPatchesTask, type TaskSpec } from '../../shared/tasks';

export type { TaskSpec };

/** Patch-grid side lengths for an image (the last row/column of patches may be cut short). */
export function patchGrid(patch: number, height: number, width: number): { rows: number; cols: number } {
  return { rows: Math.ceil(height / patch), cols: Math.ceil(width / patch) };
}

/** Per image, which patches are hidden (1) in row-major patch order; the same count in every image. */
export function randomPatchLayout(task: RandomPatchesTask, count: number, height: number, width: number, seed: number): Uint8Array[] {
  const { rows, cols } = patchGrid(task.patch, height, width);
  const patches = rows * cols;
  const hidden = Math.min(patches - 1, Math.max(1, Math.round(task.ratio * patches)));
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const order = Array.from({ length: patches }, (_, i) => i);
    for (let i = patches - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const layout = new Uint8Array(patches);
    for (let i = 0; i < hidden; i++) layout[order[i]] = 1;
    return layout;
  });
}

/**
 * The task's mask for `count` images, [count, H, W, 1] with 1 where the pixel is hidden. Fixed
 * tasks give every image the same mask; random patches draw a layout per image from `seed`, so
 * the same seed gives student and teacher (or original and unlearned) the same masks.
 */
export function drawMask(task: TaskSpec, count: number, height: number, width: number, seed: number): tf.Tensor4D {
  const fixed = fixedMaskPixels(task, height, width);
  if (fixed) return tf.tidy(() => tf.tile(tf.tensor4d(fixed, [1, height, width, 1]), [count, 1, 1, 1]) as tf.Tensor4D);
  const patchTask = task as RandomPatchesTask;
  const { cols } = patchGrid(patchTask.patch, height, width);
  const values = new Float32Array(count * height * width);
  randomPatchLayout(patchTask, count, height, width, seed).forEach((layout, n) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        values[(n * height + y) * width + x] = layout[Math.floor(y / patchTask.patch) * cols + Math.floor(x / patchTask.patch)];
      }
    }
  });
  return tf.tensor4d(values, [count, height, width, 1]);
}

/**
 * The I2I task transform T: [n, H, W, C] -> [n, H, W, C + 1], the image with hidden pixels zeroed
 * plus the mask as an extra channel (on MNIST black is also the background, so without the mask
 * "missing" and "empty" look alike).
 */
export function maskedInput(images: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.concat([tf.mul(images, tf.sub(1, mask)), mask], 3) as tf.Tensor4D);
}

/** `inside` in the hidden pixels, `outside` in the visible ones: inside·mask + outside·(1 − mask). */
export function pasteHole(inside: tf.Tensor4D, outside: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(inside, mask), tf.mul(outside, tf.sub(1, mask))) as tf.Tensor4D);
}

/** The visible part of the images (hidden pixels zeroed): what the grid's input column shows. */
export function visiblePart(images: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.mul(images, tf.sub(1, mask)) as tf.Tensor4D);
}

/** Images under the task's masks drawn from `seed`, as the models take them. */
export function taskBatch(task: TaskSpec, images: tf.Tensor4D, seed: number): TaskBatch {
  const [n, height, width] = images.shape;
  return { images, mask: drawMask(task, n, height, width, seed), seed, task };
}

/**
 * One image's hidden pixels (1) under the task when every image gets the same number of hidden
 * pixels in each cell of a `cell`-pixel grid, else undefined: fixed tasks, and random patches
 * whose patches are made of whole cells. What a token model needs to size its sequence without
 * reading the mask back from the backend.
 */
export function representativeMask(task: TaskSpec, height: number, width: number, cell: number): Float32Array | undefined {
  const fixed = fixedMaskPixels(task, height, width);
  if (fixed) return fixed;
  const patchTask = task as RandomPatchesTask;
  if (patchTask.patch % cell !== 0 || height % patchTask.patch !== 0 || width % patchTask.patch !== 0) return undefined;
  const { cols } = patchGrid(patchTask.patch, height, width);
  const [layout] = randomPatchLayout(patchTask, 1, height, width, 1);
  const values = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) values[y * width + x] = layout[Math.floor(y / patchTask.patch) * cols + Math.floor(x / patchTask.patch)];
  }
  return values;
}


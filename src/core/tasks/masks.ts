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

/** A uniform integer in [low, high), as numpy's randint. */
const randint = (rng: () => number, low: number, high: number) => low + Math.floor(rng() * Math.max(1, high - low));

/**
 * Palette's `random_bbox` + `bbox2mask` (its mask.py), with its 256-pixel geometry (a box of up to
 * 128 px, shrunk by up to 40, 20 px from the edges) scaled to the image: hides the box's pixels in `mask`.
 */
function drawRandomBox(mask: Float32Array, height: number, width: number, rng: () => number): void {
  const scale = Math.min(height, width) / 256;
  const maxSide = Math.round(128 * scale);
  const maxDelta = Math.round(40 * scale);
  const margin = Math.round(20 * scale);
  const shrink = [randint(rng, 0, Math.floor(maxDelta / 2) + 1), randint(rng, 0, Math.floor(maxDelta / 2) + 1)];
  const top = randint(rng, margin, height - margin - maxSide) + shrink[0];
  const left = randint(rng, margin, width - margin - maxSide) + shrink[1];
  for (let y = top; y < Math.min(height, top + maxSide - shrink[0]); y++) {
    for (let x = left; x < Math.min(width, left + maxSide - shrink[1]); x++) mask[y * width + x] = 1;
  }
}

/** A normal draw (Box-Muller) for the strokes' segment lengths. */
const normal = (rng: () => number) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

/**
 * Palette's `brush_stroke_mask`: 1 to 3 strokes of 4 to 11 segments, zig-zagging around a mean
 * angle of 2π/5, segment lengths about an eighth of the diagonal, widths 12 to 40 px at 256 px
 * (scaled), then flipped at random. A pixel is hidden when it lies within half the width of a segment.
 */
function drawBrushStrokes(mask: Float32Array, height: number, width: number, rng: () => number): void {
  const scale = Math.min(height, width) / 256;
  const radius = Math.sqrt(height * height + width * width) / 8;
  const meanAngle = (2 * Math.PI) / 5;
  const angleRange = (2 * Math.PI) / 15;
  const strokes = randint(rng, 1, 4);
  const stroke = new Float32Array(height * width);
  for (let s = 0; s < strokes; s++) {
    const vertices = randint(rng, 4, 12);
    const angleMin = meanAngle - rng() * angleRange;
    const angleMax = meanAngle + rng() * angleRange;
    const points: [number, number][] = [[randint(rng, 0, width), randint(rng, 0, height)]];
    for (let i = 0; i < vertices; i++) {
      const angle = angleMin + rng() * (angleMax - angleMin);
      const turn = i % 2 === 0 ? 2 * Math.PI - angle : angle;
      const length = Math.min(2 * radius, Math.max(0, radius + normal(rng) * (radius / 2)));
      const [x0, y0] = points[points.length - 1];
      points.push([Math.min(width, Math.max(0, Math.trunc(x0 + length * Math.cos(turn)))), Math.min(height, Math.max(0, Math.trunc(y0 + length * Math.sin(turn))))]);
    }
    const halfWidth = Math.max(0.5, (12 + rng() * 28) * scale) / 2;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let i = 1; i < points.length && !stroke[y * width + x]; i++) {
          if (segmentDistance(x + 0.5, y + 0.5, points[i - 1], points[i]) <= halfWidth) stroke[y * width + x] = 1;
        }
      }
    }
  }
  const flipX = normal(rng) > 0;
  const flipY = normal(rng) > 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (stroke[y * width + x]) mask[(flipY ? height - 1 - y : y) * width + (flipX ? width - 1 - x : x)] = 1;
  }
}

function segmentDistance(px: number, py: number, [ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const along = dx === 0 && dy === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + along * dx), py - (ay + along * dy));
}

/** One image's `hybrid` mask (1 = hidden): a random box united with brush strokes, as Palette's `hybrid` mask mode. */
export function hybridMaskPixels(height: number, width: number, rng: () => number): Float32Array {
  const mask = new Float32Array(height * width);
  drawRandomBox(mask, height, width, rng);
  drawBrushStrokes(mask, height, width, rng);
  return mask;
}

/**
 * The task's mask for `count` images, [count, H, W, 1] with 1 where the pixel is hidden. Fixed
 * tasks give every image the same mask; random patches and hybrid masks draw one per image from
 * `seed`, so the same seed gives student and teacher (or original and unlearned) the same masks.
 */
export function drawMask(task: TaskSpec, count: number, height: number, width: number, seed: number): tf.Tensor4D {
  const fixed = fixedMaskPixels(task, height, width);
  if (fixed) return tf.tidy(() => tf.tile(tf.tensor4d(fixed, [1, height, width, 1]), [count, 1, 1, 1]) as tf.Tensor4D);
  if (task.kind === 'hybrid') {
    const rng = createRng(seed);
    const values = new Float32Array(count * height * width);
    for (let n = 0; n < count; n++) values.set(hybridMaskPixels(height, width, rng), n * height * width);
    return tf.tensor4d(values, [count, height, width, 1]);
  }
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
  if (task.kind === 'hybrid') return undefined;
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


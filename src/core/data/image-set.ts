import * as tf from '@tensorflow/tfjs';
import type { IdxArray } from './idx';

/** Images kept as bytes (HWC, 0-255) until a batch is needed: 60k MNIST images as float32 would be 188 MB. */
export interface ImageSet {
  pixels: Uint8Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export function imageSetFromIdx(images: IdxArray, labels: IdxArray): ImageSet {
  const [count, height, width, channels = 1] = images.dims;
  if (labels.dims[0] !== count) throw new Error(`${count} images but ${labels.dims[0]} labels`);
  return { pixels: images.data, labels: Int32Array.from(labels.data), count, height, width, channels };
}

export function imageSize(set: ImageSet): number {
  return set.height * set.width * set.channels;
}

/** The images whose label satisfies `keep`, in their original order. */
export function filterByLabel(set: ImageSet, keep: (label: number) => boolean): ImageSet {
  const indices: number[] = [];
  set.labels.forEach((label, i) => keep(label) && indices.push(i));
  return subset(set, indices);
}

export function subset(set: ImageSet, indices: number[]): ImageSet {
  const size = imageSize(set);
  const pixels = new Uint8Array(indices.length * size);
  indices.forEach((src, dst) => pixels.set(set.pixels.subarray(src * size, (src + 1) * size), dst * size));
  return { ...set, pixels, labels: Int32Array.from(indices, (i) => set.labels[i]), count: indices.length };
}

export function take(set: ImageSet, count: number): ImageSet {
  return subset(set, Array.from({ length: Math.min(count, set.count) }, (_, i) => i));
}

/** A float batch in [0, 1], shape [n, H, W, C]. */
export function batchTensor(set: ImageSet, indices: number[]): tf.Tensor4D {
  const size = imageSize(set);
  const values = new Float32Array(indices.length * size);
  indices.forEach((src, dst) => {
    const offset = src * size;
    for (let k = 0; k < size; k++) values[dst * size + k] = set.pixels[offset + k] / 255;
  });
  return tf.tensor4d(values, [indices.length, set.height, set.width, set.channels]);
}

export function allIndices(set: ImageSet): number[] {
  return Array.from({ length: set.count }, (_, i) => i);
}

/** Consecutive batches of indices covering 0..count-1: how whole sets are run through a model in bounded memory. */
export function indexBatches(count: number, batchSize: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < count; start += batchSize) {
    batches.push(Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i));
  }
  return batches;
}

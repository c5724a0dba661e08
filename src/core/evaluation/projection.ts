import * as tf from '@tensorflow/tfjs';
import { UMAP } from 'umap-js';
import { batchTensor, take, indexBatches, type ImageSet } from '../data/image-set';
import type { Features } from '../metrics/feature-metrics';
import type { Classifier } from '../models/classifier';
import type { I2IModel, ModelParts } from '../models/types';
import { createRng } from '../random';
import type { TaskSpec } from '../../shared/tasks';
import { reconstructions } from './reconstruction';

/** Images per set in the figure: UMAP's cost grows with the points, and a few hundred per model show the clusters. */
export const PROJECTION_IMAGES = 150;

export type Point2d = [number, number];

/** One model's scatter: the truths are the same points for every model, placed by the one shared fit. */
export interface ModelProjection<M extends string = string> {
  method: M;
  forgetTruth: Point2d[];
  forgetOutput: Point2d[];
  retainTruth: Point2d[];
  retainOutput: Point2d[];
}

export interface ProjectionSets {
  forget: ImageSet;
  retain: ImageSet;
}

export function projectionSets(forget: ImageSet, retain: ImageSet, images = PROJECTION_IMAGES): ProjectionSets {
  return { forget: take(forget, images), retain: take(retain, images) };
}

/** A model's outputs on both sets, as classifier embeddings ([count * E] each). */
export interface OutputEmbeddings<M extends string = string> {
  method: M;
  forget: Float32Array;
  retain: Float32Array;
}

/** Classifier embeddings [count * E] of a set's images. */
export async function embedImages(classifier: Classifier, set: ImageSet, batchSize = 250): Promise<Float32Array> {
  const dim = classifier.card.config.embedding;
  const out = new Float32Array(set.count * dim);
  for (const indices of indexBatches(set.count, batchSize)) {
    const embedded = tf.tidy(() => classifier.embed(batchTensor(set, indices)));
    out.set(await embedded.data(), indices[0] * dim);
    embedded.dispose();
  }
  return out;
}

/** Classifier embeddings [count * E] of `model`'s reconstructions of a set's images under `task`. */
export async function embedOutputs(classifier: Classifier, model: I2IModel, task: TaskSpec, set: ImageSet, parts: ModelParts = model, batchSize = 250): Promise<Float32Array> {
  const dim = classifier.card.config.embedding;
  const out = new Float32Array(set.count * dim);
  for await (const { start, output } of reconstructions(model, task, set, parts, batchSize)) {
    const embedded = classifier.embed(output);
    out.set(await embedded.data(), start * dim);
    embedded.dispose();
  }
  return out;
}

/** UMAP of the rows to 2-D, seeded so the same features always give the same figure: [n * 2], row-major. */
export function project2d(features: Features, seed: number): Float32Array {
  const n = Math.floor(features.values.length / features.dim);
  const coords = new Float32Array(n * 2);
  // UMAP needs a neighbour besides each point itself; fewer points have no layout to find.
  if (n < 3) return coords;
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: features.dim }, (_, d) => features.values[i * features.dim + d]));
  // 200 epochs instead of umap-js's 500 for small sets: the layout has settled by then, at 2.5x less time in the worker.
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, n - 1), minDist: 0.1, nEpochs: 200, random: createRng(seed) });
  umap.fit(rows).forEach(([x, y], i) => coords.set([x, y], i * 2));
  return coords;
}

/**
 * Fits one UMAP on the union of the truths (once) and every model's outputs, so that scatters
 * of different models share their axes and the truths sit in the same place in each.
 */
export function projectModels<M extends string>(truths: { forget: Float32Array; retain: Float32Array }, outputs: OutputEmbeddings<M>[], dim: number, seed: number): ModelProjection<M>[] {
  const blocks = [truths.forget, truths.retain, ...outputs.flatMap((o) => [o.forget, o.retain])];
  const union = new Float32Array(blocks.reduce((total, b) => total + b.length, 0));
  const offsets: number[] = [];
  blocks.reduce((offset, block) => {
    union.set(block, offset);
    offsets.push(offset / dim);
    return offset + block.length;
  }, 0);
  const coords = project2d({ values: union, dim }, seed);
  const points = (block: number): Point2d[] =>
    Array.from({ length: blocks[block].length / dim }, (_, i) => [coords[(offsets[block] + i) * 2], coords[(offsets[block] + i) * 2 + 1]]);
  const forgetTruth = points(0);
  const retainTruth = points(1);
  return outputs.map((o, m) => ({ method: o.method, forgetTruth, forgetOutput: points(2 + 2 * m), retainTruth, retainOutput: points(3 + 2 * m) }));
}

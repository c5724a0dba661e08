import * as tf from '@tensorflow/tfjs';
import { sameTask } from '../../shared/tasks';
import type { BatchSegment, TaskBatch } from './types';

/** The batch's segments: a batch that was never joined is one segment with its own seed. */
export function segmentsOf(batch: TaskBatch): readonly BatchSegment[] {
  return batch.segments ?? [{ count: batch.images.shape[0], seed: batch.seed }];
}

/**
 * Batches as one, in order, so a model runs them in one pass (one dispatch chain, one backward).
 * Each keeps its segment: what a family draws for it comes from its own seed, as if it ran alone.
 */
export function joinBatches(...batches: TaskBatch[]): TaskBatch {
  return {
    images: tf.concat(batches.map((b) => b.images)) as tf.Tensor4D,
    mask: tf.concat(batches.map((b) => b.mask)) as tf.Tensor4D,
    seed: batches[0].seed,
    segments: batches.flatMap(segmentsOf),
    task: batches.every((b) => b.task && sameTask(b.task, batches[0].task!)) ? batches[0].task : undefined,
  };
}

/** A family's random draw made per segment from the segment's seed, joined along the batch axis. */
export function drawPerSegment<T extends tf.Tensor>(batch: TaskBatch, draw: (count: number, seed: number) => T): T {
  const segments = segmentsOf(batch);
  if (segments.length === 1) return draw(segments[0].count, segments[0].seed);
  return tf.tidy(() => tf.concat(segments.map((s) => draw(s.count, s.seed)))) as T;
}

/** Each output cut after its first `count` samples: the first joined batch's part, then the rest. */
export function splitOutputs(outputs: tf.Tensor[], count: number): [tf.Tensor[], tf.Tensor[]] {
  return [outputs.map((o) => tf.slice(o, 0, count)), outputs.map((o) => tf.slice(o, count))];
}

/**
 * The teacher's side of the paper's objective for families whose forget target is the encoding
 * of the forget batch with the noise images in place of x_f: both targets in one encoder pass.
 */
export function jointTeacherTargets(
  encode: (batch: TaskBatch) => tf.Tensor[],
  forget: TaskBatch,
  noise: tf.Tensor4D,
  retain: TaskBatch,
): { forget: tf.Tensor[]; retain: tf.Tensor[] } {
  const [forgetTargets, retainTargets] = splitOutputs(encode(joinBatches({ ...forget, images: noise }, retain)), forget.images.shape[0]);
  return { forget: forgetTargets, retain: retainTargets };
}

import * as tf from '@tensorflow/tfjs';
import type { I2IModel, ModelPart, TaskBatch } from '../../models/types';
import { taskBatch } from '../../tasks/masks';
import type { TaskSpec } from '../../../shared/tasks';
import { noiseImages } from '../noise';
import type { ObjectiveTerms } from '../objective';
import type { NoiseType, UnlearnSettings } from '../../../shared/settings';

/** One step's images, forget first, and the step's seed for random draws. */
export interface StepBatch {
  /** x_f, values in [0, 1] */
  forget: tf.Tensor4D;
  /** x_r, at least as many as x_f */
  retain: tf.Tensor4D;
  /** Non-zero (tfjs reads a seed of 0 as "unseeded") and different at every step. */
  seed: number;
}

export interface MethodContext {
  model: I2IModel;
  /** The task the run unlearns on (one of the model's tasks). */
  task: TaskSpec;
  /** The frozen original encoder E_θ0; the Unlearner owns it and restores the encoder from it. */
  teacher: ModelPart;
  /** The frozen original decoder D_φ0 (a copy when the method trains the decoder); the Unlearner owns it too. */
  originalDecoder: ModelPart;
  settings: UnlearnSettings;
}

export interface UnlearningMethod {
  /** What the optimiser updates. */
  readonly variables: tf.Variable[];
  /**
   * Called inside the step's tf.tidy: computes the targets (no gradient flows through them) and
   * returns the function tf.variableGrads differentiates. Its `forget` term is signed and not
   * yet weighted by α: total = retain + α·forget.
   */
  objective(batch: StepBatch): () => ObjectiveTerms;
}

export type MethodFactory = (context: MethodContext) => UnlearningMethod;

/**
 * The step's two sets with the task's masks. Each set draws its masks (and the family its own
 * randomness) from its own seed; whatever is computed from one TaskBatch, by the student or the
 * teacher, sees the same masks, as the paper's code passes the student's masks to the teacher.
 */
export function taskBatches(batch: StepBatch, task: TaskSpec): { forget: TaskBatch; retain: TaskBatch } {
  return { forget: taskBatch(task, batch.forget, 2 * batch.seed), retain: taskBatch(task, batch.retain, 2 * batch.seed + 1) };
}

/** The noise image n for each forget sample, as the paper's method draws it. */
export function forgetNoise(batch: StepBatch, type: NoiseType): tf.Tensor4D {
  // Noise statistics come from the whole mixed batch, as in the official code.
  return noiseImages(tf.concat([batch.forget, batch.retain]) as tf.Tensor4D, type, batch.seed, batch.forget.shape[0]);
}

/** Squared difference averaged per sample, then over samples (every sample has one size, so a plain mean). */
export function meanSquaredDifference(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(a, b)) as tf.Scalar;
}

/** Builds ObjectiveTerms from a retain and a signed forget term. */
export function combine(retain: tf.Scalar, forget: tf.Scalar, alpha: number): ObjectiveTerms {
  return { retain, forget, total: tf.add(retain, tf.mul(forget, alpha)) as tf.Scalar };
}

import * as tf from '@tensorflow/tfjs';
import type { I2IModel } from '../../models/types';
import { noiseImages } from '../noise';
import type { ObjectiveTerms } from '../objective';
import type { NoiseType, UnlearnSettings } from '../settings';

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
  /** The frozen original encoder E_θ0; the Unlearner owns it and restores the encoder from it. */
  teacher: tf.LayersModel;
  /** The frozen original decoder D_φ0 (a copy when the method trains the decoder); the Unlearner owns it too. */
  originalDecoder: tf.LayersModel;
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

export function encoderVariables(model: I2IModel): tf.Variable[] {
  return model.encoder.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** The noise image n for each forget sample, as the paper's method draws it. */
export function forgetNoise(batch: StepBatch, type: NoiseType): tf.Tensor4D {
  // Noise statistics come from the whole mixed batch, as in the official code.
  const noiseBatch = noiseImages(tf.concat([batch.forget, batch.retain]) as tf.Tensor4D, type, batch.seed);
  return tf.slice(noiseBatch, 0, batch.forget.shape[0]) as tf.Tensor4D;
}

/**
 * Squared pixel error averaged per image, then over images (all images have one size, so a plain
 * mean): L_task when the target is the clean image, and the L2 between two models' outputs.
 */
export function pixelMse(output: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
  return tf.mean(tf.squaredDifference(output, target)) as tf.Scalar;
}

/** Builds ObjectiveTerms from a retain and a signed forget term. */
export function combine(retain: tf.Scalar, forget: tf.Scalar, alpha: number): ObjectiveTerms {
  return { retain, forget, total: tf.add(retain, tf.mul(forget, alpha)) as tf.Scalar };
}

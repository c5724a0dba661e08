import * as tf from '@tensorflow/tfjs';
import { batchTensor, indexBatches, type ImageSet } from '../data/image-set';
import { maskedMsePerImage, summarizeMse, type HoleQuality } from '../metrics/masked';
import type { I2IModel, ReconstructOptions, TaskBatch } from '../models/types';
import type { TaskSpec } from '../../shared/tasks';
import { evaluationBatch } from './reconstruction';

/**
 * A sampler's hole error split into what it knows and what it draws (Blau & Michaeli, "The
 * perception-distortion tradeoff", 2018). One draw s of a model whose draws have mean μ and
 * spread σ² misses the truth x by E|s − x|² = |μ − x|² + σ²: for a sampler that draws from the
 * true posterior, μ is the best possible estimate and σ² equals its error, so one draw's MSE is
 * twice the least any model can reach. A draw can then lose to the training-mean fill in PSNR
 * while μ beats it: the comparison that says whether the model knows more than the mean.
 */
export interface DrawSpread {
  draws: number;
  /** One draw's hole quality, over every image and draw. */
  draw: HoleQuality;
  /** The hole quality of the pixel-wise mean of the draws. */
  meanOfDraws: HoleQuality;
  /** σ²: the draws' unbiased variance per hidden value, mean over images. */
  spread: number;
  /** |μ − x|²: the hole MSE of the model's own mean (infinitely many draws), estimated without bias as meanOfDraws − spread / draws. */
  modelMeanMse: number;
}

/** The batch with its masks kept and its draws seeded anew; draw 0 is the batch as given. */
export function redrawn(batch: TaskBatch, draw: number): TaskBatch {
  return { ...batch, seed: batch.seed + 100_003 * draw };
}

/** `draws` draws per image over the evaluation's batches (the first is the one holeQuality measures). */
export async function drawSpread(
  model: I2IModel,
  task: TaskSpec,
  set: ImageSet,
  draws: number,
  batchSize = 200,
  options?: ReconstructOptions,
): Promise<DrawSpread> {
  if (draws < 2) throw new Error('a spread needs at least two draws');
  const drawMse = new Float32Array(set.count * draws);
  const meanMse = new Float32Array(set.count);
  let spread = 0;
  for (const indices of indexBatches(set.count, batchSize)) {
    const truth = batchTensor(set, indices);
    const batch = evaluationBatch(task, truth, indices[0]);
    const outputs: tf.Tensor4D[] = [];
    for (let d = 0; d < draws; d++) outputs.push(await model.reconstruct(redrawn(batch, d), model, options));
    const measured = tf.tidy(() => {
      const mean = tf.div(tf.addN(outputs), draws) as tf.Tensor4D;
      return [
        tf.stack(outputs.map((output) => maskedMsePerImage(output, truth, batch.mask)), 1),
        maskedMsePerImage(mean, truth, batch.mask),
        tf.div(tf.addN(outputs.map((output) => maskedMsePerImage(output, mean, batch.mask))), draws - 1),
      ];
    });
    const [perDraw, perMean, perSpread] = await Promise.all(measured.map((t) => t.data()));
    drawMse.set(perDraw, indices[0] * draws);
    meanMse.set(perMean, indices[0]);
    for (const value of perSpread) spread += value;
    tf.dispose([...outputs, ...measured, truth, batch.mask]);
  }
  const draw = summarizeMse(drawMse);
  const meanOfDraws = summarizeMse(meanMse);
  spread /= set.count;
  return { draws, draw: { ...draw, images: set.count }, meanOfDraws, spread, modelMeanMse: meanOfDraws.mse - spread / draws };
}

import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { frechetDistance, inceptionScore, meanCosineSimilarity, ssimPerImage } from '../metrics/feature-metrics';
import { maskedMsePerImage, summarizeMse } from '../metrics/masked';
import type { Classifier } from '../models/classifier';
import type { I2IModel, ModelParts, ReconstructOptions } from '../models/types';
import type { TaskSpec } from '../../shared/tasks';
import { constantFills, reconstructions, type ReconstructedBatch } from './reconstruction';
import { pasteHole } from '../tasks/masks';

/**
 * The paper's output metrics for one set, comparing each output with its ground truth. FID,
 * IS and cosine live in the feature space of the project's own MNIST classifier: they are
 * domain-network scores, not Inception/CLIP numbers. PSNR and SSIM are on the hole only.
 */
export interface OutputMetrics {
  fid: number;
  is: number;
  cosine: number;
  psnr: number;
  /** Mean hole MSE, beside the PSNR (the mean of per-image PSNRs, not the PSNR of this). */
  mse: number;
  ssim: number;
  images: number;
}

export function outputMetrics(
  model: I2IModel,
  task: TaskSpec,
  set: ImageSet,
  classifier: Classifier,
  parts: ModelParts = model,
  batchSize = 250,
  options?: ReconstructOptions,
): Promise<OutputMetrics> {
  return metricsOf(reconstructions(model, task, set, parts, batchSize, options), set.count, classifier);
}

/**
 * The same metrics for the model's fill alone: its output inside the hole, the truth outside, as
 * `constantFillMetrics` sees a fixed fill (a model that redraws the whole image, as the conv AE
 * does, is otherwise also judged on the pixels it was shown).
 */
export function holeFillMetrics(model: I2IModel, task: TaskSpec, set: ImageSet, classifier: Classifier, batchSize = 250): Promise<OutputMetrics> {
  return metricsOf(pastedIntoTruth(reconstructions(model, task, set, model, batchSize)), set.count, classifier);
}

async function* pastedIntoTruth(batches: AsyncIterable<ReconstructedBatch>): AsyncGenerator<ReconstructedBatch> {
  for await (const batch of batches) {
    const output = pasteHole(batch.output, batch.truth, batch.mask);
    try {
      yield { ...batch, output };
    } finally {
      output.dispose();
    }
  }
}

/** The same metrics for filling the hole with a fixed image (the training mean): the floor a model must beat, in the classifier's features too. */
export function constantFillMetrics(fill: tf.Tensor4D, task: TaskSpec, set: ImageSet, classifier: Classifier): Promise<OutputMetrics> {
  return metricsOf(constantFills(fill, task, set), set.count, classifier);
}

async function metricsOf(batches: AsyncIterable<ReconstructedBatch>, count: number, classifier: Classifier): Promise<OutputMetrics> {
  const { embedding, classes } = classifier.card.config;
  const outputEmbeddings = new Float32Array(count * embedding);
  const truthEmbeddings = new Float32Array(count * embedding);
  const outputProbabilities = new Float32Array(count * classes);
  const holeMse = new Float32Array(count);
  const holeSsim = new Float32Array(count);
  for await (const { start, truth, mask, output } of batches) {
    const measured = tf.tidy(() => {
      const [outputEmbedding, outputLogits] = classifier.forward(output);
      return [
        outputEmbedding,
        classifier.embed(truth),
        tf.softmax(outputLogits),
        maskedMsePerImage(output, truth, mask),
        ssimPerImage(output, truth, mask),
      ];
    });
    const [e1, e2, p, mse, s] = await Promise.all(measured.map((t) => t.data()));
    outputEmbeddings.set(e1, start * embedding);
    truthEmbeddings.set(e2, start * embedding);
    outputProbabilities.set(p, start * classes);
    holeMse.set(mse, start);
    holeSsim.set(s, start);
    tf.dispose(measured);
  }
  const hole = summarizeMse(holeMse);
  return {
    fid: frechetDistance({ values: outputEmbeddings, dim: embedding }, { values: truthEmbeddings, dim: embedding }),
    is: inceptionScore({ values: outputProbabilities, dim: classes }),
    cosine: meanCosineSimilarity({ values: outputEmbeddings, dim: embedding }, { values: truthEmbeddings, dim: embedding }),
    psnr: hole.psnr,
    mse: hole.mse,
    ssim: holeSsim.reduce((a, b) => a + b, 0) / count,
    images: count,
  };
}

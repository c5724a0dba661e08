import * as tf from '@tensorflow/tfjs';
import { batchTensor, indexBatches, type ImageSet } from '../data/image-set';
import type { PaletteModel } from '../models/palette';
import type { ModelPart, ModelParts } from '../models/types';
import type { TaskSpec } from '../../shared/tasks';
import { latentDistance } from '../unlearning/objective';
import { evaluationBatch } from './reconstruction';

/** One noise-level bucket of a diffusion model's diagnostics: timesteps [tFrom, tTo). */
export interface NoiseLevelBucket {
  tFrom: number;
  tTo: number;
  /** L_F on held-out forget images: the model's encoder outputs vs the teacher's forget target. */
  forgetDistance: number;
  /** L_R on held-out retain images: the model's encoder outputs vs the teacher's. */
  retainDistance: number;
  /** One-step ε-prediction MSE over the hidden pixels (the training loss), forget and retain. */
  forgetNoiseError: number;
  retainNoiseError: number;
}

/**
 * Where along the noise levels a diffusion model forgets: per bucket of timesteps, the two terms
 * of the objective and the one-step noise-prediction error on held-out forget and retain images.
 * Within a bucket the images' timesteps are evenly spread; masks and noise are the evaluation's
 * (the same for every model), so the original and the unlearned model meet identical inputs.
 */
export async function noiseLevelDiagnostics(
  model: PaletteModel,
  parts: ModelParts,
  teacher: ModelPart,
  task: TaskSpec,
  sets: { forget: ImageSet; retain: ImageSet },
  buckets = 5,
  batchSize = 100,
): Promise<NoiseLevelBucket[]> {
  const { timesteps } = model.config;
  const result: NoiseLevelBucket[] = [];
  for (let b = 0; b < buckets; b++) {
    const tFrom = Math.round((b * timesteps) / buckets);
    const tTo = Math.round(((b + 1) * timesteps) / buckets);
    const over = async (set: ImageSet, forget: boolean) => {
      let distance = 0;
      let error = 0;
      for (const indices of indexBatches(set.count, batchSize)) {
        const sums = tf.tidy(() => {
          const images = batchTensor(set, indices);
          const t = indices.map((i) => tFrom + Math.floor(((i + 0.5) * (tTo - tFrom)) / set.count));
          const batch = { ...evaluationBatch(task, images, indices[0]), timesteps: t };
          // Palette's forget target (pure noise in the hole) takes no pixel-space noise images.
          const target = forget ? model.forgetTarget(batch, images, teacher) : model.encode(batch, teacher);
          // latentDistance is a mean over the batch: weighted by its size to average over the set.
          const d = tf.mul(latentDistance(model.encode(batch, parts.encoder), target), indices.length);
          return tf.stack([d, tf.sum(model.taskLoss(batch, parts))]);
        });
        const [d, e] = await sums.data();
        sums.dispose();
        distance += d;
        error += e;
      }
      return { distance: distance / set.count, error: error / set.count };
    };
    const f = await over(sets.forget, true);
    const r = await over(sets.retain, false);
    result.push({ tFrom, tTo, forgetDistance: f.distance, retainDistance: r.distance, forgetNoiseError: f.error, retainNoiseError: r.error });
  }
  return result;
}

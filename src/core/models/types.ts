import type * as tf from '@tensorflow/tfjs';
import type { DiffusionSampler } from '../../shared/settings';
import type { TaskSpec } from '../../shared/tasks';
import type { WriteFile } from './io';
import type { Recipe } from '../../shared/settings';

/** The model families the studio can load (each one file in models/, one line in families.ts). */
export type ModelFamilyId = 'conv-inpainting-ae' | 'mae' | 'mage' | 'palette';

/** One stretch of pretraining; a model continued from saved weights lists them all. */
export interface TrainingStage {
  steps: number;
  batchSize: number;
  /** Absent for a stage recorded before learning rates were. */
  learningRate?: number;
  seed: number;
  /** The decay of the weight average the stage ended on, when it kept one. */
  emaDecay?: number;
  /** The task ids the stage trained on, when not every task of the card. */
  tasks?: string[];
  seconds: number;
  finalLoss: number;
}

/** What a shipped or trained model says about itself (written next to its weights). */
export interface ModelCard {
  id: string;
  family: ModelFamilyId;
  title: string;
  dataset: string;
  height: number;
  width: number;
  channels: number;
  /** The tasks the model was trained on; the first is its default. */
  tasks: TaskSpec[];
  architecture: Record<string, number | string | number[]>;
  /** How this model is unlearned by default (its family's recipe): the studio and the CLI start from it. */
  recipe?: Recipe;
  /** Classes left out of training: set on a model retrained from scratch without a forget set. */
  excludedClasses?: number[];
  /** Totals over every stage, with the last stage's batch, seed and loss. */
  training?: Omit<TrainingStage, 'learningRate'> & {
    backend: string;
    /** When training continued from saved weights: each stage's own recipe, first to last. */
    stages?: TrainingStage[];
  };
  /** Held-out quality: the first task's at the top level, each task's in perTask when there are several. */
  evaluation?: TaskEvaluation & {
    heldOutImages: number;
    perTask?: Record<string, TaskEvaluation>;
  };
}

/** One task's held-out hidden-pixel quality, the model's beside filling the hole with the training mean. */
export interface TaskEvaluation {
  holePsnr: number;
  holeMse: number;
  meanImageHolePsnr: number;
  meanImageHoleMse: number;
  /** FID of the filled images in the dataset classifier's features, the model's and the mean fill's (when the dataset has a classifier). */
  fid?: number;
  meanImageFid?: number;
  /** A sampler's draws. */
  draws?: DrawsRecord;
}

/**
 * A sampler's draws on held-out images (core/evaluation/draw-spread.ts): one draw's hole error is
 * the miss of the model's mean plus the draws' spread, so the mean can beat the training-mean
 * fill where one draw does not.
 */
export interface DrawsRecord {
  count: number;
  meanOfDrawsHolePsnr: number;
  meanOfDrawsHoleMse: number;
  /** σ²: the draws' variance per hidden value. */
  spread: number;
  /** |μ − x|²: the hole MSE of the model's own mean, as if drawn infinitely often. */
  modelMeanHoleMse: number;
}

/** A trainable half of a model (encoder or decoder): its variables, copyable and savable. */
export interface ModelPart {
  /** The variables an optimiser updates, in a fixed order. */
  readonly variables: tf.Variable[];
  getWeights(): tf.Tensor[];
  setWeights(weights: tf.Tensor[]): void;
  /** Writes the part as `<name>.json` + `<name>.weights.bin` (tfjs weights-manifest format). */
  save(name: string, write: WriteFile): Promise<void>;
  dispose(): void;
}

/** An encoder and a decoder to run a model with: the model's own, or the frozen original's. */
export interface ModelParts {
  encoder: ModelPart;
  decoder: ModelPart;
}

/** A stretch of a joined batch that keeps the seed it had as a batch of its own. */
export interface BatchSegment {
  count: number;
  seed: number;
}

/** One batch of images with the task's masks and the seed for the family's own random draws. */
export interface TaskBatch {
  /** x, values in [0, 1], [n, H, W, C] */
  images: tf.Tensor4D;
  /** [n, H, W, 1], 1 where the task hides the pixel */
  mask: tf.Tensor4D;
  /**
   * Non-zero (tfjs reads 0 as "unseeded"). Seeds what the family draws itself (diffusion's
   * timesteps and noise, token masks), so two models given the same batch draw the same.
   */
  seed: number;
  /**
   * Set on batches joined for one pass (models/batches.ts): the parts in order, each drawing from
   * its own seed, so a joined pass draws for every sample what a separate pass would have.
   */
  segments?: readonly BatchSegment[];
  /** The task the masks come from, when known: lets token models size sequences without reading masks back. */
  task?: TaskSpec;
  /** Diffusion only: each image's timestep, instead of the seed's draw (diagnostics per noise level). */
  timesteps?: readonly number[];
}

export interface ReconstructOptions {
  /** Called after each pass of a multi-pass decoder (diffusion sampling, iterative token decoding). */
  onProgress?: (done: number, total: number) => void;
  /** Network evaluations of a diffusion sampler; the card's (architecture.sampleSteps) when undefined. */
  sampleSteps?: number;
  /** A diffusion model's sampler, DDIM or ancestral DDPM; the card's (architecture.sampler) when undefined. */
  sampler?: DiffusionSampler;
}

/**
 * An image-to-image model split the way the unlearning method needs: only the encoder is
 * trained; the decoder stays frozen. Encoder outputs are a list so that families with several
 * feature maps (U-Net down blocks and middle block) fit the same objective.
 */
export interface I2IModel {
  readonly card: ModelCard;
  readonly encoder: ModelPart;
  readonly decoder: ModelPart;
  /** Frozen parts beyond encoder and decoder (a tokenizer) that saveModel also writes, by file name. */
  readonly extraParts?: Record<string, ModelPart>;
  /** E(T(x)): the encoder outputs the unlearning objective compares. */
  encode(batch: TaskBatch, encoder?: ModelPart): tf.Tensor[];
  /**
   * The paper's forget target E_θ0(T(n)) for a forget batch and its noise images n: the same
   * masks and draws as the forget batch (families where the paper's code differs override it).
   */
  forgetTarget(forget: TaskBatch, noise: tf.Tensor4D, teacher: ModelPart): tf.Tensor[];
  /**
   * The teacher's two targets, forgetTarget(forget, noise) and encode(retain), in as few encoder
   * passes as the family allows (one where the forget target is a plain encoding).
   */
  teacherTargets(forget: TaskBatch, noise: tf.Tensor4D, retain: TaskBatch, teacher: ModelPart): { forget: tf.Tensor[]; retain: tf.Tensor[] };
  /** One differentiable pass (pixels, token logits, predicted noise): what whole-model baselines compare between two models. */
  predict(batch: TaskBatch, parts?: ModelParts): tf.Tensor;
  /**
   * The family's training loss L_task per image, [n] (pretraining, Max Loss, Noisy Label).
   * `hiddenWeight` weighs hidden pixels against visible ones where the loss is over pixels.
   */
  taskLoss(batch: TaskBatch, parts?: ModelParts, hiddenWeight?: number): tf.Tensor1D;
  /**
   * Noisy Label's L_task per image, [n]: taskLoss, except that the first `noise.shape[0]` samples
   * (the forget samples) keep their real input under the task's mask and learn the family's noise
   * where the task hides it, as the official code does: the noise images (pixel families; the
   * visible pixels stay the real ones), random codes with the batch's code statistics (MAGE), or
   * ε for x_t = ε in the hole (Palette).
   */
  noisyLabelLoss(batch: TaskBatch, noise: tf.Tensor4D, parts?: ModelParts): tf.Tensor1D;
  /** Full inference: whole images in [0, 1]. The caller owns the result. */
  reconstruct(batch: TaskBatch, parts?: ModelParts, options?: ReconstructOptions): Promise<tf.Tensor4D>;
  /** A frozen copy of the current encoder (the teacher E_θ0). */
  cloneEncoder(): ModelPart;
  /** A frozen copy of the current decoder (D_φ0, for methods that train the decoder too). */
  cloneDecoder(): ModelPart;
  dispose(): void;
}

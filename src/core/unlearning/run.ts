import * as tf from '@tensorflow/tfjs';
import { batchTensor, take, type ImageSet, allIndices } from '../data/image-set';
import type { ClassSplit } from '../data/splits';
import { evaluationBatch, holeQuality, type RunMetrics } from '../evaluation/reconstruction';
import type { HoleQuality } from '../metrics/masked';
import type { I2IModel, ModelParts, ReconstructOptions } from '../models/types';
import { visiblePart } from '../tasks/masks';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type UnlearnSettings } from '../../shared/settings';
import { Unlearner } from './unlearner';
import { outputMetrics, type OutputMetrics } from '../evaluation/output-metrics';
import type { Classifier } from '../models/classifier';
import { CALIBRATION_IMAGES, calibrationSlice } from './calibration';
import { noiseLevelDiagnostics, type NoiseLevelBucket } from '../evaluation/noise-levels';
import { PaletteModel } from '../models/palette';

/** Held-out images per set behind the noise-level diagnostics: the CLI's default too. */
const NOISE_LEVEL_IMAGES = 100;

/** Images of one set as plain arrays (they cross to the UI as transferables). Values in [0, 1], NHWC. */
export interface ImageStack {
  count: number;
  height: number;
  width: number;
  channels: number;
  pixels: Float32Array;
}

export interface GridRows {
  input: ImageStack;
  original: ImageStack;
  unlearned: ImageStack;
  truth: ImageStack;
}

export interface ReconstructionGrid {
  forget: GridRows;
  retain: GridRows;
}

async function toStack(images: tf.Tensor4D): Promise<ImageStack> {
  const [count, height, width, channels] = images.shape;
  return { count, height, width, channels, pixels: (await images.data()) as Float32Array };
}

function copyStack(stack: ImageStack): ImageStack {
  return { ...stack, pixels: stack.pixels.slice() };
}

/** One unlearning run over a class split: the trainer plus what the studio and the CLI show of it. */
export class UnlearningRun {
  readonly unlearner: Unlearner;
  private readonly evalSets: { forget: ImageSet; retain: ImageSet };
  private readonly previewSets: { forget: ImageSet; retain: ImageSet };
  private readonly heldOut: { forget: ImageSet; retain: ImageSet };
  private calibrationSlices?: { forget: ImageSet; retain: ImageSet };
  private originalCalibration?: { forgetPsnr: number; retainPsnr: number };
  private readonly evalImages: number;
  private fixedRows?: { forget: Omit<GridRows, 'unlearned'>; retain: Omit<GridRows, 'unlearned'> };
  private original?: { forget: HoleQuality; retain: HoleQuality };
  private readonly sampling: Pick<ReconstructOptions, 'sampleSteps' | 'sampler'>;

  constructor(
    readonly model: I2IModel,
    split: ClassSplit,
    settings: UnlearnSettings,
    options: RunOptions = DEFAULT_RUN_OPTIONS,
  ) {
    this.unlearner = new Unlearner(model, split.forgetTrain, split.retainTrain, settings);
    this.evalSets = { forget: take(split.forgetTest, options.evalImages), retain: take(split.retainTest, options.evalImages) };
    this.previewSets = { forget: take(split.forgetTest, options.previewImages), retain: take(split.retainTest, options.previewImages) };
    this.sampling = { sampleSteps: options.sampleSteps, sampler: options.sampler };
    this.heldOut = { forget: split.forgetTest, retain: split.retainTest };
    this.evalImages = options.evalImages;
  }

  /**
   * Forget and retain hole PSNR of `model` (default: the one being unlearned; or a reference such
   * as the retrained model) on the calibration slice: held-out images apart from the ones the final
   * metrics use, so stopping on them does not tune the run to its own score. `parts` picks other
   * weights for the same model (the frozen original's).
   */
  async calibrationQuality(model: I2IModel = this.model, parts: ModelParts = model): Promise<{ forgetPsnr: number; retainPsnr: number }> {
    const sets = this.calibrationSets();
    return { forgetPsnr: await this.holePsnr(sets.forget, model, parts), retainPsnr: await this.holePsnr(sets.retain, model, parts) };
  }

  /** Hole PSNR of `model` (with `parts`' weights) on `set`, with the run's task and sampler. */
  async holePsnr(set: ImageSet, model: I2IModel = this.model, parts: ModelParts = model): Promise<number> {
    return (await holeQuality(model, this.unlearner.task, set, parts, undefined, this.sampling)).psnr;
  }

  /** The frozen original's quality on the calibration slice: where a calibrated run starts from. */
  async originalCalibrationQuality(): Promise<{ forgetPsnr: number; retainPsnr: number }> {
    this.originalCalibration ??= await this.calibrationQuality(this.model, this.unlearner.original);
    return this.originalCalibration;
  }

  private calibrationSets(): { forget: ImageSet; retain: ImageSet } {
    this.calibrationSlices ??= {
      forget: calibrationSlice(this.heldOut.forget, CALIBRATION_IMAGES, this.evalImages),
      retain: calibrationSlice(this.heldOut.retain, CALIBRATION_IMAGES, this.evalImages),
    };
    return this.calibrationSlices;
  }

  /** The frozen original's quality (its encoder and decoder as they were), computed once. */
  async originalMetrics(onBatch?: (images: number) => void | Promise<void>): Promise<{ forget: HoleQuality; retain: HoleQuality }> {
    this.original ??= {
      forget: await this.quality(this.evalSets.forget, this.unlearner.original, onBatch),
      retain: await this.quality(this.evalSets.retain, this.unlearner.original, onBatch),
    };
    return this.original;
  }

  /**
   * The original's and the unlearned model's quality on the held-out sets. `onProgress` hears the
   * images judged so far after each batch (the evaluation costs minutes on a slow adapter); it may
   * throw to cut the evaluation short.
   */
  async metrics(onProgress?: (done: number, total: number) => void | Promise<void>): Promise<RunMetrics> {
    const perModel = this.evalSets.forget.count + this.evalSets.retain.count;
    const total = this.original ? perModel : 2 * perModel;
    let done = 0;
    const onBatch = onProgress && ((images: number) => onProgress((done += images), total));
    const original = await this.originalMetrics(onBatch);
    return {
      forget: { original: original.forget, unlearned: await this.quality(this.evalSets.forget, this.model, onBatch) },
      retain: { original: original.retain, unlearned: await this.quality(this.evalSets.retain, this.model, onBatch) },
    };
  }

  /**
   * The paper's output metrics (FID, IS and cosine in the classifier's features, hole PSNR, MSE and
   * SSIM) of the original and the unlearned model on the held-out sets.
   */
  async outputMetrics(classifier: Classifier): Promise<Record<'forget' | 'retain', { original: OutputMetrics; unlearned: OutputMetrics }>> {
    const judge = (set: ImageSet, parts: ModelParts) => outputMetrics(this.model, this.unlearner.task, set, classifier, parts, undefined, this.sampling);
    return {
      forget: { original: await judge(this.evalSets.forget, this.unlearner.original), unlearned: await judge(this.evalSets.forget, this.model) },
      retain: { original: await judge(this.evalSets.retain, this.unlearner.original), unlearned: await judge(this.evalSets.retain, this.model) },
    };
  }

  /**
   * For a diffusion model, where along the noise levels it forgets: L_F, L_R and the one-step
   * ε-prediction error per bucket of timesteps, for the original and the model now, on the first
   * held-out images of each set. Undefined for the other families, which have no noise levels.
   */
  async noiseLevels(images = NOISE_LEVEL_IMAGES): Promise<{ original: NoiseLevelBucket[]; unlearned: NoiseLevelBucket[] } | undefined> {
    if (!(this.model instanceof PaletteModel)) return undefined;
    const sets = { forget: take(this.heldOut.forget, images), retain: take(this.heldOut.retain, images) };
    const { teacher, task } = this.unlearner;
    return {
      original: await noiseLevelDiagnostics(this.model, this.unlearner.original, teacher, task, sets),
      unlearned: await noiseLevelDiagnostics(this.model, this.model, teacher, task, sets),
    };
  }

  /** Another model's quality (the retrained reference, say) on the same held-out images as `metrics`. */
  async heldOutQuality(model: I2IModel): Promise<{ forget: HoleQuality; retain: HoleQuality }> {
    return {
      forget: await holeQuality(model, this.unlearner.task, this.evalSets.forget, model, undefined, this.sampling),
      retain: await holeQuality(model, this.unlearner.task, this.evalSets.retain, model, undefined, this.sampling),
    };
  }

  private quality(set: ImageSet, parts: ModelParts = this.model, onBatch?: (images: number) => void | Promise<void>): Promise<HoleQuality> {
    return holeQuality(this.model, this.unlearner.task, set, parts, undefined, this.sampling, onBatch);
  }

  private async rows(set: ImageSet, withFixed: boolean, options: ReconstructOptions): Promise<Partial<GridRows>> {
    const batch = evaluationBatch(this.unlearner.task, batchTensor(set, allIndices(set)), 0);
    const unlearned = await this.model.reconstruct(batch, this.model, options);
    const rows: Partial<GridRows> = { unlearned: await toStack(unlearned) };
    if (withFixed) {
      const input = visiblePart(batch.images, batch.mask);
      const original = await this.model.reconstruct(batch, this.unlearner.original, options);
      Object.assign(rows, { input: await toStack(input), original: await toStack(original), truth: await toStack(batch.images) });
      tf.dispose([input, original]);
    }
    tf.dispose([batch.images, batch.mask, unlearned]);
    return rows;
  }

  /**
   * Input | original | unlearned | truth for the preview images; only the unlearned column changes.
   * `onProgress` follows multi-pass decoders (diffusion sampling) through the whole grid.
   */
  async grid(onProgress?: (done: number, total: number) => void): Promise<ReconstructionGrid> {
    const first = !this.fixedRows;
    // Two sets, each reconstructed by the unlearned model and, the first time, by the original too.
    const passes = first ? 4 : 2;
    let pass = 0;
    const options: ReconstructOptions = {
      ...this.sampling,
      onProgress: onProgress && ((done, total) => {
        onProgress(pass * total + done, passes * total);
        if (done === total) pass++;
      }),
    };
    const forget = await this.rows(this.previewSets.forget, first, options);
    const retain = await this.rows(this.previewSets.retain, first, options);
    if (first) {
      this.fixedRows = {
        forget: { input: forget.input!, original: forget.original!, truth: forget.truth! },
        retain: { input: retain.input!, original: retain.original!, truth: retain.truth! },
      };
    }
    const fixed = this.fixedRows!;
    // Copies: the caller may transfer (and so detach) the buffers.
    const full = (f: typeof fixed.forget, unlearned: ImageStack): GridRows => ({
      input: copyStack(f.input),
      original: copyStack(f.original),
      truth: copyStack(f.truth),
      unlearned,
    });
    return { forget: full(fixed.forget, forget.unlearned!), retain: full(fixed.retain, retain.unlearned!) };
  }

  dispose(): void {
    this.unlearner.dispose();
  }
}

import * as tf from '@tensorflow/tfjs';
import { useDeviceGradients } from '../backend/device-gradients';
import { DeviceImages } from '../data/device-images';
import type { ImageSet } from '../data/image-set';
import type { I2IModel, ModelPart, ModelParts } from '../models/types';
import { HYBRID_MASKS, resolveTask, type TaskSpec } from '../../shared/tasks';
import { IndexSampler, SeededRandom, type SamplerState } from '../random';
import { METHOD_REGISTRY, METHODS, type UnlearningMethod } from './methods';
import { AdamW, DEFAULT_ADAMW, warmupCosine, type AdamWState } from './optimizer';
import { validateSettings, type StepReport, type UnlearnSettings } from '../../shared/settings';

/** Where a run is besides its weights: restored into a fresh Unlearner, it goes on exactly as the run would have. */
export interface UnlearnerState {
  step: number;
  optimizer: AdamWState;
  /** The batch-order stream and each set's pass through its images. */
  random: number;
  forgetSampler: SamplerState;
  retainSampler: SamplerState;
}

/**
 * Runs the selected unlearning method (settings.method): each step draws a half-forget,
 * half-retain batch, takes the method's loss and applies one AdamW update to what the method trains.
 */
export class Unlearner {
  /** The frozen original encoder E_θ0. */
  readonly teacher: ModelPart;
  /**
   * The frozen original decoder D_φ0: the model's own decoder when the method leaves it alone,
   * a copy when the method trains it.
   */
  readonly originalDecoder: ModelPart;
  /** The task this run unlearns on: settings.task, or the model's default. */
  readonly task: TaskSpec;
  private readonly method: UnlearningMethod;
  private readonly optimizer: AdamW;
  private readonly sampleForget: (n: number) => number[];
  private readonly sampleRetain: (n: number) => number[];
  private readonly random: SeededRandom;
  private readonly forgetSampler: IndexSampler;
  private readonly retainSampler: IndexSampler;
  private readonly forgetImages: DeviceImages;
  private readonly retainImages: DeviceImages;
  private stepIndex = 0;

  constructor(
    readonly model: I2IModel,
    forget: ImageSet,
    retain: ImageSet,
    readonly settings: UnlearnSettings,
  ) {
    useDeviceGradients();
    validateSettings(settings);
    this.task = resolveTask(model.card, settings.task);
    if (forget.count === 0) throw new Error('the forget set is empty');
    if (retain.count === 0) throw new Error('the retain set is empty');
    this.teacher = model.cloneEncoder();
    const trainsDecoder = METHODS.find((m) => m.id === settings.method)!.trains === 'whole model';
    this.originalDecoder = trainsDecoder ? model.cloneDecoder() : model.decoder;
    // The steps may draw other masks than the task the run is judged on (Palette's official hybrid masks).
    const unlearnTask = settings.unlearnMasks === 'hybrid' ? HYBRID_MASKS : this.task;
    this.method = METHOD_REGISTRY[settings.method]({ model, task: unlearnTask, teacher: this.teacher, originalDecoder: this.originalDecoder, settings });
    const { beta2, weightDecay, clipNorm } = settings;
    this.optimizer = new AdamW(this.method.variables, { ...DEFAULT_ADAMW, beta2, weightDecay, clipNorm: clipNorm || Infinity });
    this.random = new SeededRandom(settings.seed);
    const next = () => this.random.next();
    this.forgetSampler = new IndexSampler(forget.count, next);
    this.retainSampler = new IndexSampler(retain.count, next);
    this.sampleForget = (n) => this.forgetSampler.draw(n);
    this.sampleRetain = (n) => this.retainSampler.draw(n);
    this.forgetImages = new DeviceImages(forget);
    this.retainImages = new DeviceImages(retain);
  }

  /** The original model as it was before this run: what the unlearned model is compared with. */
  get original(): ModelParts {
    return { encoder: this.teacher, decoder: this.originalDecoder };
  }

  get completedSteps(): number {
    return this.stepIndex;
  }

  get done(): boolean {
    return this.stepIndex >= this.settings.steps;
  }

  /**
   * One step. Its work is queued before the first await, so the next step may be dispatched
   * before this one's numbers are read back (a GPU then never idles on the read-back).
   */
  async step(): Promise<StepReport> {
    const started = performance.now();
    const { alpha, batchSize, steps, learningRate, warmupFraction, seed } = this.settings;
    const forgetCount = Math.floor(batchSize / 2);
    const xf = this.forgetImages.gather(this.sampleForget(forgetCount));
    const xr = this.retainImages.gather(this.sampleRetain(batchSize - forgetCount));
    const lr = this.settings.schedule === 'constant' ? learningRate : warmupCosine(this.stepIndex, steps, Math.round(steps * warmupFraction), learningRate);
    const variables = this.method.variables;
    // A distinct non-zero seed per run seed and step (tfjs reads 0 as "unseeded").
    const stepSeed = seed * 100_003 + this.stepIndex + 1;
    this.stepIndex += 1;
    const step = this.stepIndex;
    const readings = tf.tidy(() => {
      const objective = this.method.objective({ forget: xf, retain: xr, seed: stepSeed });
      let retainLoss: tf.Scalar | undefined;
      let forgetLoss: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const terms = objective();
        retainLoss = tf.keep(terms.retain);
        forgetLoss = tf.keep(terms.forget);
        return terms.total;
      }, variables);
      const gradNorm = this.optimizer.apply(variables.map((v) => grads[v.name]), lr);
      const stacked = tf.stack([value, retainLoss!, tf.mul(forgetLoss!, alpha), gradNorm]);
      tf.dispose([retainLoss!, forgetLoss!]);
      return stacked;
    });
    tf.dispose([xf, xr]);
    const [total, retainLoss, weightedForgetLoss, gradNorm] = await readings.data();
    readings.dispose();
    return {
      step,
      retainLoss,
      weightedForgetLoss,
      total,
      learningRate: lr,
      gradNorm,
      ms: performance.now() - started,
    };
  }

  /** Puts the original weights back (the next run starts from the original model) and frees the run. */
  dispose(): void {
    this.model.encoder.setWeights(this.teacher.getWeights());
    if (this.originalDecoder !== this.model.decoder) {
      this.model.decoder.setWeights(this.originalDecoder.getWeights());
      this.originalDecoder.dispose();
    }
    this.optimizer.dispose();
    this.teacher.dispose();
    this.forgetImages.dispose();
    this.retainImages.dispose();
  }

  /** The run's state after the steps done; take it between steps (none in flight), with the model's weights beside it. */
  async checkpoint(): Promise<UnlearnerState> {
    return {
      step: this.stepIndex,
      optimizer: await this.optimizer.save(),
      random: this.random.state,
      forgetSampler: this.forgetSampler.save(),
      retainSampler: this.retainSampler.save(),
    };
  }

  /** Continues a run from its checkpoint (the model must already hold the checkpoint's weights). */
  restore(state: UnlearnerState): void {
    if (!(Number.isInteger(state.step) && state.step > 0 && state.step < this.settings.steps)) {
      throw new Error(`a checkpoint after step ${state.step} does not fit a run of ${this.settings.steps} steps`);
    }
    this.optimizer.restore(state.optimizer);
    this.forgetSampler.restore(state.forgetSampler);
    this.retainSampler.restore(state.retainSampler);
    this.random.state = state.random;
    this.stepIndex = state.step;
  }
}

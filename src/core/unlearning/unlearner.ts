import * as tf from '@tensorflow/tfjs';
import { batchTensor, type ImageSet } from '../data/image-set';
import type { I2IModel, ModelPart, ModelParts } from '../models/types';
import { resolveTask, type TaskSpec } from '../tasks/task';
import { createIndexSampler, createRng } from '../random';
import { METHOD_REGISTRY, METHODS, type UnlearningMethod } from './methods';
import { AdamW, DEFAULT_ADAMW, warmupCosine } from './optimizer';
import { validateSettings, type StepReport, type UnlearnSettings } from './settings';

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
  private stepIndex = 0;

  constructor(
    readonly model: I2IModel,
    private readonly forget: ImageSet,
    private readonly retain: ImageSet,
    readonly settings: UnlearnSettings,
  ) {
    validateSettings(settings);
    this.task = resolveTask(model.card, settings.task);
    if (forget.count === 0) throw new Error('the forget set is empty');
    if (retain.count === 0) throw new Error('the retain set is empty');
    this.teacher = model.cloneEncoder();
    const trainsDecoder = METHODS.find((m) => m.id === settings.method)!.trains === 'whole model';
    this.originalDecoder = trainsDecoder ? model.cloneDecoder() : model.decoder;
    this.method = METHOD_REGISTRY[settings.method]({ model, task: this.task, teacher: this.teacher, originalDecoder: this.originalDecoder, settings });
    this.optimizer = new AdamW(this.method.variables, DEFAULT_ADAMW);
    const rng = createRng(settings.seed);
    this.sampleForget = createIndexSampler(forget.count, rng);
    this.sampleRetain = createIndexSampler(retain.count, rng);
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

  async step(): Promise<StepReport> {
    const started = performance.now();
    const { alpha, batchSize, steps, learningRate, warmupFraction, seed } = this.settings;
    const forgetCount = Math.floor(batchSize / 2);
    const xf = batchTensor(this.forget, this.sampleForget(forgetCount));
    const xr = batchTensor(this.retain, this.sampleRetain(batchSize - forgetCount));
    const lr = warmupCosine(this.stepIndex, steps, Math.round(steps * warmupFraction), learningRate);
    const variables = this.method.variables;
    const readings = tf.tidy(() => {
      // A distinct non-zero seed per run seed and step (tfjs reads 0 as "unseeded").
      const objective = this.method.objective({ forget: xf, retain: xr, seed: seed * 100_003 + this.stepIndex + 1 });
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
    this.stepIndex += 1;
    return {
      step: this.stepIndex,
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
  }
}

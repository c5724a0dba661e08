import * as tf from '@tensorflow/tfjs';
import { batchTensor, type ImageSet } from '../data/image-set';
import type { I2IModel } from '../models/types';
import { createIndexSampler, createRng } from '../random';
import { applyTask } from '../tasks/inpainting';
import { noiseImages } from './noise';
import { unlearningObjective } from './objective';
import { AdamW, DEFAULT_ADAMW, warmupCosine } from './optimizer';
import { validateSettings, type StepReport, type UnlearnSettings } from './settings';


/**
 * The paper's method (Eq. 10): fine-tune only the encoder so that retain encodings stay at the
 * frozen original's and forget encodings move to the original's encoding of a noise image.
 */
export class Unlearner {
  readonly teacher: tf.LayersModel;
  private readonly optimizer: AdamW;
  private readonly encoderVariables: tf.Variable[];
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
    if (forget.count === 0) throw new Error('the forget set is empty');
    if (retain.count === 0) throw new Error('the retain set is empty');
    this.teacher = model.cloneEncoder();
    model.decoder.trainable = false;
    this.encoderVariables = model.encoder.trainableWeights.map((w) => w.read() as tf.Variable);
    this.optimizer = new AdamW(this.encoderVariables, DEFAULT_ADAMW);
    const rng = createRng(settings.seed);
    this.sampleForget = createIndexSampler(forget.count, rng);
    this.sampleRetain = createIndexSampler(retain.count, rng);
  }

  get completedSteps(): number {
    return this.stepIndex;
  }

  get done(): boolean {
    return this.stepIndex >= this.settings.steps;
  }

  async step(): Promise<StepReport> {
    const started = performance.now();
    const { alpha, batchSize, steps, learningRate, warmupFraction, noise, seed } = this.settings;
    const forgetCount = Math.floor(batchSize / 2);
    const xf = batchTensor(this.forget, this.sampleForget(forgetCount));
    const xr = batchTensor(this.retain, this.sampleRetain(batchSize - forgetCount));
    const lr = warmupCosine(this.stepIndex, steps, Math.round(steps * warmupFraction), learningRate);
    const readings = tf.tidy(() => {
      const task = this.model.card.task;
      // Noise statistics come from the whole mixed batch, as in the official code.
      const noiseBatch = noiseImages(tf.concat([xf, xr]) as tf.Tensor4D, noise, seed * 100_003 + this.stepIndex + 1);
      const noiseForForget = tf.slice(noiseBatch, 0, forgetCount) as tf.Tensor4D;
      // One task transform per set; student and teacher see the same masked inputs.
      const inputForget = applyTask(task, xf);
      const inputRetain = applyTask(task, xr);
      const teacherRetain = this.model.encode(inputRetain, this.teacher);
      const teacherNoise = this.model.encode(applyTask(task, noiseForForget), this.teacher);
      let retainLoss: tf.Scalar | undefined;
      let forgetLoss: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const terms = unlearningObjective(
          this.model.encode(inputRetain),
          teacherRetain,
          this.model.encode(inputForget),
          teacherNoise,
          alpha,
        );
        retainLoss = tf.keep(terms.retain);
        forgetLoss = tf.keep(terms.forget);
        return terms.total;
      }, this.encoderVariables);
      const gradNorm = this.optimizer.apply(this.encoderVariables.map((v) => grads[v.name]), lr);
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

  /** Puts the original encoder back (the next run starts from the original model) and frees the run. */
  dispose(): void {
    this.model.encoder.setWeights(this.teacher.getWeights());
    this.optimizer.dispose();
    this.teacher.dispose();
  }
}

import * as tf from '@tensorflow/tfjs';
import { useDeviceGradients } from '../backend/device-gradients';
import { DeviceImages } from '../data/device-images';
import type { ImageSet } from '../data/image-set';
import type { TaskSpec } from '../../shared/tasks';
import type { I2IModel } from '../models/types';
import { IndexSampler, SeededRandom, type SamplerState } from '../random';
import { taskBatch } from '../tasks/masks';
import { AdamW, DEFAULT_ADAMW, warmupCosine, type AdamWState } from '../unlearning/optimizer';
import { WeightAverage } from './weight-average';

export interface PretrainSettings {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Extra weight of hidden pixels in pixel losses: the visible part is easy, the hole is the task. */
  holeWeight: number;
  seed: number;
  /** Train on these tasks only (default: every task of the model's card). */
  tasks?: readonly TaskSpec[];
  /** Keep an exponential moving average of the weights with this decay, and end on it (0: none). */
  emaDecay?: number;
}

export const DEFAULT_PRETRAIN: PretrainSettings = {
  steps: 3000,
  batchSize: 64,
  learningRate: 2e-3,
  warmupSteps: 100,
  holeWeight: 4,
  seed: 1,
};

/** Where a training is besides its weights (see UnlearnerState). */
export interface PretrainerState {
  step: number;
  optimizer: AdamWState;
  random: number;
  sampler: SamplerState;
  /** The weight average, when the training keeps one. */
  average?: Float32Array[];
}

/**
 * Trains a whole I2I model (encoder and decoder) on its tasks with the family's L_task. A model
 * with several tasks gets one, drawn at random, per step.
 */
export class Pretrainer {
  private readonly optimizer: AdamW;
  private readonly variables: tf.Variable[];
  private readonly sample: (n: number) => number[];
  private readonly rng: () => number;
  private readonly random: SeededRandom;
  private readonly sampler: IndexSampler;
  private readonly tasks: readonly TaskSpec[];
  private readonly images: DeviceImages;
  private readonly average?: WeightAverage;
  private stepIndex = 0;

  constructor(
    readonly model: I2IModel,
    data: ImageSet,
    readonly settings: PretrainSettings,
  ) {
    useDeviceGradients();
    this.variables = [...model.encoder.variables, ...model.decoder.variables];
    // No weight decay: pretraining from scratch on a small model wants every unit it has.
    this.optimizer = new AdamW(this.variables, { ...DEFAULT_ADAMW, weightDecay: 0, beta2: 0.999 });
    this.random = new SeededRandom(settings.seed);
    this.rng = () => this.random.next();
    this.sampler = new IndexSampler(data.count, this.rng);
    this.sample = (n) => this.sampler.draw(n);
    this.tasks = settings.tasks ?? model.card.tasks;
    this.images = new DeviceImages(data);
    if (settings.emaDecay) this.average = new WeightAverage(this.variables, settings.emaDecay);
  }

  get completedSteps(): number {
    return this.stepIndex;
  }

  /** One step; as Unlearner.step, its work is queued before the first await. */
  async step(): Promise<number> {
    const { steps, batchSize, learningRate, warmupSteps, seed, holeWeight } = this.settings;
    // Single-task models draw nothing here, so their batch order stays what it was when they shipped.
    const task = this.tasks.length === 1 ? this.tasks[0] : this.tasks[Math.floor(this.rng() * this.tasks.length)];
    const x = this.images.gather(this.sample(batchSize));
    const lr = warmupCosine(this.stepIndex, steps, warmupSteps, learningRate);
    // A distinct non-zero seed per step for masks and the family's own draws.
    const stepSeed = seed * 100_003 + this.stepIndex + 1;
    this.stepIndex += 1;
    const loss = tf.tidy(() => {
      const batch = taskBatch(task, x, stepSeed);
      const { value, grads } = tf.variableGrads(() => tf.mean(this.model.taskLoss(batch, this.model, holeWeight)) as tf.Scalar, this.variables);
      tf.dispose(this.optimizer.apply(this.variables.map((v) => grads[v.name]), lr));
      return value;
    });
    this.average?.update();
    x.dispose();
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  }

  /** Runs `work` (a checkpoint's save) with the weights the training would end on in the model. */
  withFinalWeights<T>(work: () => Promise<T>): Promise<T> {
    return this.average ? this.average.withAveraged(work) : work();
  }

  /** Ends the training: a model kept averaged weights takes them. */
  finish(): void {
    this.average?.apply();
  }

  dispose(): void {
    this.optimizer.dispose();
    this.images.dispose();
    this.average?.dispose();
  }

  /** The training's state after the steps done; take it between steps, with the model's weights beside it. */
  async checkpoint(): Promise<PretrainerState> {
    const average = this.average && { average: await this.average.save() };
    return { step: this.stepIndex, optimizer: await this.optimizer.save(), random: this.random.state, sampler: this.sampler.save(), ...average };
  }

  /** Continues a training from its checkpoint (the model must already hold the checkpoint's weights). */
  restore(state: PretrainerState): void {
    if (!(Number.isInteger(state.step) && state.step > 0 && state.step < this.settings.steps)) {
      throw new Error(`a checkpoint after step ${state.step} does not fit a training of ${this.settings.steps} steps`);
    }
    if (Boolean(state.average) !== Boolean(this.average)) throw new Error('the checkpoint and the training disagree on keeping a weight average');
    this.optimizer.restore(state.optimizer);
    if (state.average) this.average?.restore(state.average);
    this.sampler.restore(state.sampler);
    this.random.state = state.random;
    this.stepIndex = state.step;
  }
}

import * as tf from '@tensorflow/tfjs';
import { batchTensor, type ImageSet } from '../data/image-set';
import type { I2IModel } from '../models/types';
import { createIndexSampler, createRng } from '../random';
import { drawMask } from '../tasks/masks';
import { AdamW, DEFAULT_ADAMW, warmupCosine } from '../unlearning/optimizer';

export interface PretrainSettings {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Extra weight of hidden pixels in pixel losses: the visible part is easy, the hole is the task. */
  holeWeight: number;
  seed: number;
}

export const DEFAULT_PRETRAIN: PretrainSettings = {
  steps: 3000,
  batchSize: 64,
  learningRate: 2e-3,
  warmupSteps: 100,
  holeWeight: 4,
  seed: 1,
};

/**
 * Trains a whole I2I model (encoder and decoder) on its tasks with the family's L_task. A model
 * with several tasks gets one, drawn at random, per step.
 */
export class Pretrainer {
  private readonly optimizer: AdamW;
  private readonly variables: tf.Variable[];
  private readonly sample: (n: number) => number[];
  private readonly rng: () => number;
  private stepIndex = 0;

  constructor(
    readonly model: I2IModel,
    private readonly data: ImageSet,
    readonly settings: PretrainSettings,
  ) {
    this.variables = [...model.encoder.variables, ...model.decoder.variables];
    // No weight decay: pretraining from scratch on a small model wants every unit it has.
    this.optimizer = new AdamW(this.variables, { ...DEFAULT_ADAMW, weightDecay: 0, beta2: 0.999 });
    this.rng = createRng(settings.seed);
    this.sample = createIndexSampler(data.count, this.rng);
  }

  get completedSteps(): number {
    return this.stepIndex;
  }

  async step(): Promise<number> {
    const { steps, batchSize, learningRate, warmupSteps, seed, holeWeight } = this.settings;
    const tasks = this.model.card.tasks;
    // Single-task models draw nothing here, so their batch order stays what it was when they shipped.
    const task = tasks.length === 1 ? tasks[0] : tasks[Math.floor(this.rng() * tasks.length)];
    const x = batchTensor(this.data, this.sample(batchSize));
    const lr = warmupCosine(this.stepIndex, steps, warmupSteps, learningRate);
    // A distinct non-zero seed per step for masks and the family's own draws.
    const stepSeed = seed * 100_003 + this.stepIndex + 1;
    const loss = tf.tidy(() => {
      const batch = { images: x, mask: drawMask(task, batchSize, this.data.height, this.data.width, stepSeed), seed: stepSeed };
      const { value, grads } = tf.variableGrads(() => tf.mean(this.model.taskLoss(batch, this.model, holeWeight)) as tf.Scalar, this.variables);
      tf.dispose(this.optimizer.apply(this.variables.map((v) => grads[v.name]), lr));
      return value;
    });
    x.dispose();
    const value = (await loss.data())[0];
    loss.dispose();
    this.stepIndex += 1;
    return value;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

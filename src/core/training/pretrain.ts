import * as tf from '@tensorflow/tfjs';
import { batchTensor, type ImageSet } from '../data/image-set';
import type { I2IModel } from '../models/types';
import { createIndexSampler, createRng } from '../random';
import { applyTask, holeMask } from '../tasks/inpainting';
import { AdamW, DEFAULT_ADAMW, warmupCosine } from '../unlearning/optimizer';

export interface PretrainSettings {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Extra weight of hole pixels in the loss: the visible part is easy, the hole is the task. */
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

/** Trains a whole I2I model (encoder and decoder) on its task: rebuild x from T(x). */
export class Pretrainer {
  private readonly optimizer: AdamW;
  private readonly variables: tf.Variable[];
  private readonly sample: (n: number) => number[];
  private readonly lossWeights: tf.Tensor4D;
  private stepIndex = 0;

  constructor(
    readonly model: I2IModel,
    private readonly data: ImageSet,
    readonly settings: PretrainSettings,
  ) {
    this.variables = [...model.encoder.trainableWeights, ...model.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
    // No weight decay: pretraining from scratch on a small model wants every unit it has.
    this.optimizer = new AdamW(this.variables, { ...DEFAULT_ADAMW, weightDecay: 0, beta2: 0.999 });
    this.sample = createIndexSampler(data.count, createRng(settings.seed));
    this.lossWeights = tf.tidy(() => tf.add(1, tf.mul(holeMask(model.card.task, data.height, data.width), settings.holeWeight - 1)) as tf.Tensor4D);
  }

  get completedSteps(): number {
    return this.stepIndex;
  }

  async step(): Promise<number> {
    const { steps, batchSize, learningRate, warmupSteps } = this.settings;
    const x = batchTensor(this.data, this.sample(batchSize));
    const lr = warmupCosine(this.stepIndex, steps, warmupSteps, learningRate);
    const loss = tf.tidy(() => {
      const input = applyTask(this.model.card.task, x);
      const { value, grads } = tf.variableGrads(() => {
        const output = this.model.decode(this.model.encode(input));
        return tf.mean(tf.mul(tf.squaredDifference(output, x), this.lossWeights)) as tf.Scalar;
      }, this.variables);
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
    this.lossWeights.dispose();
  }
}

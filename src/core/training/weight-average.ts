import * as tf from '@tensorflow/tfjs';

/**
 * An exponential moving average of a model's weights, as the official Palette trains (`netG_EMA`,
 * `ema_decay`) and samples from: a diffusion model's samples from the averaged weights are cleaner
 * than from the last step's, whose noise the sampler compounds over its steps.
 */
export class WeightAverage {
  private readonly averages: tf.Variable[];

  constructor(
    private readonly variables: tf.Variable[],
    readonly decay: number,
  ) {
    if (!(decay > 0 && decay < 1)) throw new Error(`a weight average's decay must lie between 0 and 1, not ${decay}`);
    this.averages = variables.map((v) => tf.variable(v.clone(), false));
  }

  /** Folds the weights as they are now into the average. */
  update(): void {
    tf.tidy(() => {
      const keep = tf.scalar(this.decay);
      const take = tf.scalar(1 - this.decay);
      this.averages.forEach((average, i) => average.assign(tf.add(tf.mul(average, keep), tf.mul(this.variables[i], take))));
    });
  }

  /** Runs `work` with the averaged weights in the model, then puts the trained ones back. */
  async withAveraged<T>(work: () => Promise<T>): Promise<T> {
    const trained = this.variables.map((v) => v.clone());
    this.variables.forEach((v, i) => v.assign(this.averages[i]));
    try {
      return await work();
    } finally {
      this.variables.forEach((v, i) => v.assign(trained[i]));
      tf.dispose(trained);
    }
  }

  /** Puts the averaged weights in the model for good (the end of a training). */
  apply(): void {
    this.variables.forEach((v, i) => v.assign(this.averages[i]));
  }

  async save(): Promise<Float32Array[]> {
    return Promise.all(this.averages.map(async (a) => ((await a.data()) as Float32Array).slice()));
  }

  restore(values: Float32Array[]): void {
    if (values.length !== this.averages.length || values.some((v, i) => v.length !== this.averages[i].size)) {
      throw new Error('the saved weight average does not fit the model it is restored into');
    }
    this.averages.forEach((a, i) => tf.tidy(() => a.assign(tf.tensor(values[i], a.shape, 'float32'))));
  }

  dispose(): void {
    tf.dispose(this.averages);
  }
}

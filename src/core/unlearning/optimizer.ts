import * as tf from '@tensorflow/tfjs';

/** The official code's optimiser: AdamW β=(0.9, 0.95), decoupled weight decay 0.05 (not on biases). */
export interface AdamWConfig {
  beta1: number;
  beta2: number;
  /** Pinned: tfjs picks a backend-dependent default (1e-7 on cpu, 1e-4 on webgl). */
  epsilon: number;
  weightDecay: number;
  clipNorm: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.05, clipNorm: 3 };

/** Linear warm-up to `peak`, then half-cosine decay to zero at `total`. */
export function warmupCosine(step: number, total: number, warmup: number, peak: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Decay only matrices and kernels, as the official code does (biases and norms are 1-D). */
function decays(variable: tf.Variable): boolean {
  return variable.rank > 1;
}

/** Everything an AdamW update depends on besides the weights: with it a resumed run goes on exactly. */
export interface AdamWState {
  steps: number;
  /** Per variable, in the optimiser's variable order. */
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

export class AdamW {
  private readonly firstMoments: tf.Variable[];
  private readonly secondMoments: tf.Variable[];
  private stepCount = 0;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly config: AdamWConfig = DEFAULT_ADAMW,
  ) {
    // A variable keeps its own reference to the data: the zeros it starts from are freed at once.
    const zeroVariable = (v: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false));
    this.firstMoments = variables.map(zeroVariable);
    this.secondMoments = variables.map(zeroVariable);
  }

  get steps(): number {
    return this.stepCount;
  }

  /**
   * Clips the gradients to a global L2 norm, applies one update and returns the pre-clip norm
   * as a scalar tensor (the caller reads it with the losses: one GPU readback per step).
   */
  apply(gradients: tf.Tensor[], learningRate: number): tf.Scalar {
    const { beta1, beta2, epsilon, weightDecay, clipNorm } = this.config;
    this.stepCount += 1;
    return tf.tidy(() => {
      // Each number becomes a tensor once per step, not once per variable: every one is an upload on a GPU.
      const [b1, b1Rest, b2, b2Rest, eps, lr, decay, correction1, correction2] = [
        beta1, 1 - beta1, beta2, 1 - beta2, epsilon, learningRate, learningRate * weightDecay,
        1 - beta1 ** this.stepCount, 1 - beta2 ** this.stepCount,
      ].map((value) => tf.scalar(value));
      // stack + sum, not addN: webgpu's AddN binds one buffer per input and fails past 8 on some adapters.
      const norm = tf.sqrt(tf.sum(tf.stack(gradients.map((g) => tf.sum(tf.square(g)))))) as tf.Scalar;
      // Infinity clips nothing (Palette's recipe): no scale to compute.
      const scale = Number.isFinite(clipNorm) ? tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6))) : undefined;
      this.variables.forEach((variable, i) => {
        const g = scale ? tf.mul(gradients[i], scale) : gradients[i];
        const m = tf.add(tf.mul(this.firstMoments[i], b1), tf.mul(g, b1Rest));
        const v = tf.add(tf.mul(this.secondMoments[i], b2), tf.mul(tf.square(g), b2Rest));
        this.firstMoments[i].assign(m);
        this.secondMoments[i].assign(v);
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), eps));
        let next = tf.sub(variable, tf.mul(update, lr));
        if (weightDecay > 0 && decays(variable)) next = tf.sub(next, tf.mul(variable, decay));
        variable.assign(next);
      });
      return norm;
    });
  }

  async save(): Promise<AdamWState> {
    // Copies: a backend may hand out its own buffer, and checkpoints are transferred.
    const read = (moments: tf.Variable[]) => Promise.all(moments.map(async (m) => ((await m.data()) as Float32Array).slice()));
    return { steps: this.stepCount, firstMoments: await read(this.firstMoments), secondMoments: await read(this.secondMoments) };
  }

  restore(state: AdamWState): void {
    const fits = (moments: Float32Array[]) => moments.length === this.variables.length && moments.every((m, i) => m.length === this.variables[i].size);
    if (!fits(state.firstMoments) || !fits(state.secondMoments)) throw new Error('the saved optimiser state does not fit the variables it is restored into');
    const assign = (targets: tf.Variable[], values: Float32Array[]) =>
      targets.forEach((target, i) => tf.tidy(() => target.assign(tf.tensor(values[i], target.shape, 'float32'))));
    assign(this.firstMoments, state.firstMoments);
    assign(this.secondMoments, state.secondMoments);
    this.stepCount = state.steps;
  }

  dispose(): void {
    tf.dispose([...this.firstMoments, ...this.secondMoments]);
  }
}

import * as tf from '@tensorflow/tfjs';
import { createRng } from '../random';
import { segmentsOf } from './batches';
import type { ModelFamily } from './families';
import { ParameterPart, init } from './parameters';
import type { I2IModel, ModelCard, ModelPart, ModelParts, ReconstructOptions, TaskBatch } from './types';
import { cardSampling, type DiffusionSampler } from '../../shared/settings';
import { PALETTE_RECIPE } from './recipes';
import { pasteHole } from '../tasks/masks';

/**
 * Palette-style conditional diffusion (Saharia et al. 2022) for inpainting, as in the paper's
 * official unlearning code (jpmorganchase/i2i_Palette-Image-to-Image-Diffusion-Models, branch i2i):
 * a U-Net predicts the noise ε of x_t from [y_cond, x_t, mask], where y_cond is the image with
 * noise in the hidden pixels and x_t is noisy inside the mask and the clean image outside it.
 *
 * The split the unlearning method needs is the U-Net's own: the encoder is the timestep MLP, the
 * input conv, the down blocks and the middle block; its outputs (every down-block output plus the
 * middle block, the official `return_feat`) are what the decoder consumes through its skip
 * connections. As in the official U-Net there is one noise-level embedding (`cond_embed`): the
 * encoder computes it and hands it to the decoder beside the features (it is not one of the
 * compared outputs), so unlearning, which trains it with the encoder, changes what the frozen
 * output blocks receive, as the official code does. decoder(encoder(x)) is the whole denoiser.
 */
export interface PaletteConfig {
  height: number;
  width: number;
  channels: number;
  /**
   * Side of the square pixel blocks the stem conv folds into one feature vector (and the output
   * transposed conv unfolds): 2 runs the U-Net at 14x14 and 7x7 on MNIST, 4x cheaper than 28x28.
   */
  patch: number;
  /** U-Net widths per resolution level; every level after the first halves the resolution. */
  widths: number[];
  /** ResBlocks per level on the way down (the way up has one more per level, as in Palette). */
  resBlocks: number;
  /** Diffusion steps T of the cosine noise schedule. */
  timesteps: number;
  /**
   * `reconstruct`'s sampler unless ReconstructOptions.sampler says otherwise. Ancestral (the
   * official evaluation's DDPM) for new models: one draw of it lands nearer the truth than one of
   * deterministic DDIM, by 0.4-1.6 dB on the shipped model's tasks (README, Models).
   */
  sampler: DiffusionSampler;
  /** Network evaluations of `reconstruct`, whichever the sampler, unless ReconstructOptions.sampleSteps says otherwise. */
  sampleSteps: number;
  seed: number;
}

export const DEFAULT_PALETTE: PaletteConfig = {
  height: 28,
  width: 28,
  channels: 1,
  patch: 2,
  widths: [32, 64],
  resBlocks: 1,
  timesteps: 1000,
  sampler: 'ancestral',
  // A twentieth of the official chain's cost for most of its quality (0.2-0.3 dB short of all 1,000 steps; README, Models).
  sampleSteps: 50,
  seed: 1,
};

/** GroupNorm groups: 8 as long as the channels allow it (every width here is a multiple of 8). */
const GROUPS = 8;

/**
 * ᾱ_t (Palette's "gammas") of the cosine schedule (Nichol & Dhariwal 2021) for t = 0..T-1, β
 * capped at 0.999: the schedule meant for small images, where a linear one wastes steps on noise.
 */
export function cosineGammas(timesteps: number): Float64Array {
  const s = 0.008;
  const f = (t: number) => Math.cos(((t / timesteps + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  const gammas = new Float64Array(timesteps);
  let product = 1;
  for (let t = 0; t < timesteps; t++) {
    product *= 1 - Math.min(1 - f(t + 1) / f(t), 0.999);
    gammas[t] = product;
  }
  return gammas;
}

/** The DDIM timesteps for `steps` network evaluations: evenly spaced from T-1 down to 0. */
export function ddimTimesteps(timesteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > timesteps) throw new Error(`sampling steps must be an integer in 1..${timesteps}, got ${steps}`);
  if (steps === 1) return [timesteps - 1];
  return Array.from({ length: steps }, (_, i) => Math.round(((timesteps - 1) * (steps - 1 - i)) / (steps - 1)));
}

/** What a batch's seed draws: per-image timesteps, the noise ε of x_t, and the noise that fills y_cond's hole. */
export interface DiffusionDraws {
  t: number[];
  eps: tf.Tensor4D;
  condNoise: tf.Tensor4D;
}

/**
 * Seeded draws for a batch: the same seed gives student, teacher and every model the same draws.
 * A joined batch draws each segment from its own seed, as if it ran alone. The batch's own
 * `timesteps`, when set, replace the drawn ones (the noise is drawn all the same).
 */
export function diffusionDraws(batch: TaskBatch, timesteps: number): DiffusionDraws {
  const [, height, width, channels] = batch.images.shape;
  const segments = segmentsOf(batch).map(({ count, seed }) => {
    const rng = createRng(seed);
    const t = Array.from({ length: count }, () => Math.floor(rng() * timesteps));
    // Distinct non-zero seeds for the two noise tensors, derived from the segment's seed.
    return { count, t, epsSeed: 1 + Math.floor(rng() * 2 ** 30), condSeed: 1 + Math.floor(rng() * 2 ** 30) };
  });
  const normal = (seedOf: (s: (typeof segments)[number]) => number) =>
    tf.tidy(() => tf.concat(segments.map((s) => tf.randomNormal([s.count, height, width, channels], 0, 1, 'float32', seedOf(s)))) as tf.Tensor4D);
  return { t: batch.timesteps ? [...batch.timesteps] : segments.flatMap((s) => s.t), eps: normal((s) => s.epsSeed), condNoise: normal((s) => s.condSeed) };
}

// ---------------------------------------------------------------- parameters

class ParameterList {
  readonly entries: [string, tf.Tensor][] = [];
  constructor(private seed: number) {}

  conv(name: string, kernel: number, cin: number, cout: number, zero = false): void {
    this.entries.push([`${name}.w`, zero ? init.zeros([kernel, kernel, cin, cout]) : init.glorot([kernel, kernel, cin, cout], this.seed++)]);
    this.entries.push([`${name}.b`, init.zeros([cout])]);
  }

  dense(name: string, units: number, out: number): void {
    this.entries.push([`${name}.w`, init.glorot([units, out], this.seed++)]);
    this.entries.push([`${name}.b`, init.zeros([out])]);
  }

  norm(name: string, channels: number): void {
    this.entries.push([`${name}.g`, init.ones([channels])]);
    this.entries.push([`${name}.b`, init.zeros([channels])]);
  }

  timeMlp(base: number): void {
    this.dense('temb.1', base, 4 * base);
    this.dense('temb.2', 4 * base, 4 * base);
  }

  /** Palette's ResBlock; its last conv starts at zero (zero_module), so each block starts as its skip path. */
  resBlock(name: string, cin: number, cout: number, embed: number): void {
    this.norm(`${name}.norm1`, cin);
    this.conv(`${name}.conv1`, 3, cin, cout);
    this.dense(`${name}.emb`, embed, cout);
    this.norm(`${name}.norm2`, cout);
    this.conv(`${name}.conv2`, 3, cout, cout, true);
    if (cin !== cout) this.conv(`${name}.skip`, 1, cin, cout);
  }
}

/**
 * Channels of the encoder outputs, in order: the stem conv, then per level its ResBlocks and (but
 * on the last level) its downsampling conv, then the middle block. All but the last are skips.
 */
export function encoderOutputChannels(widths: number[], resBlocks: number): number[] {
  const out = [widths[0]];
  widths.forEach((w, l) => {
    for (let j = 0; j < resBlocks; j++) out.push(w);
    if (l < widths.length - 1) out.push(w);
  });
  return [...out, widths[widths.length - 1]];
}

/** The stem's kernel: the patch itself when it folds pixels, a 3x3 conv at full resolution. */
const stemKernel = (patch: number) => (patch === 1 ? 3 : patch);

function encoderParameters(config: PaletteConfig): ParameterPart {
  const { widths, resBlocks } = config;
  const p = new ParameterList(config.seed * 10_000);
  const embed = 4 * widths[0];
  p.timeMlp(widths[0]);
  p.conv('in', stemKernel(config.patch), 2 * config.channels + 1, widths[0]);
  let ch = widths[0];
  widths.forEach((w, l) => {
    for (let j = 0; j < resBlocks; j++) {
      p.resBlock(`down${l}.res${j}`, ch, w, embed);
      ch = w;
    }
    if (l < widths.length - 1) p.conv(`down${l}.pool`, 3, ch, ch);
  });
  p.resBlock('mid', ch, ch, embed);
  return new ParameterPart(p.entries);
}

function decoderParameters(config: PaletteConfig): ParameterPart {
  const { widths, resBlocks } = config;
  const p = new ParameterList(config.seed * 10_000 + 5_000);
  const embed = 4 * widths[0];
  const skips = encoderOutputChannels(widths, resBlocks).slice(0, -1);
  let ch = widths[widths.length - 1];
  for (let l = widths.length - 1; l >= 0; l--) {
    for (let j = 0; j <= resBlocks; j++) {
      p.resBlock(`up${l}.res${j}`, ch + skips.pop()!, widths[l], embed);
      ch = widths[l];
    }
    if (l > 0) p.conv(`up${l}.conv`, 3, ch, ch);
  }
  p.norm('out.norm', ch);
  // A transposed conv's filter is [k, k, out, in]; it starts at zero like Palette's output conv.
  const k = stemKernel(config.patch);
  p.entries.push(['out.conv.w', init.zeros([k, k, config.channels, ch])], ['out.conv.b', init.zeros([config.channels])]);
  return new ParameterPart(p.entries);
}

// ---------------------------------------------------------------- forward pass

const silu = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));

/** Convolution and bias in one fused kernel. */
function conv(p: ParameterPart, name: string, x: tf.Tensor4D, stride = 1): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter: p.get(`${name}.w`) as tf.Tensor4D, strides: stride, pad: 'same', bias: p.get(`${name}.b`) });
}

/** Matmul and bias in one fused kernel. */
function dense(p: ParameterPart, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: p.get(`${name}.w`) as tf.Tensor2D, bias: p.get(`${name}.b`) }) as tf.Tensor2D;
}

/** GroupNorm over rank-4 reshapes only (webgpu and wasm handle rank 4 everywhere). */
function groupNorm(p: ParameterPart, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [n, h * w, GROUPS, c / GROUPS]);
  const { mean, variance } = tf.moments(grouped, [1, 3], true);
  const normed = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, 1e-5))), [n, h, w, c]);
  return tf.add(tf.mul(normed, p.get(`${name}.g`)), p.get(`${name}.b`));
}

/** Sinusoidal embedding of the timestep (as DDPM), then the encoder's two-layer MLP; returned after SiLU, as every ResBlock uses it. */
function timeEmbedding(p: ParameterPart, t: number[], base: number): tf.Tensor2D {
  const half = base / 2;
  const values = new Float32Array(t.length * base);
  t.forEach((step, i) => {
    for (let k = 0; k < half; k++) {
      const arg = step * Math.exp((-Math.log(10_000) * k) / half);
      values[i * base + k] = Math.cos(arg);
      values[i * base + half + k] = Math.sin(arg);
    }
  });
  const hidden = silu(dense(p, 'temb.1', tf.tensor2d(values, [t.length, base])) as tf.Tensor2D) as tf.Tensor2D;
  return silu(dense(p, 'temb.2', hidden)) as tf.Tensor2D;
}

function resBlock(p: ParameterPart, name: string, x: tf.Tensor4D, emb: tf.Tensor2D, cout: number): tf.Tensor4D {
  let h = conv(p, `${name}.conv1`, silu(groupNorm(p, `${name}.norm1`, x)) as tf.Tensor4D);
  h = tf.add(h, tf.reshape(dense(p, `${name}.emb`, emb), [x.shape[0], 1, 1, cout]));
  h = conv(p, `${name}.conv2`, silu(groupNorm(p, `${name}.norm2`, h)) as tf.Tensor4D);
  const skip = x.shape[3] === cout ? x : conv(p, `${name}.skip`, x);
  return tf.add(skip, h);
}

/** Nearest-neighbour 2x upsampling from concat + reshape, whose gradients every backend has. */
function upsample(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const wide = tf.reshape(tf.concat([x, x], 3), [n, h, 2 * w, c]);
  return tf.reshape(tf.concat([wide, wide], 2), [n, 2 * h, 2 * w, c]);
}

/** What the encoder hands the decoder: the compared outputs, and the shared noise-level embedding. */
export interface EncoderPass {
  /** Every down-block output plus the middle block (what the unlearning loss compares). */
  features: tf.Tensor4D[];
  /** The timestep embedding [n, 4·widths[0]] every ResBlock of both halves adds. */
  emb: tf.Tensor2D;
}

/** Encoder: [n, H, W, 2C+1] network input at timesteps t -> its outputs and the shared embedding. */
export function runEncoder(p: ParameterPart, config: PaletteConfig, input: tf.Tensor4D, t: number[]): EncoderPass {
  const { widths, resBlocks } = config;
  const emb = timeEmbedding(p, t, widths[0]);
  let h = conv(p, 'in', input, config.patch);
  const outputs = [h];
  widths.forEach((w, l) => {
    for (let j = 0; j < resBlocks; j++) {
      h = resBlock(p, `down${l}.res${j}`, h, emb, w);
      outputs.push(h);
    }
    if (l < widths.length - 1) {
      h = conv(p, `down${l}.pool`, h, 2);
      outputs.push(h);
    }
  });
  outputs.push(resBlock(p, 'mid', h, emb, widths[widths.length - 1]));
  return { features: outputs, emb };
}

/** Decoder: the encoder's outputs (skips + middle) and its embedding -> predicted noise ε̂, [n, H, W, C]. */
export function runDecoder(p: ParameterPart, config: PaletteConfig, { features, emb }: EncoderPass): tf.Tensor4D {
  const { widths, resBlocks } = config;
  const skips = features.slice(0, -1) as tf.Tensor4D[];
  let h = features[features.length - 1] as tf.Tensor4D;
  for (let l = widths.length - 1; l >= 0; l--) {
    for (let j = 0; j <= resBlocks; j++) h = resBlock(p, `up${l}.res${j}`, tf.concat([h, skips.pop()!], 3), emb, widths[l]);
    if (l > 0) h = conv(p, `up${l}.conv`, upsample(h));
  }
  const n = h.shape[0];
  const out = tf.conv2dTranspose(silu(groupNorm(p, 'out.norm', h)) as tf.Tensor4D, p.get('out.conv.w') as tf.Tensor4D, [n, config.height, config.width, config.channels], config.patch, 'same');
  return tf.add(out, p.get('out.conv.b'));
}

// ---------------------------------------------------------------- the model

export class PaletteModel implements I2IModel {
  readonly config: PaletteConfig;
  private readonly gammas: Float64Array;

  constructor(
    readonly card: ModelCard,
    readonly encoder: ParameterPart,
    readonly decoder: ParameterPart,
  ) {
    this.config = configFromCard(card);
    this.gammas = cosineGammas(this.config.timesteps);
  }

  static create(card: ModelCard): PaletteModel {
    const config = configFromCard(card);
    return new PaletteModel(card, encoderParameters(config), decoderParameters(config));
  }

  /**
   * The U-Net input [y_cond, x_t, mask] with images in [-1, 1]: y_cond has the batch's cond noise in
   * the hidden pixels; x_t is pasted over the visible pixels' clean values, as the official code
   * feeds `x_t·mask + (1 − mask)·y_0`.
   */
  private networkInput(y0: tf.Tensor4D, mask: tf.Tensor4D, condNoise: tf.Tensor4D, xt: tf.Tensor4D): tf.Tensor4D {
    return tf.concat([pasteHole(condNoise, y0, mask), pasteHole(xt, y0, mask), mask], 3);
  }

  private gammaColumn(t: number[]): tf.Tensor4D {
    return tf.tensor4d(t.map((s) => this.gammas[s]), [t.length, 1, 1, 1]);
  }

  /** y_0 in [-1, 1], the batch's draws, and x_t = √γ·y_0 + √(1−γ)·ε. */
  private noised(batch: TaskBatch): { y0: tf.Tensor4D; draws: DiffusionDraws; xt: tf.Tensor4D } {
    const y0 = tf.sub(tf.mul(batch.images, 2), 1) as tf.Tensor4D;
    const draws = diffusionDraws(batch, this.config.timesteps);
    const gamma = this.gammaColumn(draws.t);
    const xt = tf.add(tf.mul(tf.sqrt(gamma), y0), tf.mul(tf.sqrt(tf.sub(1, gamma)), draws.eps)) as tf.Tensor4D;
    return { y0, draws, xt };
  }

  encode(batch: TaskBatch, encoder: ModelPart = this.encoder): tf.Tensor[] {
    return tf.tidy(() => this.encoderPass(batch, encoder as ParameterPart, this.noised(batch)).features);
  }

  private encoderPass(batch: TaskBatch, encoder: ParameterPart, { y0, draws, xt }: ReturnType<PaletteModel['noised']>): EncoderPass {
    return runEncoder(encoder, this.config, this.networkInput(y0, batch.mask, draws.condNoise, xt), draws.t);
  }

  /** ε̂ for the batch's x_t, and the ε it should be. */
  private noisePrediction(batch: TaskBatch, parts: ModelParts): { epsHat: tf.Tensor4D; eps: tf.Tensor4D } {
    const noised = this.noised(batch);
    const pass = this.encoderPass(batch, parts.encoder as ParameterPart, noised);
    return { epsHat: runDecoder(parts.decoder as ParameterPart, this.config, pass), eps: noised.draws.eps };
  }

  /**
   * The official code's forget target: the teacher at the same timestep and y_cond, but with pure
   * noise inside the mask (x_t = ε, its q_sample for label −1). The pixel-space noise images of
   * the generic method are not used, so the noise-type setting does not apply to this family.
   */
  forgetTarget(forget: TaskBatch, _noise: tf.Tensor4D, teacher: ModelPart): tf.Tensor[] {
    return tf.tidy(() => {
      const { y0, draws } = this.noised(forget);
      return runEncoder(teacher as ParameterPart, this.config, this.networkInput(y0, forget.mask, draws.condNoise, draws.eps), draws.t).features;
    });
  }
  /** Two passes: the forget target's input (x_t = ε inside the mask) is not a plain encoding of an image. */
  teacherTargets(forget: TaskBatch, noise: tf.Tensor4D, retain: TaskBatch, teacher: ModelPart): { forget: tf.Tensor[]; retain: tf.Tensor[] } {
    return { forget: this.forgetTarget(forget, noise, teacher), retain: this.encode(retain, teacher) };
  }

  /** The predicted noise ε̂ for the batch's x_t. */
  predict(batch: TaskBatch, parts: ModelParts = this): tf.Tensor4D {
    return tf.tidy(() => this.noisePrediction(batch, parts).epsHat);
  }

  /**
   * Palette's loss: MSE between ε̂ and ε over the hidden pixels only (x_t holds the clean image
   * outside the mask, so there is no noise to predict there), averaged per image over its hidden
   * pixels so that small holes weigh as much as large ones. `hiddenWeight` does not apply.
   */
  taskLoss(batch: TaskBatch, parts: ModelParts = this): tf.Tensor1D {
    return tf.tidy(() => {
      const { epsHat, eps } = this.noisePrediction(batch, parts);
      return this.holeLoss(epsHat, eps, batch.mask);
    });
  }

  /**
   * The official Noisy Label: forget samples see x_t = ε inside the mask (its q_sample for label −1)
   * with their real y_cond and context, and learn to predict that ε. The pixel noise images only
   * give the count, as in forgetTarget.
   */
  noisyLabelLoss(batch: TaskBatch, noise: tf.Tensor4D, parts: ModelParts = this): tf.Tensor1D {
    return tf.tidy(() => {
      const noised = this.noised(batch);
      const count = noise.shape[0];
      const xt = tf.concat([tf.slice(noised.draws.eps, 0, count), tf.slice(noised.xt, count)]) as tf.Tensor4D;
      const pass = this.encoderPass(batch, parts.encoder as ParameterPart, { ...noised, xt });
      return this.holeLoss(runDecoder(parts.decoder as ParameterPart, this.config, pass), noised.draws.eps, batch.mask);
    });
  }

  /** MSE of ε̂ against ε over each image's hidden pixels. */
  private holeLoss(epsHat: tf.Tensor4D, eps: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor1D {
    const squared = tf.mul(tf.squaredDifference(epsHat, eps), mask);
    const hidden = tf.maximum(tf.mul(tf.sum(mask, [1, 2, 3]), this.config.channels), 1);
    return tf.div(tf.sum(squared, [1, 2, 3]), hidden) as tf.Tensor1D;
  }

  /**
   * Samples from Palette's start y_cond (noise in the hole), pasting the visible pixels back after
   * every step, over the card's sampleSteps with the card's sampler unless the options say
   * otherwise. `ddim`: deterministic DDIM (η = 0). `ancestral`: DDPM's p_sample, the official
   * evaluation: the posterior mean from the clipped x̂_0 plus posterior-variance noise seeded by the
   * batch, over the respaced chain of sampleSteps (all T steps is the official chain). It is DDIM
   * with η = 1, whose step from x̂_0 and x_t is exactly q(x_{t'} | x_t, x̂_0).
   */
  async reconstruct(batch: TaskBatch, parts: ModelParts = this, options: ReconstructOptions = {}): Promise<tf.Tensor4D> {
    const ancestral = (options.sampler ?? this.config.sampler) === 'ancestral';
    const taus = ddimTimesteps(this.config.timesteps, options.sampleSteps ?? this.config.sampleSteps);
    const n = batch.images.shape[0];
    const { y0, condNoise } = tf.tidy(() => {
      const draws = diffusionDraws(batch, this.config.timesteps);
      draws.eps.dispose();
      return { y0: tf.sub(tf.mul(batch.images, 2), 1) as tf.Tensor4D, condNoise: draws.condNoise };
    });
    let x = pasteHole(condNoise, y0, batch.mask);
    for (let i = 0; i < taus.length; i++) {
      const next = tf.tidy(() => {
        const t = new Array<number>(n).fill(taus[i]);
        const pass = runEncoder(parts.encoder as ParameterPart, this.config, this.networkInput(y0, batch.mask, condNoise, x), t);
        const epsHat = runDecoder(parts.decoder as ParameterPart, this.config, pass);
        const gamma = this.gammas[taus[i]];
        const gammaNext = i + 1 < taus.length ? this.gammas[taus[i + 1]] : 1;
        const x0 = tf.clipByValue(tf.div(tf.sub(x, tf.mul(epsHat, Math.sqrt(1 - gamma))), Math.sqrt(gamma)), -1, 1);
        // ε re-derived from the clipped x̂_0, so the step stays on the line between them.
        const eps = tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(gamma))), Math.sqrt(1 - gamma));
        // The posterior variance β̃ of the step (0 on the last, where γ' = 1); none for DDIM.
        const variance = ancestral ? ((1 - gammaNext) / (1 - gamma)) * (1 - gamma / gammaNext) : 0;
        let xNext = tf.add(tf.mul(x0, Math.sqrt(gammaNext)), tf.mul(eps, Math.sqrt(Math.max(0, 1 - gammaNext - variance)))) as tf.Tensor4D;
        if (variance > 0) xNext = tf.add(xNext, tf.mul(stepNoise(batch, i), Math.sqrt(variance)));
        return pasteHole(xNext, y0, batch.mask);
      });
      x.dispose();
      x = next;
      if (options.onProgress) {
        // Waiting for the values makes the reported progress real on asynchronous backends too.
        await x.data();
        options.onProgress(i + 1, taus.length);
      }
    }
    const output = tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1) as tf.Tensor4D);
    tf.dispose([x, y0, condNoise]);
    return output;
  }

  cloneEncoder(): ParameterPart {
    return this.encoder.clone();
  }

  cloneDecoder(): ParameterPart {
    return this.decoder.clone();
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}

/** The ancestral sampler's noise for step i, from each segment's seed (a joined batch draws as its parts would). */
function stepNoise(batch: TaskBatch, i: number): tf.Tensor4D {
  const [, height, width, channels] = batch.images.shape;
  return tf.concat(
    segmentsOf(batch).map(({ count, seed }) => {
      const rng = createRng(seed + 1_000_003 * (i + 1));
      return tf.randomNormal([count, height, width, channels], 0, 1, 'float32', 1 + Math.floor(rng() * 2 ** 30));
    }),
  ) as tf.Tensor4D;
}


export function configFromCard(card: ModelCard): PaletteConfig {
  const a = card.architecture;
  const sampling = cardSampling(a);
  if (!sampling) throw new Error(`a Palette card names its sampling steps (architecture.sampleSteps)`);
  const config: PaletteConfig = {
    height: card.height,
    width: card.width,
    channels: card.channels,
    patch: a.patch as number,
    widths: a.widths as number[],
    resBlocks: a.resBlocks as number,
    timesteps: a.timesteps as number,
    ...sampling,
    seed: a.seed as number,
  };
  const divisor = config.patch * 2 ** (config.widths.length - 1);
  if (config.height % divisor || config.width % divisor) throw new Error(`image ${config.height}x${config.width} is not divisible by ${divisor} (patch ${config.patch}, ${config.widths.length} levels)`);
  if (config.widths.some((w) => w % GROUPS)) throw new Error(`U-Net widths must be multiples of ${GROUPS}, got ${config.widths.join(', ')}`);
  ddimTimesteps(config.timesteps, config.sampleSteps);
  return config;
}

export function cardArchitecture(config: PaletteConfig): ModelCard['architecture'] {
  return { patch: config.patch, widths: config.widths, resBlocks: config.resBlocks, timesteps: config.timesteps, schedule: 'cosine', sampler: config.sampler, sampleSteps: config.sampleSteps, seed: config.seed };
}

export const paletteFamily: ModelFamily = {
  title: 'Palette conditional diffusion',
  recipe: PALETTE_RECIPE,
  defaultArchitecture: (height, width, channels) => cardArchitecture({ ...DEFAULT_PALETTE, height, width, channels }),
  create: (card) => PaletteModel.create(card),
  async load(card, read) {
    const fresh = PaletteModel.create(card);
    const encoder = await ParameterPart.load(read, 'encoder', fresh.encoder);
    // Weights saved before the embedding was shared hold a decoder copy of it: the encoder's is the one kept.
    const decoder = await ParameterPart.load(read, 'decoder', fresh.decoder, (name) => name.startsWith('temb.'));
    return new PaletteModel(card, encoder, decoder);
  },
};

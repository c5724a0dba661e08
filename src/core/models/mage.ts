import * as tf from '@tensorflow/tfjs';
import { createRng } from '../random';
import { drawPerSegment, jointTeacherTargets, segmentsOf } from './batches';
import type { ModelFamily } from './families';
import { ParameterPart, init } from './parameters';
import { blockParameters, dense, layerNorm, transformerBlock, type BlockWeight } from './transformer';
import type { I2IModel, ModelCard, ModelPart, ModelParts, ReconstructOptions, TaskBatch } from './types';
import { DEFAULT_VQ, createTokenizerPart, detokenize, tokenGrid, tokenize, type VqConfig } from './vq-tokenizer';
import { MAGE_RECIPE } from './recipes';
import { pasteHole } from '../tasks/masks';

/**
 * MAGE (Li et al. 2023), the paper's "VQ-GAN" model, at MNIST scale: a frozen VQ tokenizer turns
 * a 28x28 image into a 7x7 grid of codes; a transformer encoder sees a class token and the kept
 * tokens (the others are masked out of attention, which is the same as MAGE dropping them); a
 * transformer decoder fills the hidden positions with the encoder's class-token output (MAGE's
 * pad_with_cls_token), adds positions and predicts the code of every token. Inpainting decodes
 * iteratively (MaskGIT): the most confident predictions are fixed and fed back in, a cosine
 * schedule at a time. The unlearning method trains the transformer encoder only, under MAGE's own
 * random token masks (unlearningTokenMasks), as the official code does.
 */
export interface MageConfig {
  tokenizer: VqConfig;
  encoderDim: number;
  encoderDepth: number;
  decoderDim: number;
  decoderDepth: number;
  heads: number;
  mlpRatio: number;
  /** MaskGIT passes of reconstruct. */
  decodingSteps: number;
  /** MAGE's label smoothing of the token cross-entropy. */
  labelSmoothing: number;
  seed: number;
}

export const DEFAULT_MAGE: MageConfig = {
  tokenizer: DEFAULT_VQ,
  encoderDim: 64,
  // Two blocks each: at 7x7 tokens deeper stacks cost wasm time (~0.5 s/step at batch 32) without a clear gain.
  encoderDepth: 2,
  decoderDim: 64,
  decoderDepth: 2,
  heads: 4,
  mlpRatio: 2,
  decodingSteps: 6,
  labelSmoothing: 0.1,
  seed: 1,
};

/** MAGE's weight names: `enc0_ln1_g`, `enc0_qkv_w`, ... */
const MAGE_BLOCK_NAMES: Record<BlockWeight, string> = {
  norm1Gamma: 'ln1_g', norm1Beta: 'ln1_b', qkvKernel: 'qkv_w', qkvBias: 'qkv_b', projKernel: 'proj_w', projBias: 'proj_b',
  norm2Gamma: 'ln2_g', norm2Beta: 'ln2_b', fc1Kernel: 'fc1_w', fc1Bias: 'fc1_b', fc2Kernel: 'fc2_w', fc2Bias: 'fc2_b',
};
const blockName = (prefix: string) => (weight: BlockWeight) => `${prefix}_${MAGE_BLOCK_NAMES[weight]}`;
const blockParams = (prefix: string, dim: number, hidden: number, seed: number) => blockParameters(blockName(prefix), dim, hidden, seed);

export function createMageEncoder(config: MageConfig): ParameterPart {
  const { rows, cols } = tokenGrid(config.tokenizer);
  const d = config.encoderDim;
  const s = config.seed * 1000 + 100;
  const params: [string, tf.Tensor][] = [
    // Codes 0..K-1 and K, the mask token (what a hidden position holds in MaskGIT's sense).
    ['token_emb', init.normal([config.tokenizer.codebookSize + 1, d], s)],
    ['cls', init.normal([1, d], s + 1)],
    ['pos_emb', init.normal([rows * cols + 1, d], s + 2)],
    ['emb_ln_g', init.ones([d])],
    ['emb_ln_b', init.zeros([d])],
  ];
  for (let i = 0; i < config.encoderDepth; i++) params.push(...blockParams(`enc${i}`, d, d * config.mlpRatio, s + 10 * (i + 1)));
  params.push(['norm_g', init.ones([d])], ['norm_b', init.zeros([d])]);
  return new ParameterPart(params);
}

export function createMageDecoder(config: MageConfig): ParameterPart {
  const { rows, cols } = tokenGrid(config.tokenizer);
  const d = config.decoderDim;
  const s = config.seed * 1000 + 500;
  const params: [string, tf.Tensor][] = [
    ['embed_w', init.glorot([config.encoderDim, d], s)],
    ['embed_b', init.zeros([d])],
    ['pos_emb', init.normal([rows * cols + 1, d], s + 1)],
  ];
  for (let i = 0; i < config.decoderDepth; i++) params.push(...blockParams(`dec${i}`, d, d * config.mlpRatio, s + 10 * (i + 1)));
  params.push(['norm_g', init.ones([d])], ['norm_b', init.zeros([d])]);
  params.push(['logits_w', init.glorot([d, config.tokenizer.codebookSize], s + 90)], ['logits_b', init.zeros([config.tokenizer.codebookSize])]);
  return new ParameterPart(params);
}

const block = (part: ParameterPart, prefix: string, x: tf.Tensor, heads: number, keyBias?: tf.Tensor) =>
  transformerBlock(x, (w) => part.get(blockName(prefix)(w)), heads, keyBias);

/** 1 for the class token, then the keep mask: [n, L] -> [n, L + 1]. */
function withClass(keep: tf.Tensor2D): tf.Tensor2D {
  return tf.concat([tf.ones([keep.shape[0], 1]), keep], 1) as tf.Tensor2D;
}

/**
 * Transformer encoder over the kept tokens: codes int32 [n, L], keep [n, L] (1 = the token is
 * seen) -> [n, L + 1, d], class token first; positions of hidden tokens are zero (they are not
 * part of MAGE's encoder output, whose sequence holds only kept tokens). `visible` (default: keep)
 * says which kept tokens show their code; the others show the mask token, as MAGE's tokens that
 * are masked but not dropped.
 */
export function runEncoder(part: ModelPart, config: MageConfig, codes: tf.Tensor2D, keep: tf.Tensor2D, visible: tf.Tensor2D = keep): tf.Tensor3D {
  return tf.tidy(() => {
    const e = part as ParameterPart;
    const [n, l] = codes.shape;
    const maskId = config.tokenizer.codebookSize;
    const ids = tf.cast(tf.add(tf.mul(tf.cast(codes, 'float32'), visible), tf.mul(maskId, tf.sub(1, visible))), 'int32');
    // One-hot matmul: gather's gradient needs a kernel wasm lacks for this shape of use.
    const tokens = tf.reshape(tf.matMul(tf.oneHot(tf.reshape(ids, [-1]), maskId + 1), e.get('token_emb')), [n, l, config.encoderDim]);
    const cls = tf.tile(tf.reshape(e.get('cls'), [1, 1, config.encoderDim]), [n, 1, 1]);
    let x = tf.add(tf.concat([cls, tokens], 1), e.get('pos_emb'));
    x = layerNorm(x, e.get('emb_ln_g'), e.get('emb_ln_b'));
    const seen = withClass(keep);
    const keyBias = tf.reshape(tf.mul(tf.sub(1, seen), -1e9), [n, 1, 1, l + 1]);
    for (let i = 0; i < config.encoderDepth; i++) x = block(e, `enc${i}`, x, config.heads, keyBias);
    x = layerNorm(x, e.get('norm_g'), e.get('norm_b'));
    return tf.mul(x, tf.expandDims(seen, 2)) as tf.Tensor3D;
  });
}

/** Transformer decoder: encoder output [n, L + 1, d] and keep [n, L] -> code logits [n, L, K]. */
export function runDecoder(part: ModelPart, config: MageConfig, latent: tf.Tensor3D, keep: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const dp = part as ParameterPart;
    const [n, t] = latent.shape;
    const x0 = dense(latent, dp.get('embed_w'), dp.get('embed_b'));
    const seen = tf.expandDims(withClass(keep), 2);
    // Hidden positions carry the class token's embedding (MAGE's pad_with_cls_token).
    const cls = tf.slice(x0, [0, 0, 0], [n, 1, config.decoderDim]);
    let x = tf.add(tf.add(tf.mul(x0, seen), tf.mul(cls, tf.sub(1, seen))), dp.get('pos_emb'));
    for (let i = 0; i < config.decoderDepth; i++) x = block(dp, `dec${i}`, x, config.heads);
    x = layerNorm(x, dp.get('norm_g'), dp.get('norm_b'));
    const tokens = tf.slice(x, [0, 1, 0], [n, t - 1, config.decoderDim]);
    return dense(tokens, dp.get('logits_w'), dp.get('logits_b')) as tf.Tensor3D;
  });
}

/** Which tokens the task hides: a token is hidden when any of its pixels is. [n, H, W, 1] -> [n, L] (1 = hidden). */
export function hiddenTokens(mask: tf.Tensor4D, config: VqConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const { rows, cols, factor } = tokenGrid(config);
    const pooled = tf.maxPool(mask, factor, factor, 'same');
    return tf.reshape(pooled, [mask.shape[0], rows * cols]) as tf.Tensor2D;
  });
}

/**
 * The task loss's keep mask (pretraining, whole-model baselines): the task's visible tokens plus,
 * drawn from the batch seed, a share of its hidden tokens revealed as MaskGIT trains (a hidden
 * fraction cos(π/2·u), u ~ U[0, 1], per image): iterative decoding feeds its own partial answers
 * back in, so the model learns from those states too. Same seed, same draws.
 */
export function trainingKeep(batch: TaskBatch, config: VqConfig): { keep: tf.Tensor2D; target: tf.Tensor2D } {
  return tf.tidy(() => {
    const hidden = hiddenTokens(batch.mask, config);
    const l = hidden.shape[1];
    const u = drawPerSegment(batch, (count, seed) => tf.randomUniform([count, 1], 0, 1, 'float32', seed));
    const revealProbability = tf.sub(1, tf.cos(tf.mul(u, Math.PI / 2)));
    const draws = drawPerSegment(batch, (count, seed) => tf.randomUniform([count, l], 0, 1, 'float32', seed + 1));
    const revealed = tf.mul(hidden, tf.cast(tf.less(draws, revealProbability), 'float32'));
    const target = tf.sub(hidden, revealed) as tf.Tensor2D;
    return { keep: tf.sub(1, target) as tf.Tensor2D, target };
  });
}

/**
 * Noisy Label's target codes, as the official code draws them: for the first `count` images
 * clamp(randn·std + mean, 0, K − 1) rounded, with the scalar mean and std of the whole batch's
 * codes (a segment's draws come from its seed); the other images keep their codes.
 */
export function noiseCodes(batch: TaskBatch, codes: tf.Tensor2D, count: number, codebookSize: number): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(tf.cast(codes, 'float32'));
    const eps = drawPerSegment(batch, (n, seed) => tf.randomNormal([n, codes.shape[1]], 0, 1, 'float32', seed + 2));
    const noisy = tf.round(tf.clipByValue(tf.add(tf.mul(tf.slice(eps, 0, count), tf.sqrt(variance)), mean), 0, codebookSize - 1));
    return tf.concat([tf.cast(noisy, 'int32'), tf.slice(codes, count)]) as tf.Tensor2D;
  });
}

/** MAGE's masking ratio: a truncated normal, N(0.55, 0.25²) on [0.5, 1] (its `mask_ratio_*` defaults). */
const MASK_RATIO = { min: 0.5, max: 1, mean: 0.55, std: 0.25 };

/**
 * The token masks MAGE unlearns under, as its official code draws them (the task's masks are for
 * evaluation only): per segment one masking ratio r from MASK_RATIO; per image ⌈L·0.5⌉ random
 * tokens dropped (not part of the sequence) and ⌈L·r⌉ in all masked, so the kept tokens beyond the
 * dropped ones show the mask token. Drawn on the CPU from the segment's seed: every image keeps the
 * same number of tokens, known without a read-back. Flat [n·L]: keep (not dropped), visible (not masked).
 */
export function unlearningTokenMasks(batch: TaskBatch, tokens: number): { keep: Float32Array; visible: Float32Array } {
  const n = batch.images.shape[0];
  const keep = new Float32Array(n * tokens).fill(1);
  const visible = new Float32Array(n * tokens).fill(1);
  const dropped = Math.ceil(tokens * MASK_RATIO.min);
  let image = 0;
  for (const { count, seed } of segmentsOf(batch)) {
    const rng = createRng(seed);
    let ratio: number;
    do ratio = MASK_RATIO.mean + MASK_RATIO.std * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    while (ratio < MASK_RATIO.min || ratio > MASK_RATIO.max);
    const masked = Math.ceil(tokens * ratio);
    for (let i = 0; i < count; i++, image++) {
      const order = Array.from({ length: tokens }, (_, j) => j);
      for (let j = tokens - 1; j > 0; j--) {
        const k = Math.floor(rng() * (j + 1));
        [order[j], order[k]] = [order[k], order[j]];
      }
      order.slice(0, masked).forEach((j, rank) => {
        visible[image * tokens + j] = 0;
        if (rank < dropped) keep[image * tokens + j] = 0;
      });
    }
  }
  return { keep, visible };
}

/**
 * The class token and the kept tokens of an encoder output, in order: [n, L + 1, d] -> [n, k + 1, d]
 * for `keep` (flat [n·L]) with k kept tokens in every image. MAGE's encoder output is that
 * sequence; zeroed positions in its place would dilute each sample's mean. A one-hot matmul, not a
 * gather: gather's gradient needs a kernel wasm lacks.
 */
export function keptPositions(x: tf.Tensor3D, keep: Float32Array): tf.Tensor3D {
  const [n, t] = x.shape;
  const kept = keep.subarray(0, t - 1).reduce((a, b) => a + b, 0) + 1;
  const select = new Float32Array(n * kept * t);
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < t; j++) if (j === 0 || keep[i * (t - 1) + j - 1] === 1) select[(i * kept + row++) * t + j] = 1;
    if (row !== kept) throw new Error('every image must keep the same number of tokens');
  }
  return tf.tidy(() => tf.matMul(tf.tensor3d(select, [n, kept, t]), x));
}

export class MageModel implements I2IModel {
  readonly extraParts: Record<string, ModelPart>;

  constructor(
    readonly card: ModelCard,
    readonly config: MageConfig,
    readonly encoder: ParameterPart,
    readonly decoder: ParameterPart,
    /** The frozen VQ tokenizer; shipped as `tokenizer.json` + `tokenizer.weights.bin`. */
    readonly tokenizer: ParameterPart,
  ) {
    this.extraParts = { tokenizer };
  }

  static create(card: ModelCard, tokenizer?: ParameterPart): MageModel {
    const config = mageConfigFromCard(card);
    return new MageModel(card, config, createMageEncoder(config), createMageDecoder(config), tokenizer ?? createTokenizerPart(config.tokenizer));
  }

  codes(images: tf.Tensor4D): tf.Tensor2D {
    return tokenize(this.tokenizer, this.config.tokenizer, images);
  }

  /** The latent L_R and L_F compare: the class token and kept tokens under MAGE's own unlearning masks (the task's mask plays no part). */
  encode(batch: TaskBatch, encoder: ModelPart = this.encoder): tf.Tensor[] {
    return tf.tidy(() => {
      const codes = this.codes(batch.images);
      const [n, l] = codes.shape;
      const { keep, visible } = unlearningTokenMasks(batch, l);
      const full = runEncoder(encoder, this.config, codes, tf.tensor2d(keep, [n, l]), tf.tensor2d(visible, [n, l]));
      return [keptPositions(full, keep)];
    });
  }

  forgetTarget(forget: TaskBatch, noise: tf.Tensor4D, teacher: ModelPart): tf.Tensor[] {
    // Same seed, so the noise image's tokens are seen under the forget batch's token masks.
    return this.encode({ ...forget, images: noise }, teacher);
  }
  teacherTargets(forget: TaskBatch, noise: tf.Tensor4D, retain: TaskBatch, teacher: ModelPart): { forget: tf.Tensor[]; retain: tf.Tensor[] } {
    return jointTeacherTargets((batch) => this.encode(batch, teacher), forget, noise, retain);
  }


  predict(batch: TaskBatch, parts: ModelParts = this): tf.Tensor3D {
    return tf.tidy(() => {
      const { keep } = trainingKeep(batch, this.config.tokenizer);
      const latent = runEncoder(parts.encoder, this.config, this.codes(batch.images), keep);
      return runDecoder(parts.decoder, this.config, latent, keep);
    });
  }

  /** Label-smoothed cross-entropy on the tokens still hidden, averaged per image. */
  taskLoss(batch: TaskBatch, parts: ModelParts = this): tf.Tensor1D {
    return tf.tidy(() => {
      const codes = this.codes(batch.images);
      return this.tokenLoss(batch, parts, codes, codes);
    });
  }

  noisyLabelLoss(batch: TaskBatch, noise: tf.Tensor4D, parts: ModelParts = this): tf.Tensor1D {
    return tf.tidy(() => {
      const codes = this.codes(batch.images);
      return this.tokenLoss(batch, parts, codes, noiseCodes(batch, codes, noise.shape[0], this.config.tokenizer.codebookSize));
    });
  }

  /** taskLoss with the image's codes as input and `targets` as the codes to predict. */
  private tokenLoss(batch: TaskBatch, parts: ModelParts, codes: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const { keep, target } = trainingKeep(batch, this.config.tokenizer);
      const logits = runDecoder(parts.decoder, this.config, runEncoder(parts.encoder, this.config, codes, keep), keep);
      const k = this.config.tokenizer.codebookSize;
      const eps = this.config.labelSmoothing;
      const logProbs = tf.logSoftmax(logits);
      const nll = tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot(targets, k)), 2));
      const smooth = tf.neg(tf.mean(logProbs, 2));
      const perToken = tf.add(tf.mul(nll, 1 - eps), tf.mul(smooth, eps));
      return tf.div(tf.sum(tf.mul(perToken, target), 1), tf.maximum(tf.sum(target, 1), 1)) as tf.Tensor1D;
    });
  }

  /**
   * MaskGIT decoding: start from the visible tokens; each pass predicts every hidden token
   * (argmax, so a model always gives the same inpainting) and fixes the most confident ones,
   * leaving a cos(π/2·t/T) share hidden after pass t; then the frozen VQ decoder draws the image
   * and the visible pixels are pasted back.
   */
  async reconstruct(batch: TaskBatch, parts: ModelParts = this, options?: ReconstructOptions): Promise<tf.Tensor4D> {
    const vq = this.config.tokenizer;
    const [codesTensor, hiddenTensor] = tf.tidy(() => [this.codes(batch.images), hiddenTokens(batch.mask, vq)]);
    const codes = Int32Array.from(await codesTensor.data());
    const hidden = Float32Array.from(await hiddenTensor.data());
    tf.dispose([codesTensor, hiddenTensor]);
    const [n, l] = [batch.images.shape[0], hidden.length / batch.images.shape[0]];
    const known = Float32Array.from(hidden, (h) => 1 - h);
    const hiddenCount = Array.from({ length: n }, (_, i) => hidden.subarray(i * l, (i + 1) * l).reduce((a, b) => a + b, 0));
    const total = this.config.decodingSteps;
    for (let step = 1; step <= total; step++) {
      const [best, confidence] = tf.tidy(() => {
        const keep = tf.tensor2d(known, [n, l]);
        const logits = runDecoder(parts.decoder, this.config, runEncoder(parts.encoder, this.config, tf.tensor2d(codes, [n, l], 'int32'), keep), keep);
        return [tf.argMax(logits, 2), tf.max(tf.softmax(logits), 2)];
      });
      const [bestCodes, conf] = [(await best.data()) as Int32Array, (await confidence.data()) as Float32Array];
      tf.dispose([best, confidence]);
      const stillHidden = Math.cos(((Math.PI / 2) * step) / total);
      for (let i = 0; i < n; i++) {
        const open: number[] = [];
        for (let j = 0; j < l; j++) if (known[i * l + j] === 0) open.push(i * l + j);
        if (open.length === 0) continue;
        const leave = step === total ? 0 : Math.min(open.length - 1, Math.floor(hiddenCount[i] * stillHidden));
        open.sort((a, b) => conf[b] - conf[a]);
        for (const index of open.slice(0, open.length - leave)) {
          codes[index] = bestCodes[index];
          known[index] = 1;
        }
      }
      options?.onProgress?.(step, total);
    }
    return tf.tidy(() => {
      const drawn = detokenize(this.tokenizer, vq, tf.tensor2d(codes, [n, l], 'int32'));
      return pasteHole(drawn, batch.images, batch.mask);
    });
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
    this.tokenizer.dispose();
  }
}

export function mageConfigFromCard(card: ModelCard): MageConfig {
  const a = card.architecture;
  const num = (key: string) => {
    const v = a[key];
    if (typeof v !== 'number') throw new Error(`model ${card.id}: architecture.${key} must be a number`);
    return v;
  };
  return {
    tokenizer: {
      height: card.height,
      width: card.width,
      channels: card.channels,
      widths: a.vqWidths as number[],
      codeDim: num('codeDim'),
      codebookSize: num('codebookSize'),
      commitment: num('commitment'),
      seed: num('seed'),
    },
    encoderDim: num('encoderDim'),
    encoderDepth: num('encoderDepth'),
    decoderDim: num('decoderDim'),
    decoderDepth: num('decoderDepth'),
    heads: num('heads'),
    mlpRatio: num('mlpRatio'),
    decodingSteps: num('decodingSteps'),
    labelSmoothing: num('labelSmoothing'),
    seed: num('seed'),
  };
}

export function mageArchitecture(config: MageConfig): ModelCard['architecture'] {
  const { tokenizer: t } = config;
  return {
    vqWidths: t.widths,
    codeDim: t.codeDim,
    codebookSize: t.codebookSize,
    commitment: t.commitment,
    encoderDim: config.encoderDim,
    encoderDepth: config.encoderDepth,
    decoderDim: config.decoderDim,
    decoderDepth: config.decoderDepth,
    heads: config.heads,
    mlpRatio: config.mlpRatio,
    decodingSteps: config.decodingSteps,
    labelSmoothing: config.labelSmoothing,
    seed: config.seed,
  };
}

export const mageFamily: ModelFamily = {
  title: 'MAGE (VQ tokenizer + masked-token transformer)',
  recipe: MAGE_RECIPE,
  defaultArchitecture: (height, width, channels) => mageArchitecture({ ...DEFAULT_MAGE, tokenizer: { ...DEFAULT_VQ, height, width, channels } }),
  create: (card) => MageModel.create(card),
  async load(card, read) {
    const config = mageConfigFromCard(card);
    const parts = [createMageEncoder(config), createMageDecoder(config), createTokenizerPart(config.tokenizer)];
    try {
      const [encoder, decoder, tokenizer] = await Promise.all(['encoder', 'decoder', 'tokenizer'].map((name, i) => ParameterPart.load(read, name, parts[i])));
      return new MageModel(card, config, encoder, decoder, tokenizer);
    } catch (error) {
      parts.forEach((p) => p.dispose());
      throw error;
    }
  },
};

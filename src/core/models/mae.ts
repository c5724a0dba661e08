import * as tf from '@tensorflow/tfjs';
import { jointTeacherTargets } from './batches';
import type { ModelFamily } from './families';
import { maskedInput, pasteHole, representativeMask } from '../tasks/masks';
import type { TaskSpec } from '../../shared/tasks';
import { holeNoiseTargets, weightedPixelLoss } from './losses';
import { ParameterPart, init } from './parameters';
import { blockParameters, dense, layerNorm, transformerBlock, type BlockWeight } from './transformer';
import type { I2IModel, ModelCard, ModelPart, ModelParts, TaskBatch } from './types';
import { PROJECT_RECIPE } from './recipes';

/**
 * A small ViT masked autoencoder (He et al., MAE). The image is cut into square patches (tokens);
 * a token is dropped when the task's pixel mask hides all of its pixels, so centre holes,
 * outpainting and random patches (any ratio) all work. The encoder sees only the other tokens,
 * each as its visible pixels plus the mask (hidden pixels zeroed); a light decoder puts a learned
 * mask token at every dropped position and predicts all patches. With patch-aligned masks (the
 * random-patches task) this is plain MAE. Dropping a patch when *any* pixel is hidden instead
 * would drop MNIST's whole 20x20 digit area for a 14x14 centre hole (only the blank border would
 * stay visible): such a model did not beat a mean-image fill there (7.81 vs 7.88 dB after 400 steps).
 */
export interface MaeConfig {
  height: number;
  width: number;
  channels: number;
  /** Patch side in pixels; must divide the image. */
  patch: number;
  dim: number;
  depth: number;
  heads: number;
  /** Hidden units of each block's MLP, as a multiple of its width. */
  mlpRatio: number;
  decoderDim: number;
  decoderDepth: number;
  decoderHeads: number;
  seed: number;
}

export const DEFAULT_MAE: MaeConfig = {
  height: 28,
  width: 28,
  channels: 1,
  patch: 4,
  dim: 64,
  depth: 3,
  heads: 4,
  mlpRatio: 2,
  // MAE's decoder is light next to its encoder; on wasm the decoder's full-length attention dominates a step.
  decoderDim: 32,
  decoderDepth: 1,
  decoderHeads: 2,
  seed: 1,
};

interface Grid {
  rows: number;
  cols: number;
  tokens: number;
  /** Pixel values per patch: patch² · channels. */
  patchValues: number;
  /** Encoder inputs per patch: patch² · (channels + 1), the visible pixels and the mask. */
  inputValues: number;
}

function gridOf(c: MaeConfig): Grid {
  if (c.height % c.patch !== 0 || c.width % c.patch !== 0) throw new Error(`image ${c.height}x${c.width} is not divisible into ${c.patch}x${c.patch} patches`);
  if (c.dim % c.heads !== 0 || c.decoderDim % c.decoderHeads !== 0) throw new Error('transformer widths must divide by their head counts');
  if (c.dim % 4 !== 0 || c.decoderDim % 4 !== 0) throw new Error('sin-cos position embeddings need widths divisible by 4');
  const rows = c.height / c.patch;
  const cols = c.width / c.patch;
  return { rows, cols, tokens: rows * cols, patchValues: c.patch * c.patch * c.channels, inputValues: c.patch * c.patch * (c.channels + 1) };
}

/** MAE's fixed 2-D sin-cos position embeddings, [rows·cols, dim]: half the channels for the row, half for the column. */
export function sinCosPositions(rows: number, cols: number, dim: number): Float32Array {
  const quarter = dim / 4;
  const values = new Float32Array(rows * cols * dim);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const base = (r * cols + c) * dim;
      for (let i = 0; i < quarter; i++) {
        const omega = 1 / 10000 ** (i / quarter);
        values[base + i] = Math.sin(r * omega);
        values[base + quarter + i] = Math.cos(r * omega);
        values[base + 2 * quarter + i] = Math.sin(c * omega);
        values[base + 3 * quarter + i] = Math.cos(c * omega);
      }
    }
  }
  return values;
}

/** MAE's weight names: `block0/norm1/gamma`, `block0/qkv/kernel`, ... */
const MAE_BLOCK_NAMES: Record<BlockWeight, string> = {
  norm1Gamma: 'norm1/gamma', norm1Beta: 'norm1/beta', qkvKernel: 'qkv/kernel', qkvBias: 'qkv/bias',
  projKernel: 'proj/kernel', projBias: 'proj/bias', norm2Gamma: 'norm2/gamma', norm2Beta: 'norm2/beta',
  fc1Kernel: 'fc1/kernel', fc1Bias: 'fc1/bias', fc2Kernel: 'fc2/kernel', fc2Bias: 'fc2/bias',
};
const blockName = (prefix: string) => (weight: BlockWeight) => `${prefix}/${MAE_BLOCK_NAMES[weight]}`;

const blockParams = (prefix: string, dim: number, mlpRatio: number, seed: number) => blockParameters(blockName(prefix), dim, dim * mlpRatio, seed);

export function createEncoder(c: MaeConfig): ParameterPart {
  const { inputValues } = gridOf(c);
  const seed = c.seed * 1000;
  return new ParameterPart([
    ['patch/kernel', init.glorot([inputValues, c.dim], seed)],
    ['patch/bias', init.zeros([c.dim])],
    ...Array.from({ length: c.depth }, (_, i) => blockParams(`block${i}`, c.dim, c.mlpRatio, seed + 10 * (i + 1))).flat(),
    ['norm/gamma', init.ones([c.dim])],
    ['norm/beta', init.zeros([c.dim])],
  ]);
}

export function createDecoder(c: MaeConfig): ParameterPart {
  const { patchValues } = gridOf(c);
  const seed = c.seed * 1000 + 500;
  return new ParameterPart([
    ['embed/kernel', init.glorot([c.dim, c.decoderDim], seed)],
    ['embed/bias', init.zeros([c.decoderDim])],
    // 1-D so that AdamW leaves it undecayed, as MAE exempts its mask token.
    ['mask_token', init.normal([c.decoderDim], seed + 1)],
    ...Array.from({ length: c.decoderDepth }, (_, i) => blockParams(`block${i}`, c.decoderDim, c.mlpRatio, seed + 10 * (i + 1))).flat(),
    ['norm/gamma', init.ones([c.decoderDim])],
    ['norm/beta', init.zeros([c.decoderDim])],
    ['pred/kernel', init.glorot([c.decoderDim, patchValues], seed + 2)],
    ['pred/bias', init.zeros([patchValues])],
  ]);
}

/** A named dense layer: `<name>/kernel`, `<name>/bias`. */
const denseLayer = (x: tf.Tensor, part: ParameterPart, name: string) => dense(x, part.get(`${name}/kernel`), part.get(`${name}/bias`));
const norm = (x: tf.Tensor, part: ParameterPart, name: string) => layerNorm(x, part.get(`${name}/gamma`), part.get(`${name}/beta`));
const block = (x: tf.Tensor, part: ParameterPart, prefix: string, heads: number) => transformerBlock(x, (w) => part.get(blockName(prefix)(w)), heads);

/** Which tokens a batch's masks leave visible: the same count in every image of a batch. */
interface TokenLayout {
  /** [n, visible, tokens] one-hot rows: row j picks image i's j-th visible token (in raster order). */
  select: tf.Tensor3D;
  /** [n, tokens, 1], 1 where the token is hidden. */
  hidden: tf.Tensor3D;
}

export class MaeModel implements I2IModel {
  private readonly grid: Grid;
  private readonly visibleByTask = new Map<string, number | undefined>();
  /** Fixed (not trained) sin-cos position embeddings of the encoder and the decoder. */
  private readonly encoderPositions: tf.Tensor2D;
  private readonly decoderPositions: tf.Tensor2D;

  constructor(
    readonly card: ModelCard,
    readonly config: MaeConfig,
    readonly encoder: ParameterPart,
    readonly decoder: ParameterPart,
  ) {
    this.grid = gridOf(config);
    const { rows, cols, tokens } = this.grid;
    this.encoderPositions = tf.tensor2d(sinCosPositions(rows, cols, config.dim), [tokens, config.dim]);
    this.decoderPositions = tf.tensor2d(sinCosPositions(rows, cols, config.decoderDim), [tokens, config.decoderDim]);
  }

  /** [n, H, W, C] -> [n, tokens, patch²·C], tokens in raster order. */
  patchify(images: tf.Tensor4D): tf.Tensor3D {
    const { rows, cols, tokens } = this.grid;
    const { patch } = this.config;
    const [n, , , channels] = images.shape;
    const split = tf.reshape(images, [n, rows, patch, cols, patch * channels]);
    return tf.reshape(tf.transpose(split, [0, 1, 3, 2, 4]), [n, tokens, patch * patch * channels]);
  }

  unpatchify(patches: tf.Tensor3D): tf.Tensor4D {
    const { rows, cols } = this.grid;
    const { patch, channels, height, width } = this.config;
    const n = patches.shape[0];
    const split = tf.reshape(patches, [n, rows, cols, patch, patch * channels]);
    return tf.reshape(tf.transpose(split, [0, 1, 3, 2, 4]), [n, height, width, channels]);
  }

  /**
   * Token masks from the pixel mask (a token is hidden if all of its pixels are). The visible count
   * sets a tensor shape: it comes from the batch's task where that fixes it, else it is read back
   * (a blocking read, which a GPU pays for); the token order stays on device.
   */
  tokenLayout(mask: tf.Tensor4D, task?: TaskSpec): TokenLayout {
    const { tokens } = this.grid;
    const n = mask.shape[0];
    const { patch } = this.config;
    // min-pool as -max(-mask)
    const hidden = tf.reshape(tf.neg(tf.maxPool(tf.neg(mask), patch, patch, 'valid')), [n, tokens]);
    const visible = (task && this.visibleTokens(task)) ?? this.readVisibleTokens(hidden as tf.Tensor2D);
    if (visible < 1) throw new Error('MAE: the mask hides every token');
    // Visible tokens score above hidden ones, earlier ones above later ones: top-k lists the visible tokens in raster order.
    const score = tf.sub(tf.mul(tf.sub(1, hidden), 2 * tokens), tf.range(0, tokens));
    const { values, indices } = tf.topk(score, visible);
    values.dispose();
    const select = tf.cast(tf.oneHot(indices, tokens), 'float32') as tf.Tensor3D;
    return { select, hidden: tf.expandDims(hidden, 2) as tf.Tensor3D };
  }

  /** Visible tokens per image under a task that gives every image the same count (cached per task). */
  private visibleTokens(task: TaskSpec): number | undefined {
    const key = JSON.stringify(task);
    if (!this.visibleByTask.has(key)) {
      const { height, width, patch } = this.config;
      const pixels = representativeMask(task, height, width, patch);
      let visible: number | undefined;
      if (pixels) {
        const { rows, cols } = this.grid;
        visible = 0;
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            let allHidden = true;
            for (let y = r * patch; y < (r + 1) * patch && allHidden; y++) {
              for (let x = c * patch; x < (c + 1) * patch; x++) if (pixels[y * width + x] !== 1) allHidden = false;
            }
            if (!allHidden) visible++;
          }
        }
      }
      this.visibleByTask.set(key, visible);
    }
    return this.visibleByTask.get(key);
  }

  private readVisibleTokens(hidden: tf.Tensor2D): number {
    const counts = tf.sum(tf.sub(1, hidden), 1);
    const visibleCounts = counts.dataSync();
    counts.dispose();
    const visible = visibleCounts[0];
    if (visibleCounts.some((c) => c !== visible)) throw new Error(`MAE: every image of a batch must leave the same number of tokens visible (got ${[...new Set(visibleCounts)].join(', ')})`);
    return visible;
  }

  /** The encoder's embeddings of the visible tokens, [n, visible, dim]. */
  private runEncoder(batch: TaskBatch, layout: TokenLayout, part: ParameterPart): tf.Tensor3D {
    const { select } = layout;
    const [n, visible, tokens] = select.shape;
    const visiblePatches = tf.matMul(select, this.patchify(maskedInput(batch.images, batch.mask)));
    const positions = tf.reshape(tf.matMul(tf.reshape(select, [n * visible, tokens]), this.encoderPositions), [n, visible, this.config.dim]);
    let x = tf.add(denseLayer(visiblePatches, part, 'patch'), positions);
    for (let i = 0; i < this.config.depth; i++) x = block(x, part, `block${i}`, this.config.heads);
    return norm(x, part, 'norm') as tf.Tensor3D;
  }

  /** Visible-token embeddings back to their places, the mask token elsewhere, then patches of pixels. */
  private runDecoder(latent: tf.Tensor3D, layout: TokenLayout, part: ParameterPart): tf.Tensor4D {
    const { select, hidden } = layout;
    const placed = tf.matMul(select, denseLayer(latent, part, 'embed'), true, false);
    let x = tf.add(tf.add(placed, tf.mul(hidden, part.get('mask_token'))), this.decoderPositions);
    for (let i = 0; i < this.config.decoderDepth; i++) x = block(x, part, `block${i}`, this.config.decoderHeads);
    const patches = tf.sigmoid(denseLayer(norm(x, part, 'norm'), part, 'pred')) as tf.Tensor3D;
    return this.unpatchify(patches);
  }

  encode(batch: TaskBatch, encoder: ModelPart = this.encoder): tf.Tensor[] {
    return [tf.tidy(() => this.runEncoder(batch, this.tokenLayout(batch.mask, batch.task), encoder as ParameterPart))];
  }

  forgetTarget(forget: TaskBatch, noise: tf.Tensor4D, teacher: ModelPart): tf.Tensor[] {
    return this.encode({ ...forget, images: noise }, teacher);
  }
  teacherTargets(forget: TaskBatch, noise: tf.Tensor4D, retain: TaskBatch, teacher: ModelPart): { forget: tf.Tensor[]; retain: tf.Tensor[] } {
    return jointTeacherTargets((batch) => this.encode(batch, teacher), forget, noise, retain);
  }


  predict(batch: TaskBatch, parts: ModelParts = this): tf.Tensor4D {
    return tf.tidy(() => {
      const layout = this.tokenLayout(batch.mask, batch.task);
      const latent = this.runEncoder(batch, layout, parts.encoder as ParameterPart);
      return this.runDecoder(latent, layout, parts.decoder as ParameterPart);
    });
  }

  /** Pixel MSE with hidden pixels weighted by `hiddenWeight` (MAE's own loss is on hidden patches only). */
  taskLoss(batch: TaskBatch, parts: ModelParts = this, hiddenWeight = 1): tf.Tensor1D {
    return tf.tidy(() => weightedPixelLoss(this.predict(batch, parts), batch.images, batch.mask, hiddenWeight));
  }

  noisyLabelLoss(batch: TaskBatch, noise: tf.Tensor4D, parts: ModelParts = this): tf.Tensor1D {
    return tf.tidy(() => weightedPixelLoss(this.predict(batch, parts), holeNoiseTargets(batch.images, batch.mask, noise), batch.mask));
  }

  /** One decoder pass, with the visible pixels pasted back (the model's guess matters only where it could not see). */
  async reconstruct(batch: TaskBatch, parts: ModelParts = this): Promise<tf.Tensor4D> {
    return tf.tidy(() => {
      const output = this.predict(batch, parts);
      return pasteHole(output, batch.images, batch.mask);
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
    tf.dispose([this.encoderPositions, this.decoderPositions]);
  }
}

export function maeConfigFromCard(card: ModelCard): MaeConfig {
  const a = card.architecture;
  const number = (key: keyof MaeConfig) => {
    const value = a[key];
    if (typeof value !== 'number') throw new Error(`model ${card.id}: architecture.${key} must be a number`);
    return value;
  };
  return {
    height: card.height,
    width: card.width,
    channels: card.channels,
    patch: number('patch'),
    dim: number('dim'),
    depth: number('depth'),
    heads: number('heads'),
    mlpRatio: number('mlpRatio'),
    decoderDim: number('decoderDim'),
    decoderDepth: number('decoderDepth'),
    decoderHeads: number('decoderHeads'),
    seed: number('seed'),
  };
}

export function maeArchitecture(c: MaeConfig): ModelCard['architecture'] {
  const { patch, dim, depth, heads, mlpRatio, decoderDim, decoderDepth, decoderHeads, seed } = c;
  return { patch, dim, depth, heads, mlpRatio, decoderDim, decoderDepth, decoderHeads, seed };
}

export function createMae(card: ModelCard): MaeModel {
  const config = maeConfigFromCard(card);
  return new MaeModel(card, config, createEncoder(config), createDecoder(config));
}

export const maeFamily: ModelFamily = {
  title: 'masked autoencoder (ViT)',
  recipe: PROJECT_RECIPE,
  defaultArchitecture: (height, width, channels) => maeArchitecture({ ...DEFAULT_MAE, height, width, channels }),
  create: createMae,
  async load(card, read) {
    const config = maeConfigFromCard(card);
    const encoder = createEncoder(config);
    const decoder = createDecoder(config);
    try {
      await ParameterPart.load(read, 'encoder', encoder);
      await ParameterPart.load(read, 'decoder', decoder);
    } catch (error) {
      encoder.dispose();
      decoder.dispose();
      throw error;
    }
    return new MaeModel(card, config, encoder, decoder);
  },
};

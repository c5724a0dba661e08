import * as tf from '@tensorflow/tfjs';
import { maskedInput } from '../tasks/masks';
import { jointTeacherTargets } from './batches';
import type { ModelFamily } from './families';
import { loadLayers } from './io';
import { holeNoiseTargets, weightedPixelLoss } from './losses';
import { LayersPart, seededInitializer, stridedConvStack } from './layers';
import type { I2IModel, ModelCard, ModelPart, ModelParts, TaskBatch } from './types';
import { CONV_AE_RECIPE } from './recipes';

export interface ConvInpaintingConfig {
  height: number;
  width: number;
  channels: number;
  /** Conv widths; every width after the first halves the resolution. */
  widths: number[];
  /** Channels of the 1x1 projection before the global bottleneck. */
  projection: number;
  latent: number;
  seed: number;
}

export const DEFAULT_CONV_INPAINTING: ConvInpaintingConfig = {
  height: 28,
  width: 28,
  channels: 1,
  widths: [32, 64, 128],
  projection: 32,
  latent: 256,
  seed: 1,
};

/**
 * Encoder: strided convs, then a dense bottleneck over the whole feature map. The dense layer
 * gives every latent unit a view of the whole input: with convs alone the middle of a
 * half-side hole sees only zeros, and such a model both inpaints and forgets poorly.
 */
export function buildEncoder(config: ConvInpaintingConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.height, config.width, config.channels + 1] });
  let x = stridedConvStack(input, config.widths, config.seed * 100, 'enc_conv');
  x = tf.layers
    .conv2d({ filters: config.projection, kernelSize: 1, activation: 'relu', kernelInitializer: seededInitializer(config.seed * 100 + 10), name: 'enc_project' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'enc_flatten' }).apply(x) as tf.SymbolicTensor;
  const latent = tf.layers
    .dense({ units: config.latent, kernelInitializer: seededInitializer(config.seed * 100 + 11), name: 'enc_latent' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: latent, name: 'encoder' });
}

/** Decoder: dense back to the coarsest grid, then transposed convs up to the image. */
export function buildDecoder(config: ConvInpaintingConfig): tf.LayersModel {
  const downsamples = config.widths.length - 1;
  const gridH = config.height / 2 ** downsamples;
  const gridW = config.width / 2 ** downsamples;
  if (!Number.isInteger(gridH) || !Number.isInteger(gridW)) {
    throw new Error(`image ${config.height}x${config.width} is not divisible by 2^${downsamples}`);
  }
  const input = tf.input({ shape: [config.latent] });
  let x = tf.layers
    .dense({ units: gridH * gridW * config.projection, activation: 'relu', kernelInitializer: seededInitializer(config.seed * 100 + 20), name: 'dec_dense' })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [gridH, gridW, config.projection], name: 'dec_reshape' }).apply(x) as tf.SymbolicTensor;
  const upWidths = config.widths.slice(0, -1).reverse();
  upWidths.forEach((filters, i) => {
    x = tf.layers
      .conv2dTranspose({
        filters,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seededInitializer(config.seed * 100 + 30 + i),
        name: `dec_up${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
  });
  const output = tf.layers
    .conv2d({ filters: config.channels, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: seededInitializer(config.seed * 100 + 40), name: 'dec_out' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'decoder' });
}

export class ConvInpaintingModel implements I2IModel {
  readonly encoder: LayersPart;
  readonly decoder: LayersPart;

  constructor(
    readonly card: ModelCard,
    encoder: tf.LayersModel,
    decoder: tf.LayersModel,
  ) {
    this.encoder = new LayersPart(encoder);
    this.decoder = new LayersPart(decoder);
  }

  static create(card: ModelCard, config: ConvInpaintingConfig): ConvInpaintingModel {
    return new ConvInpaintingModel(card, buildEncoder(config), buildDecoder(config));
  }

  encode(batch: TaskBatch, encoder: ModelPart = this.encoder): tf.Tensor[] {
    return [(encoder as LayersPart).model.apply(maskedInput(batch.images, batch.mask)) as tf.Tensor];
  }

  forgetTarget(forget: TaskBatch, noise: tf.Tensor4D, teacher: ModelPart): tf.Tensor[] {
    return this.encode({ ...forget, images: noise }, teacher);
  }
  teacherTargets(forget: TaskBatch, noise: tf.Tensor4D, retain: TaskBatch, teacher: ModelPart): { forget: tf.Tensor[]; retain: tf.Tensor[] } {
    return jointTeacherTargets((batch) => this.encode(batch, teacher), forget, noise, retain);
  }


  predict(batch: TaskBatch, parts: ModelParts = this): tf.Tensor4D {
    const latent = this.encode(batch, parts.encoder)[0];
    return (parts.decoder as LayersPart).model.apply(latent) as tf.Tensor4D;
  }

  taskLoss(batch: TaskBatch, parts: ModelParts = this, hiddenWeight = 1): tf.Tensor1D {
    return tf.tidy(() => weightedPixelLoss(this.predict(batch, parts), batch.images, batch.mask, hiddenWeight));
  }

  noisyLabelLoss(batch: TaskBatch, noise: tf.Tensor4D, parts: ModelParts = this): tf.Tensor1D {
    return tf.tidy(() => weightedPixelLoss(this.predict(batch, parts), holeNoiseTargets(batch.images, batch.mask, noise), batch.mask));
  }

  async reconstruct(batch: TaskBatch, parts: ModelParts = this): Promise<tf.Tensor4D> {
    return tf.tidy(() => this.predict(batch, parts));
  }

  cloneEncoder(): LayersPart {
    return frozenCopy(buildEncoder(configFromCard(this.card)), this.encoder);
  }

  cloneDecoder(): LayersPart {
    return frozenCopy(buildDecoder(configFromCard(this.card)), this.decoder);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}

function frozenCopy(fresh: tf.LayersModel, source: LayersPart): LayersPart {
  fresh.setWeights(source.getWeights());
  fresh.trainable = false;
  return new LayersPart(fresh);
}

export const convInpaintingFamily: ModelFamily = {
  title: 'conv inpainting autoencoder',
  recipe: CONV_AE_RECIPE,
  defaultArchitecture: (height, width, channels) => cardArchitecture({ ...DEFAULT_CONV_INPAINTING, height, width, channels }),
  create: (card) => ConvInpaintingModel.create(card, configFromCard(card)),
  async load(card, read) {
    const [encoder, decoder] = await Promise.all([loadLayers(read, 'encoder'), loadLayers(read, 'decoder')]);
    return new ConvInpaintingModel(card, encoder, decoder);
  },
};

export function configFromCard(card: ModelCard): ConvInpaintingConfig {
  const a = card.architecture;
  return {
    height: card.height,
    width: card.width,
    channels: card.channels,
    widths: a.widths as number[],
    projection: a.projection as number,
    latent: a.latent as number,
    seed: a.seed as number,
  };
}

export function cardArchitecture(config: ConvInpaintingConfig): ModelCard['architecture'] {
  return { widths: config.widths, projection: config.projection, latent: config.latent, seed: config.seed };
}

import * as tf from '@tensorflow/tfjs';
import { seededInitializer, stridedConvStack } from './layers';
import type { I2IModel, ModelCard } from './types';

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
  constructor(
    readonly card: ModelCard,
    readonly encoder: tf.LayersModel,
    readonly decoder: tf.LayersModel,
  ) {}

  static create(card: ModelCard, config: ConvInpaintingConfig): ConvInpaintingModel {
    return new ConvInpaintingModel(card, buildEncoder(config), buildDecoder(config));
  }

  encode(input: tf.Tensor4D, encoder: tf.LayersModel = this.encoder): tf.Tensor[] {
    return [encoder.apply(input) as tf.Tensor];
  }

  decode(latent: tf.Tensor[], decoder: tf.LayersModel = this.decoder): tf.Tensor4D {
    return decoder.apply(latent[0]) as tf.Tensor4D;
  }

  cloneEncoder(): tf.LayersModel {
    const teacher = buildEncoder(configFromCard(this.card));
    teacher.setWeights(this.encoder.getWeights());
    teacher.trainable = false;
    return teacher;
  }

  cloneDecoder(): tf.LayersModel {
    const copy = buildDecoder(configFromCard(this.card));
    copy.setWeights(this.decoder.getWeights());
    copy.trainable = false;
    return copy;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}

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

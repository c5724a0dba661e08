import * as tf from '@tensorflow/tfjs';
import { ParameterPart, init } from './parameters';

/**
 * The VQ tokenizer of the MAGE family (the paper's "VQ-GAN", without the adversarial loss: on
 * MNIST reconstruction + commitment losses already give sharp digits): a conv encoder that
 * downsamples by 2 per width, a codebook with a straight-through estimator, and a conv decoder.
 * Trained first (scripts/pretrain-mage.ts), then frozen: the transformer sees only its codes.
 */
export interface VqConfig {
  height: number;
  width: number;
  channels: number;
  /** Conv widths of the encoder; each one halves the resolution (the decoder mirrors them). */
  widths: number[];
  codeDim: number;
  codebookSize: number;
  /** Weight of the commitment term ||z - sg(e)||² (VQ-VAE's β). */
  commitment: number;
  seed: number;
}

export const DEFAULT_VQ: VqConfig = {
  height: 28,
  width: 28,
  channels: 1,
  widths: [32, 64],
  codeDim: 16,
  codebookSize: 128,
  commitment: 0.25,
  seed: 1,
};

/** Token grid side lengths: the image downsampled by 2 per encoder width. */
export function tokenGrid(config: VqConfig): { rows: number; cols: number; factor: number } {
  const factor = 2 ** config.widths.length;
  return { rows: Math.ceil(config.height / factor), cols: Math.ceil(config.width / factor), factor };
}

export function createTokenizerPart(config: VqConfig, trainable = false): ParameterPart {
  const s = config.seed * 1000;
  const params: [string, tf.Tensor][] = [];
  let previous = config.channels;
  config.widths.forEach((w, i) => {
    params.push([`enc${i}_w`, init.glorot([3, 3, previous, w], s + i)], [`enc${i}_b`, init.zeros([w])]);
    previous = w;
  });
  params.push(['enc_out_w', init.glorot([1, 1, previous, config.codeDim], s + 50)], ['enc_out_b', init.zeros([config.codeDim])]);
  params.push(['codebook', init.normal([config.codebookSize, config.codeDim], s + 60, 1)]);
  const top = config.widths[config.widths.length - 1];
  params.push(['dec_in_w', init.glorot([3, 3, config.codeDim, top], s + 70)], ['dec_in_b', init.zeros([top])]);
  // Transposed convs go back up through the widths; the last one ends at the first width.
  const upWidths = [...config.widths].reverse();
  upWidths.forEach((w, i) => {
    const out = upWidths[i + 1] ?? Math.max(8, config.widths[0] / 2);
    // conv2dTranspose filters are [k, k, out, in].
    params.push([`up${i}_w`, init.glorot([4, 4, out, w], s + 80 + i)], [`up${i}_b`, init.zeros([out])]);
  });
  const last = Math.max(8, config.widths[0] / 2);
  params.push(['dec_out_w', init.glorot([3, 3, last, config.channels], s + 90)], ['dec_out_b', init.zeros([config.channels])]);
  return new ParameterPart(params, trainable);
}

/** Passes values forward and no gradient back (VQ's sg[·]); tfjs has no stopGradient op. */
const stopGradient = tf.customGrad((...inputs) => ({ value: tf.clone(inputs[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));

export function sg<T extends tf.Tensor>(x: T): T {
  return stopGradient(x) as T;
}

/** z_e: [n, H, W, C] -> [n, rows, cols, codeDim] */
export function encodeContinuous(part: ParameterPart, config: VqConfig, images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = images;
    config.widths.forEach((_, i) => {
      x = tf.relu(tf.add(tf.conv2d(x, part.get(`enc${i}_w`) as tf.Tensor4D, 2, 'same'), part.get(`enc${i}_b`))) as tf.Tensor4D;
    });
    return tf.add(tf.conv2d(x, part.get('enc_out_w') as tf.Tensor4D, 1, 'same'), part.get('enc_out_b')) as tf.Tensor4D;
  });
}

/** Squared distances of each vector [m, d] to every code: [m, K]. */
function codeDistances(flat: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const zz = tf.sum(tf.square(flat), 1, true);
    const ee = tf.reshape(tf.sum(tf.square(codebook), 1), [1, -1]);
    return tf.add(tf.sub(zz, tf.mul(2, tf.matMul(flat, codebook, false, true))), ee) as tf.Tensor2D;
  });
}

/** Nearest code per position of z_e: [n, rows, cols, d] -> int32 [n, rows * cols]. */
export function nearestCodes(part: ParameterPart, zE: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, rows, cols, d] = zE.shape;
    const distances = codeDistances(tf.reshape(zE, [-1, d]), part.get('codebook') as tf.Tensor2D);
    return tf.reshape(tf.argMin(distances, 1), [n, rows * cols]) as tf.Tensor2D;
  });
}

/** Code vectors for codes: int32 [n, L] -> [n, rows, cols, d] (one-hot matmul: gather has no wasm gradient). */
export function codeVectors(part: ParameterPart, config: VqConfig, codes: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const { rows, cols } = tokenGrid(config);
    const oneHot = tf.oneHot(tf.reshape(codes, [-1]), config.codebookSize);
    return tf.reshape(tf.matMul(oneHot, part.get('codebook')), [codes.shape[0], rows, cols, config.codeDim]) as tf.Tensor4D;
  });
}

/** The frozen tokenizer's codes for images: int32 [n, rows * cols]. */
export function tokenize(part: ParameterPart, config: VqConfig, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => nearestCodes(part, encodeContinuous(part, config, images)));
}

/** Quantised vectors -> pixel logits (training takes the cross-entropy on these: an MSE through a sigmoid saturates at black). */
function decodeLogits(part: ParameterPart, config: VqConfig, zQ: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = zQ.shape[0];
    let x = tf.relu(tf.add(tf.conv2d(zQ, part.get('dec_in_w') as tf.Tensor4D, 1, 'same'), part.get('dec_in_b'))) as tf.Tensor4D;
    const { rows, cols } = tokenGrid(config);
    [...config.widths].reverse().forEach((_, i) => {
      const filter = part.get(`up${i}_w`) as tf.Tensor4D;
      const scale = 2 ** (i + 1);
      x = tf.relu(tf.add(tf.conv2dTranspose(x, filter, [n, rows * scale, cols * scale, filter.shape[2]], 2, 'same'), part.get(`up${i}_b`))) as tf.Tensor4D;
    });
    const out = tf.add(tf.conv2d(x, part.get('dec_out_w') as tf.Tensor4D, 1, 'same'), part.get('dec_out_b')) as tf.Tensor4D;
    // Grids rounded up (side not divisible by the factor) are cropped back to the image.
    return out.shape[1] === config.height && out.shape[2] === config.width ? out : (tf.slice(out, [0, 0, 0, 0], [n, config.height, config.width, config.channels]) as tf.Tensor4D);
  });
}

/** Quantised vectors -> images in [0, 1]. */
export function decodeVectors(part: ParameterPart, config: VqConfig, zQ: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sigmoid(decodeLogits(part, config, zQ)));
}

/** Codes -> images in [0, 1]: the frozen detokenizer. */
export function detokenize(part: ParameterPart, config: VqConfig, codes: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => decodeVectors(part, config, codeVectors(part, config, codes)));
}

export interface VqLosses {
  /** Pixel-wise binary cross-entropy (MNIST pixels are near 0 or 1). */
  reconstruction: tf.Scalar;
  /** ||sg(z_e) - e||² + β ||z_e - sg(e)||² */
  quantisation: tf.Scalar;
  total: tf.Scalar;
  codes: tf.Tensor2D;
}

/** Stage-1 training loss: reconstruction through the straight-through estimator plus codebook and commitment terms. */
export function vqLosses(part: ParameterPart, config: VqConfig, images: tf.Tensor4D): VqLosses {
  const zE = encodeContinuous(part, config, images);
  const codes = nearestCodes(part, sg(zE));
  const zQ = codeVectors(part, config, codes);
  const codebookTerm = tf.mean(tf.squaredDifference(sg(zE), zQ));
  const commitTerm = tf.mean(tf.squaredDifference(zE, sg(zQ)));
  // Straight-through: the decoder sees e, the encoder gets the decoder's gradient as if it had sent z_e.
  const straight = tf.add(zE, sg(tf.sub(zQ, zE))) as tf.Tensor4D;
  const reconstruction = tf.losses.sigmoidCrossEntropy(images, decodeLogits(part, config, straight)) as tf.Scalar;
  const quantisation = tf.add(codebookTerm, tf.mul(commitTerm, config.commitment)) as tf.Scalar;
  return { reconstruction, quantisation, total: tf.add(reconstruction, quantisation) as tf.Scalar, codes };
}

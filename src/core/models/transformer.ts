import * as tf from '@tensorflow/tfjs';
import { init } from './parameters';

/** The weights of one pre-LN transformer block, by role; each family names them in its own files. */
export type BlockWeight =
  | 'norm1Gamma' | 'norm1Beta' | 'qkvKernel' | 'qkvBias' | 'projKernel' | 'projBias'
  | 'norm2Gamma' | 'norm2Beta' | 'fc1Kernel' | 'fc1Bias' | 'fc2Kernel' | 'fc2Bias';

/** A block's weight names as stored in a family's weight files (the shipped models keep theirs). */
export type BlockNaming = (prefix: string, weight: BlockWeight) => string;

/** The block's initial weights, seeded: qkv at `seed`, proj at +1, fc1 at +2, fc2 at +3. */
export function blockParameters(name: (weight: BlockWeight) => string, dim: number, hidden: number, seed: number): [string, tf.Tensor][] {
  return [
    [name('norm1Gamma'), init.ones([dim])],
    [name('norm1Beta'), init.zeros([dim])],
    [name('qkvKernel'), init.glorot([dim, 3 * dim], seed)],
    [name('qkvBias'), init.zeros([3 * dim])],
    [name('projKernel'), init.glorot([dim, dim], seed + 1)],
    [name('projBias'), init.zeros([dim])],
    [name('norm2Gamma'), init.ones([dim])],
    [name('norm2Beta'), init.zeros([dim])],
    [name('fc1Kernel'), init.glorot([dim, hidden], seed + 2)],
    [name('fc1Bias'), init.zeros([hidden])],
    [name('fc2Kernel'), init.glorot([hidden, dim], seed + 3)],
    [name('fc2Bias'), init.zeros([dim])],
  ];
}

const LAYER_NORM_EPSILON = 1e-6;

export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON))), gamma), beta);
}

/** x [..., in] · kernel [in, out] + bias, as one fused matmul (the bias added in the same kernel). */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [inputs, outputs] = kernel.shape as [number, number];
  const flat = tf.fused.matMul({ a: tf.reshape(x, [-1, inputs]) as tf.Tensor2D, b: kernel as tf.Tensor2D, bias });
  return tf.reshape(flat, [...x.shape.slice(0, -1), outputs]);
}

/** Sigmoid-approximate GELU, x·σ(1.702x): tfjs has no gelu op, and this is 2 ops where the tanh form takes 7. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/**
 * A pre-LN ViT block over tokens [n, t, d]: multi-head self-attention, then a GELU MLP, each
 * with a residual. `keyBias` [n, 1, 1, t] is added to the attention scores (-1e9 on keys that
 * must not be seen).
 */
export function transformerBlock(x: tf.Tensor, weight: (name: BlockWeight) => tf.Tensor, heads: number, keyBias?: tf.Tensor): tf.Tensor {
  const [n, t, d] = x.shape;
  const dh = d / heads;
  const qkv = dense(layerNorm(x, weight('norm1Gamma'), weight('norm1Beta')), weight('qkvKernel'), weight('qkvBias'));
  const [q, k, v] = tf.split(qkv, 3, 2).map((h) => tf.reshape(tf.transpose(tf.reshape(h, [n, t, heads, dh]), [0, 2, 1, 3]), [n * heads, t, dh]) as tf.Tensor3D);
  let scores = tf.reshape(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), [n, heads, t, t]);
  if (keyBias) scores = tf.add(scores, keyBias);
  const attention = tf.reshape(tf.softmax(scores), [n * heads, t, t]) as tf.Tensor3D;
  const mixed = tf.reshape(tf.transpose(tf.reshape(tf.matMul(attention, v), [n, heads, t, dh]), [0, 2, 1, 3]), [n, t, d]);
  const attended = tf.add(x, dense(mixed, weight('projKernel'), weight('projBias')));
  const hidden = gelu(dense(layerNorm(attended, weight('norm2Gamma'), weight('norm2Beta')), weight('fc1Kernel'), weight('fc1Bias')));
  return tf.add(attended, dense(hidden, weight('fc2Kernel'), weight('fc2Bias')));
}

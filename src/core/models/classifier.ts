import * as tf from '@tensorflow/tfjs';
import { batchTensor, indexBatches, type ImageSet } from '../data/image-set';
import { seededInitializer, stridedConvStack } from './layers';
import { loadLayers, readCard, saveLayers, writeCard, type ReadFile, type WriteFile } from './io';

/**
 * A small CNN, one per built-in dataset, whose penultimate layer is the embedding in which the
 * studio computes the paper's output metrics (FID, cosine similarity; IS from its class
 * probabilities), standing in for Inception / CLIP, which are far too large to ship and were
 * not made for 28x28 digits or 32x32 emoji.
 */
export interface ClassifierConfig {
  height: number;
  width: number;
  channels: number;
  classes: number;
  /** Conv widths; every width after the first halves the resolution. */
  widths: number[];
  embedding: number;
  seed: number;
}

export const DEFAULT_CLASSIFIER: ClassifierConfig = {
  height: 28,
  width: 28,
  channels: 1,
  classes: 10,
  widths: [16, 32, 64],
  embedding: 64,
  seed: 1,
};

export interface ClassifierCard {
  id: string;
  family: 'domain-classifier';
  title: string;
  config: ClassifierConfig;
  training?: {
    dataset: string;
    trainImages: number;
    epochs: number;
    steps: number;
    batchSize: number;
    learningRate: number;
    seed: number;
    finalLoss: number;
    seconds: number;
    backend: string;
  };
  evaluation?: { testImages: number; testAccuracy: number };
}

const MODEL_NAME = 'classifier';


/** One model with two outputs, [embedding, logits], so a single pass serves both views. */
export function buildClassifier(config: ClassifierConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.height, config.width, config.channels] });
  let x = stridedConvStack(input, config.widths, config.seed * 100, 'cls_conv');
  // Flatten rather than global pooling: where a stroke is matters for telling digits apart.
  x = tf.layers.flatten({ name: 'cls_flatten' }).apply(x) as tf.SymbolicTensor;
  const embedding = tf.layers
    .dense({ units: config.embedding, activation: 'relu', kernelInitializer: seededInitializer(config.seed * 100 + 10), name: 'cls_embedding' })
    .apply(x) as tf.SymbolicTensor;
  // Logits, not softmax: training uses the numerically stable softmax cross-entropy on them.
  const logits = tf.layers
    .dense({ units: config.classes, kernelInitializer: seededInitializer(config.seed * 100 + 11), name: 'cls_logits' })
    .apply(embedding) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [embedding, logits], name: 'classifier' });
}

export class Classifier {
  constructor(
    readonly card: ClassifierCard,
    readonly model: tf.LayersModel,
  ) {}

  static create(card: Omit<ClassifierCard, 'config'>, config: ClassifierConfig = DEFAULT_CLASSIFIER): Classifier {
    return new Classifier({ ...card, config }, buildClassifier(config));
  }

  /** images [n, H, W, C] in [0, 1] -> [embedding [n, E], logits [n, K]]. */
  forward(images: tf.Tensor4D): [tf.Tensor2D, tf.Tensor2D] {
    return this.model.apply(images) as [tf.Tensor2D, tf.Tensor2D];
  }

  /** The penultimate (post-ReLU) features: images [n, H, W, C] in [0, 1] -> [n, E]. */
  embed(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.forward(images)[0]);
  }

  /** p(y|x): images [n, H, W, C] in [0, 1] -> [n, K], rows summing to 1. */
  probabilities(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.forward(images)[1]));
  }

  dispose(): void {
    this.model.dispose();
  }
}

export interface SetFeatures {
  /** [count * embedding], row-major. */
  embeddings: Float32Array;
  /** [count * classes], row-major. */
  probabilities: Float32Array;
  count: number;
}

/** Embeddings and class probabilities of a whole set, in batches to bound memory. */
export async function classifySet(classifier: Classifier, set: ImageSet, batchSize = 500): Promise<SetFeatures> {
  const { embedding, classes } = classifier.card.config;
  const embeddings = new Float32Array(set.count * embedding);
  const probabilities = new Float32Array(set.count * classes);
  for (const indices of indexBatches(set.count, batchSize)) {
    const start = indices[0];
    const [features, probs] = tf.tidy(() => {
      const [e, logits] = classifier.forward(batchTensor(set, indices));
      return [e, tf.softmax(logits)];
    });
    embeddings.set(await features.data(), start * embedding);
    probabilities.set(await probs.data(), start * classes);
    tf.dispose([features, probs]);
  }
  return { embeddings, probabilities, count: set.count };
}

/** Fraction of rows whose most probable class is the label. */
export function accuracy(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k] > probabilities[i * classes + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

/** Same layout as the inpainting models (./io.ts): `classifier.json` + weights + `card.json`. */
export async function saveClassifier(classifier: Classifier, write: WriteFile): Promise<void> {
  await saveLayers(classifier.model, MODEL_NAME, write);
  await writeCard(classifier.card, write);
}

export async function loadClassifier(read: ReadFile): Promise<Classifier> {
  const card = await readCard<ClassifierCard>(read);
  if (card.family !== 'domain-classifier') throw new Error(`unknown classifier family "${card.family}"`);
  return new Classifier(card, await loadLayers(read, MODEL_NAME));
}

import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { ConvInpaintingModel, DEFAULT_CONV_INPAINTING, cardArchitecture } from '../models/conv-inpainting-ae';
import type { ModelCard } from '../models/types';
import { TASKS } from '../../shared/tasks';
import { createRng } from '../random';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { Unlearner } from '../unlearning/unlearner';

/** Seeded blob images (a bright disc at a random place), so the check needs no dataset. */
export function syntheticImages(count: number, side: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const pixels = new Uint8Array(count * side * side);
  for (let i = 0; i < count; i++) {
    const cx = rng() * side;
    const cy = rng() * side;
    const r = 3 + rng() * side * 0.3;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const d = Math.hypot(x - cx, y - cy);
        pixels[i * side * side + y * side + x] = Math.max(0, Math.min(255, Math.round(255 * (1 - d / r))));
      }
    }
  }
  return { pixels, labels: new Int32Array(count), count, height: side, width: side, channels: 1 };
}

export const PARITY_TOLERANCE = 1e-4;

/**
 * Runs three unlearning steps of a freshly seeded model on the active backend and returns
 * [total, L_R, α·L_F, gradient norm] per step: the gradient norm covers every encoder gradient,
 * and the later losses depend on the optimiser's updates.
 */
export async function unlearningFingerprint(): Promise<number[]> {
  const card: ModelCard = {
    id: 'parity',
    family: 'conv-inpainting-ae',
    title: 'parity check',
    dataset: 'synthetic',
    height: 28,
    width: 28,
    channels: 1,
    tasks: [TASKS['centre-50']],
    architecture: cardArchitecture(DEFAULT_CONV_INPAINTING),
  };
  const model = ConvInpaintingModel.create(card, DEFAULT_CONV_INPAINTING);
  const unlearner = new Unlearner(model, syntheticImages(8, 28, 1), syntheticImages(8, 28, 2), {
    ...DEFAULT_UNLEARN,
    batchSize: 8,
    steps: 10,
    warmupFraction: 0,
  });
  const values: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await unlearner.step();
    values.push(r.total, r.retainLoss, r.weightedForgetLoss, r.gradNorm);
  }
  unlearner.dispose();
  model.dispose();
  return values;
}

/** Largest difference relative to each value's magnitude (floored at 1e-3 so tiny values compare absolutely). */
export function maxRelativeDifference(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error('fingerprints differ in length');
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(1e-3, Math.abs(b[i]))));
}

export async function compareWithCpu(): Promise<{ backend: string; maxRelativeDiff: number }> {
  const backend = tf.getBackend();
  const active = await unlearningFingerprint();
  await tf.setBackend('cpu');
  const reference = await unlearningFingerprint();
  await tf.setBackend(backend);
  return { backend, maxRelativeDiff: maxRelativeDifference(active, reference) };
}

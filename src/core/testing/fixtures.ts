import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../backend/wasm-training-kernels';
import { ConvInpaintingModel, DEFAULT_CONV_INPAINTING, cardArchitecture, type ConvInpaintingConfig } from '../models/conv-inpainting-ae';
import type { ModelCard } from '../models/types';

/** A small model of the shipped architecture, so that unit tests train in seconds. */
export const SMALL_CONFIG: ConvInpaintingConfig = { ...DEFAULT_CONV_INPAINTING, widths: [8, 16, 16], projection: 8, latent: 32 };

export function smallModel(config: ConvInpaintingConfig = SMALL_CONFIG): ConvInpaintingModel {
  const card: ModelCard = {
    id: 'test-model',
    family: 'conv-inpainting-ae',
    title: 'test',
    dataset: 'synthetic',
    height: config.height,
    width: config.width,
    channels: config.channels,
    task: { kind: 'centre-hole', holeFraction: 0.5 },
    architecture: cardArchitecture(config),
  };
  return ConvInpaintingModel.create(card, config);
}

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  registerWasmTrainingKernels();
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed`);
}

export function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

export function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, i) => w.length === b[i].length && w.every((v, j) => Object.is(v, b[i][j])));
}

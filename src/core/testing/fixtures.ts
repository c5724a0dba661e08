import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../backend/wasm-training-kernels';
import { ConvInpaintingModel, DEFAULT_CONV_INPAINTING, cardArchitecture, type ConvInpaintingConfig } from '../models/conv-inpainting-ae';
import { evaluationBatch } from '../evaluation/reconstruction';
import type { I2IModel, ModelCard, ModelParts } from '../models/types';
import { TASKS } from '../../shared/tasks';

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
    tasks: [TASKS['centre-50']],
    architecture: cardArchitecture(config),
  };
  return ConvInpaintingModel.create(card, config);
}

/** A model's reconstructions of `images` under its default task (the evaluation masks), as a flat array. */
export async function reconstructionValues(model: I2IModel, images: tf.Tensor4D, parts: ModelParts = model): Promise<Float32Array> {
  const batch = evaluationBatch(model.card.tasks[0], images, 0);
  const output = await model.reconstruct(batch, parts);
  const values = (await output.data()) as Float32Array;
  tf.dispose([output, batch.mask]);
  return values;
}

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  registerWasmTrainingKernels();
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed`);
}

export function weightsOf(model: { getWeights(): tf.Tensor[] }): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

export function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, i) => w.length === b[i].length && w.every((v, j) => Object.is(v, b[i][j])));
}

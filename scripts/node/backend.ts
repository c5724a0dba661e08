import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/core/backend/wasm-training-kernels';

export type NodeBackend = 'wasm' | 'cpu';

/** Node scripts train on wasm by default (with the project's gradient kernels); cpu is the slow reference. */
export async function useNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  registerWasmTrainingKernels();
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) {
    throw new Error(`backend ${name} could not be initialised (active: ${tf.getBackend()})`);
  }
  return tf.getBackend();
}

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describeAdapter, type AdapterInfo } from '../../src/core/backend/gpu-identity';
import { registerWasmTrainingKernels } from '../../src/core/backend/wasm-training-kernels';

export type NodeBackend = 'wasm' | 'cpu' | 'webgpu';

/**
 * WebGPU in Node through Dawn: the `webgpu` npm package, which is not a dependency (130 MB of
 * prebuilt Dawn); a GPU bench installs it with `npm install --no-save webgpu`. It needs a Vulkan
 * driver: a GPU's, or Chromium's SwiftShader (VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json).
 */
async function installNodeWebGpu(): Promise<void> {
  const dawnPackage = 'webgpu';
  const dawn = await import(dawnPackage).catch(() => {
    throw new Error('the webgpu backend in Node needs Dawn: npm install --no-save webgpu');
  });
  Object.assign(globalThis, dawn.globals);
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  scope.navigator ??= {};
  scope.navigator.gpu = dawn.create([]);
  await import('@tensorflow/tfjs-backend-webgpu');
}

/** Node's WebGPU adapter (after useNodeBackend('webgpu')): its name and whether it emulates a GPU on the CPU. */
export async function nodeWebGpuAdapter(): Promise<{ adapter: string; software?: true }> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfo } | null> } } }).navigator?.gpu;
  const info = (await gpu?.requestAdapter())?.info;
  return info ? describeAdapter(info) : { adapter: 'unknown adapter' };
}

/** Node scripts train on wasm by default (with the project's gradient kernels); cpu is the slow reference. */
export async function useNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  registerWasmTrainingKernels();
  if (name === 'webgpu') await installNodeWebGpu();
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) {
    throw new Error(`backend ${name} could not be initialised (active: ${tf.getBackend()})`);
  }
  return tf.getBackend();
}

/**
 * tfjs flags from a command line, `NAME=value,NAME=value` (numbers and booleans parsed), for
 * trying a backend's tuning knobs, e.g. `WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=100`. Returns what was set.
 */
export function setTfjsFlags(spec: string): Record<string, string | number | boolean> {
  const flags: Record<string, string | number | boolean> = {};
  for (const pair of spec.split(',').filter(Boolean)) {
    const [name, raw] = pair.split('=');
    if (!name || raw === undefined) throw new Error(`tfjs flag "${pair}" is not NAME=value`);
    flags[name] = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
    tf.env().set(name, flags[name]);
  }
  return flags;
}

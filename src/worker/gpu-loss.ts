/**
 * A GPU that goes away (a driver reset, a device the browser reclaims) takes every tensor on it:
 * the worker reports it and is replaced by one on the next backend in the order.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../shared/protocol';

/** The parts of tfjs's GPU backends this needs (their classes are not exported from tfjs's main entry). */
interface WebGpuBackendLike {
  device: GPUDevice;
}
interface WebGlBackendLike {
  gpgpu: { gl: WebGLRenderingContext };
}

/** Calls `onLost` once if the active GPU backend's device or context is lost; nothing for wasm and cpu. */
export function watchGpuLoss(backend: BackendName, onLost: (reason: string) => void): void {
  if (backend === 'webgpu') {
    void (tf.backend() as unknown as WebGpuBackendLike).device.lost.then((info) => onLost(`the WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`));
  } else if (backend === 'webgl') {
    const canvas = (tf.backend() as unknown as WebGlBackendLike).gpgpu.gl.canvas as OffscreenCanvas | HTMLCanvasElement;
    canvas.addEventListener('webglcontextlost', () => onLost('the WebGL context was lost'), { once: true });
  }
}

/** Loses the active GPU backend's device or context, as a driver reset would (a test hook). */
export function loseGpu(backend: BackendName): void {
  if (backend === 'webgpu') (tf.backend() as unknown as WebGpuBackendLike).device.destroy();
  else if (backend === 'webgl') {
    const lose = (tf.backend() as unknown as WebGlBackendLike).gpgpu.gl.getExtension('WEBGL_lose_context');
    if (!lose) throw new Error('this WebGL context cannot be lost on purpose (no WEBGL_lose_context)');
    lose.loseContext();
  } else throw new Error(`the ${backend} backend runs on the CPU: there is no GPU to lose`);
}

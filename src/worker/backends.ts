import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../core/backend/wasm-training-kernels';
import { BACKEND_ORDER, type BackendAttempt, type BackendName } from './protocol';

// The app serves the wasm binaries itself: nothing is fetched from a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});
registerWasmTrainingKernels();

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** GPUAdapter.info (Chrome 114+), newer than the WebGPU typings tfjs ships with. */
interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** What the browser says about its WebGPU adapter; a fallback adapter is a CPU emulation. */
async function describeWebGpuAdapter(): Promise<Pick<BackendAttempt, 'adapter' | 'software'>> {
  const adapter = (await navigator.gpu.requestAdapter()) as (GPUAdapter & { info?: AdapterInfo }) | null;
  const info = adapter?.info;
  if (!info) return {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  const software = Boolean(info.isFallbackAdapter) || /swiftshader|llvmpipe|software/i.test(name);
  return { adapter: name || 'unknown adapter', software };
}

async function tryBackend(name: BackendName): Promise<string> {
  if (name === 'webgpu' && !('gpu' in navigator)) return 'this browser has no WebGPU (navigator.gpu is missing)';
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    // setBackend can resolve false, or leave another backend active, without throwing.
    if (!ok || tf.getBackend() !== name) return `initialisation failed (active backend: ${tf.getBackend() ?? 'none'})`;
    return '';
  } catch (error) {
    return describe(error);
  }
}

/**
 * Picks the first backend that works, in the order webgpu, webgl, wasm, cpu (starting at
 * `preferred` if given), and records why each one before it was passed over.
 */
export async function selectBackend(preferred: BackendName | undefined, wasmThreads: boolean): Promise<{ backend: BackendName; attempts: BackendAttempt[] }> {
  // The threaded build needs cross-origin isolation (SharedArrayBuffer), and the flag must be set
  // before wasm starts. Off by default: measured here it spawns its thread pool but XNNPACK runs
  // on one thread inside our module worker, and steps were no faster (see README, benchmarks).
  if (!wasmThreads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const order = preferred ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)] : [...BACKEND_ORDER];
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    const reason = await tryBackend(backend);
    const details = !reason && backend === 'webgpu' ? await describeWebGpuAdapter() : {};
    attempts.push({ backend, ok: !reason, reason, ...details });
    if (!reason) return { backend, attempts };
  }
  throw new Error(`no tfjs backend works here: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
}

/** Threads the wasm backend runs on (1 when it is single-threaded or not the active backend). */
export function wasmThreadCount(): number {
  return tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
}

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describeAdapter, SOFTWARE_GPU, type AdapterInfo } from '../core/backend/gpu-identity';
import { registerWasmTrainingKernels } from '../core/backend/wasm-training-kernels';
import { BACKEND_ORDER } from '../shared/backend-order';
import type { BackendAttempt, BackendName } from '../shared/protocol';

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

type GpuIdentity = Pick<BackendAttempt, 'adapter' | 'software'>;

/** What the browser says about its WebGPU adapter; `software` is undefined when it says nothing. */
async function describeWebGpuAdapter(): Promise<GpuIdentity> {
  if (!('gpu' in navigator)) return {};
  const adapter = (await navigator.gpu.requestAdapter()) as (GPUAdapter & { info?: AdapterInfo }) | null;
  const info = adapter?.info;
  return info ? describeAdapter(info) : {};
}

/** The WebGL renderer string (unmasked where the browser allows); `software` is undefined when it is hidden. */
function describeWebGlRenderer(): GpuIdentity {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return {};
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer ? { adapter: renderer, software: SOFTWARE_GPU.test(renderer) || undefined } : {};
  } catch {
    return {};
  }
}

const describeGpu = (name: BackendName): Promise<GpuIdentity> =>
  name === 'webgpu' ? describeWebGpuAdapter() : Promise.resolve(name === 'webgl' ? describeWebGlRenderer() : {});

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

/** ms for a few small convolutions with a read-back on the active backend (after one warm-up). */
async function probeMs(): Promise<number> {
  const run = () => tf.tidy(() => tf.conv2d(tf.ones([8, 28, 28, 16]) as tf.Tensor4D, tf.ones([3, 3, 16, 16]) as tf.Tensor4D, 1, 'same').sum());
  const once = async () => {
    const started = performance.now();
    const result = run();
    await result.data();
    result.dispose();
    return performance.now() - started;
  };
  await once();
  return Math.min(await once(), await once());
}

/**
 * Picks the fastest backend that works. `preferred` (the URL's backend=) is tried first and used
 * whatever it runs on. Otherwise the order is webgpu, webgl, wasm, cpu, except that a GPU
 * backend on a software adapter is passed over (it emulates the GPU on the CPU, far slower
 * than wasm), and one whose adapter the browser does not name must beat wasm in a short timed
 * probe. Every backend passed over is recorded with the reason.
 */
export async function selectBackend(preferred: BackendName | undefined, wasmThreads: boolean): Promise<{ backend: BackendName; attempts: BackendAttempt[] }> {
  // The threaded build needs cross-origin isolation (SharedArrayBuffer); both settings must come
  // before wasm starts.
  if (!wasmThreads) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return pickBackend(preferred);
  }
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  setThreadsCount(cores);
  // tfjs 4.22's threaded binary caps XNNPACK's pool at hardwareConcurrency / 2, read once as wasm
  // starts, whatever count it is asked for (its init clamps to emscripten_num_logical_cores() / 2:
  // one thread on 2 cores; tensorflow/tfjs#8513). Reporting twice the cores while wasm starts makes
  // that cap the cores there are; the browser's own value comes back right after.
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  try {
    return await pickBackend(preferred);
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

async function pickBackend(preferred: BackendName | undefined): Promise<{ backend: BackendName; attempts: BackendAttempt[] }> {
  const order = preferred ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)] : [...BACKEND_ORDER];
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    const identity = await describeGpu(backend);
    const forced = backend === preferred;
    if (!forced && identity.software) {
      attempts.push({ backend, ok: false, reason: `a software adapter (${identity.adapter}) emulates the GPU on the CPU, slower than wasm; ?backend=${backend} uses it anyway`, ...identity });
      continue;
    }
    const reason = await tryBackend(backend);
    if (!reason && !forced && (backend === 'webgpu' || backend === 'webgl') && identity.software === undefined) {
      const gpuMs = await probeMs();
      if (!(await tryBackend('wasm'))) {
        const wasmMs = await probeMs();
        if (wasmMs < gpuMs) {
          attempts.push({ backend, ok: false, reason: `the browser does not name its adapter, and a timed probe ran slower than wasm (${gpuMs.toFixed(1)} vs ${wasmMs.toFixed(1)} ms)`, ...identity });
          continue;
        }
        await tryBackend(backend);
      }
    }
    attempts.push({ backend, ok: !reason, reason, ...identity });
    if (!reason) return { backend, attempts };
  }
  throw new Error(`no tfjs backend works here: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
}

/** Threads the wasm backend runs on (1 when it is single-threaded or not the active backend). */
export function wasmThreadCount(): number {
  return tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
}

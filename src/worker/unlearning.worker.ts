/// <reference lib="webworker" />
/**
 * The training worker: owns every tensor, model and dataset. The studio talks to it only through
 * the messages in ../shared/protocol; ./runtime answers them.
 */
import type { ReadFile } from '../core/models/io';
import type { WorkerEvent, WorkerRequest } from '../shared/protocol';
import { transferables } from '../shared/transfer';
import { selectBackend, wasmThreadCount } from './backends';
import { loseGpu, watchGpuLoss } from './gpu-loss';
import { WorkerRuntime } from './runtime';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/** Often enough for the client's watchdog (see WorkerClient) to tell a busy worker from a dead one. */
const HEARTBEAT_MS = 2000;

/**
 * A lost GPU fails the step in flight about when `lost` fires, before or after it: an error on a
 * GPU backend waits this long, so that when the loss is its cause the studio hears the loss
 * (and resumes) rather than a failed run.
 */
const GPU_ERROR_GRACE_MS = 500;
let onGpu = false;
/** Set once the GPU is lost: the worker is about to be replaced, and nothing it does now counts. */
let lost = false;

const send = (event: WorkerEvent) => scope.postMessage(event, transferables(event));

function post(event: WorkerEvent): void {
  if (lost) return;
  if (event.type === 'error' && onGpu) setTimeout(() => !lost && send(event), GPU_ERROR_GRACE_MS);
  else send(event);
}

function folderReader(base: string): ReadFile {
  return async (name) => {
    const url = `${import.meta.env.BASE_URL}${base}/${name}`;
    const response = await fetch(url);
    // A dev server answers a missing file with index.html and status 200.
    if (!response.ok || response.headers.get('content-type')?.includes('text/html')) {
      throw new Error(`could not load ${url} (HTTP ${response.status}${response.ok ? ', got a web page instead' : ''})`);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}

const runtime = new WorkerRuntime({
  post,
  folder: folderReader,
  async selectBackend(preferred, wasmThreads) {
    const selected = await selectBackend(preferred, wasmThreads);
    onGpu = selected.backend === 'webgpu' || selected.backend === 'webgl';
    watchGpuLoss(selected.backend, (reason) => {
      send({ type: 'backendLost', backend: selected.backend, reason });
      lost = true;
    });
    return selected;
  },
  wasmThreadCount,
  loseBackend: loseGpu,
});

scope.onmessage = (message: MessageEvent<WorkerRequest>) => runtime.receive(message.data);
setInterval(() => post({ type: 'heartbeat' }), HEARTBEAT_MS);

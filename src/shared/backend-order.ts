import type { BackendName } from './protocol';

/** Backends in the order the worker tries them, fastest first; after a GPU loss the next one takes over. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

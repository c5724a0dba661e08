/**
 * Which WebGPU adapter Dawn finds in Node (bench/gpu/env.sh runs it before a GPU bench): prints
 * its name and whether it only emulates a GPU on the CPU; fails when webgpu cannot start.
 */
import { nodeWebGpuAdapter, useNodeBackend } from './node/backend';

await useNodeBackend('webgpu');
const gpu = await nodeWebGpuAdapter();
console.log(`node ${process.version}, Dawn adapter: ${gpu.adapter}${gpu.software ? ' (emulates a GPU on the CPU)' : ''}`);

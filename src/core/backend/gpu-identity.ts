/** GPUAdapter.info (Chrome 114+, Dawn for Node), newer than the WebGPU typings tfjs ships with. */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** Names of CPU emulations of a GPU (Chromium's SwiftShader, Mesa's llvmpipe, Windows' Basic Render Driver). */
export const SOFTWARE_GPU = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** The adapter's name and whether it is a CPU emulation (undefined when the adapter says nothing to tell). */
export function describeAdapter(info: AdapterInfo): { adapter: string; software: true | undefined } {
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  return { adapter: name || 'unknown adapter', software: Boolean(info.isFallbackAdapter) || SOFTWARE_GPU.test(name) || undefined };
}

import { describe, expect, test } from 'vitest';
import { DEFAULT_UNLEARN } from '../shared/settings';
import { readSharedSettings, writeSharedSettings } from './url-settings';

const defaults = { modelId: 'mnist-inpaint-ae', forgetClasses: [7], evalImages: 500 };

describe('settings in the URL', () => {
  test('a written URL reads back to the same settings', () => {
    const shared = {
      modelId: 'mnist-inpaint-ae',
      forgetClasses: [3, 7],
      settings: { ...DEFAULT_UNLEARN, method: 'max-loss' as const, alpha: 0.5, steps: 123, noise: 'uniform' as const, seed: 9 },
      evalImages: 64,
      backend: 'wasm' as const,
      wasmThreads: true,
    };
    expect(readSharedSettings(writeSharedSettings(shared), defaults)).toEqual(shared);
  });

  test('missing or malformed values fall back to the defaults', () => {
    const read = readSharedSettings('?alpha=abc&noise=loud&method=magic&backend=tpu&eval=-3', defaults);
    expect(read.settings).toEqual(DEFAULT_UNLEARN);
    expect(read.backend).toBeUndefined();
    expect(read.evalImages).toBe(500);
    expect(read.forgetClasses).toEqual([7]);
    expect(read.wasmThreads).toBe(false);
  });
});

import { describe, expect, test } from 'vitest';
import { DEFAULT_UNLEARN } from '../worker/protocol';
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
    const { fromUrl, ...read } = readSharedSettings(writeSharedSettings(shared), defaults);
    expect(read).toEqual(shared);
    expect(fromUrl).toMatchObject({ alpha: 0.5, steps: 123, seed: 9 });
  });

  test('reports the numbers the URL itself gave, so a model’s recommended values do not override them', () => {
    const read = readSharedSettings('?model=mnist-mae&alpha=2&lr=abc', defaults);
    expect(read.fromUrl).toEqual({ alpha: 2 });
    expect(read.settings).toEqual({ ...DEFAULT_UNLEARN, alpha: 2 });
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

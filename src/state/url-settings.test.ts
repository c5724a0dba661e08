import { describe, expect, test } from 'vitest';
import { DEFAULT_UNLEARN, RECIPE_KEYS } from '../shared/settings';
import { readSharedSettings, writeSharedSettings } from './url-settings';

const defaults = { modelId: 'mnist-inpaint-ae', forgetClasses: [7], evalImages: 500 };

describe('settings in the URL', () => {
  test('a written URL reads back to the same settings', () => {
    const shared = {
      modelId: 'mnist-inpaint-ae',
      forgetClasses: [3, 7],
      settings: { ...DEFAULT_UNLEARN, method: 'max-loss' as const, alpha: 0.5, steps: 123, noise: 'uniform' as const, seed: 9 },
      evalImages: 64,
      sampleSteps: 20,
      sampler: 'ddim' as const,
      backend: 'wasm' as const,
      wasmThreads: true,
    };
    const read = readSharedSettings(writeSharedSettings(shared), defaults);
    expect(read).toEqual({ ...shared, ignored: [], given: expect.any(Array) });
    // Every recipe setting was in the URL: each wins over a model's recipe.
    expect([...read.given!].sort()).toEqual([...RECIPE_KEYS, 'seed'].sort());
  });

  test('missing or malformed values fall back to the defaults', () => {
    const read = readSharedSettings('?alpha=abc&noise=loud&method=magic&backend=tpu&eval=-3', defaults);
    expect(read.settings).toEqual(DEFAULT_UNLEARN);
    expect(read.backend).toBeUndefined();
    expect(read.evalImages).toBe(500);
    expect(read.forgetClasses).toEqual([7]);
    expect(read.wasmThreads).toBe(false);
  });

  test('each value that cannot be used is named once, with what was used instead', () => {
    const read = readSharedSettings('?backend=tpu&alpha=abc&forget=x,7&steps=-5&lr=1e9&noise=loud&eval=-3&sampler=euler', defaults);
    expect(read.ignored).toEqual([
      'alpha=abc: not a number; used 0.25',
      'lr=1e9: learning rate must be in (0, 0.1]; used 0.001',
      'steps=-5: steps must be a whole number in [1, 100000]; used 500',
      'noise=loud: not a noise type (normal, uniform, constant); used normal',
      'forget=x,7: not a list of class numbers; used 7',
      'eval=-3: not a whole number ≥ 1; used 500',
      "sampler=euler: not a sampler (ddim, ancestral); used the model's default",
      'backend=tpu: not a backend (webgpu, webgl, wasm, cpu); used the fastest that works',
    ]);
    expect(read.settings).toEqual(DEFAULT_UNLEARN);
    expect(read.forgetClasses).toEqual([7]);
  });

  test('a setting beyond its sane bound is refused, one within it is taken', () => {
    expect(readSharedSettings('?lr=0.1&alpha=100', defaults).settings).toMatchObject({ learningRate: 0.1, alpha: 100 });
    expect(readSharedSettings('?lr=0.1&alpha=100', defaults).ignored).toEqual([]);
    expect(readSharedSettings('?alpha=1000', defaults).ignored).toEqual(['alpha=1000: α must be in [0, 100]; used 0.25']);
  });

  test('stop at target reads back from the URL for each goal, and a target that is none is named', () => {
    const base = { ...defaults, settings: DEFAULT_UNLEARN };
    for (const calibration of [
      { goal: { kind: 'retrained' as const }, every: 25 },
      { goal: { kind: 'unseen-class' as const }, every: 10 },
      { goal: { kind: 'psnr' as const, forgetPsnr: 9.5 }, every: 5 },
    ]) {
      expect(readSharedSettings(writeSharedSettings({ ...base, calibration }), defaults).calibration).toEqual(calibration);
    }
    expect(readSharedSettings(writeSharedSettings(base), defaults).calibration).toBeUndefined();
    const bad = readSharedSettings('?target=soon', defaults);
    expect(bad.calibration).toBeUndefined();
    expect(bad.ignored).toEqual(['target=soon: not retrained, unseen-class or a PSNR in dB; used no stop at target']);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PUBLIC_MODELS, folderReader } from '../../../scripts/node/files';
import { loadMnist } from '../../../scripts/node/mnist';
import { splitByClass } from '../data/splits';
import { subset, take, type ImageSet } from '../data/image-set';
import { loadModel } from '../models/families';
import { holeQuality } from '../evaluation/reconstruction';
import { useBackend } from '../testing/fixtures';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { CalibrationMeter, calibrationSlice, StopAtTarget } from './calibration';
import { UnlearningRun } from './run';

const target = { forgetPsnr: 10, source: 'test' };

/** Runs the rule over a forget-PSNR curve given per step; returns the steps measured and where it stopped. */
function runOn(curve: (step: number) => number, steps: number, every: number) {
  const rule = new StopAtTarget(target, every);
  rule.observe({ step: 0, forgetPsnr: curve(0), retainPsnr: 13 });
  for (let step = 1; step <= steps; step++) {
    if (rule.measuresAfter(step) && rule.observe({ step, forgetPsnr: curve(step), retainPsnr: 13 })) return { stoppedAt: step, rule };
  }
  return { stoppedAt: steps, rule };
}

describe('StopAtTarget', () => {
  it('stops at the first measurement at or below the target, and says so', () => {
    // 14 dB falling 0.1 dB a step: 10 dB is crossed at step 40.
    const { stoppedAt, rule } = runOn((s) => 14 - 0.1 * s, 500, 25);
    expect(rule.reason).toBe('target reached');
    expect(stoppedAt).toBe(40);
    expect(rule.curve.map((p) => p.step)).toEqual([0, 25, 40]);
  });

  it('runs out the budget when the curve never reaches the target', () => {
    const { stoppedAt, rule } = runOn((s) => 14 - 0.001 * s, 500, 25);
    expect(stoppedAt).toBe(500);
    expect(rule.reason).toBe('step budget');
    expect(rule.curve.at(-1)!.step).toBe(500);
  });

  it('measures sooner near a crossing the straight line predicts, so a curving fall overshoots by little', () => {
    // Falls fast then flattens: 14 → 10 dB near step 60. Plain every-25 measuring would stop at 75.
    const curve = (s: number) => 14 - 6 * (1 - Math.exp(-s / 55));
    const { stoppedAt, rule } = runOn(curve, 500, 25);
    expect(rule.reason).toBe('target reached');
    expect(curve(stoppedAt)).toBeLessThanOrEqual(10);
    expect(curve(stoppedAt - 1)).toBeGreaterThan(10 - 0.2);
    expect(stoppedAt).toBeLessThan(75);
  });

  it('measures less often where a measurement costs more than its share of the interval', () => {
    const rule = new StopAtTarget(target, 25);
    // 10 ms steps, 40 ms measurements: 25 steps (250 ms) afford 25 ms at 10%; 40 ms needs 40 steps.
    rule.observe({ step: 0, forgetPsnr: 14, retainPsnr: 13 }, { measureMs: 40, msPerStep: 10 });
    expect(rule.measuresAfter(39)).toBe(false);
    expect(rule.measuresAfter(40)).toBe(true);
    rule.observe({ step: 40, forgetPsnr: 13.9, retainPsnr: 13 }, { measureMs: 10, msPerStep: 10 });
    expect(rule.measuresAfter(64)).toBe(false);
    expect(rule.measuresAfter(65)).toBe(true);
  });

  it('does not stop on a curve that rises', () => {
    const { rule } = runOn((s) => 12 + 0.01 * s, 100, 10);
    expect(rule.reached).toBe(false);
    expect(rule.curve).toHaveLength(11);
  });

  it('refuses an interval that is not a whole number of steps, and a target that is not a number', () => {
    expect(() => new StopAtTarget(target, 0)).toThrow(/whole number/);
    expect(() => new StopAtTarget(target, 2.5)).toThrow(/whole number/);
    expect(() => new StopAtTarget({ forgetPsnr: NaN, source: 'x' })).toThrow(/must be a number/);
  });
});

describe('calibrationSlice', () => {
  const set = (count: number): ImageSet => ({ height: 1, width: 1, channels: 1, count, pixels: Uint8Array.from({ length: count }, (_, i) => i), labels: new Int32Array(count) });

  it('takes the last images, apart from those the metrics take first', () => {
    const slice = calibrationSlice(set(10), 3, 5);
    expect(Array.from(slice.pixels)).toEqual([7, 8, 9]);
    expect(Array.from(calibrationSlice(set(10), 8, 5).pixels)).toEqual([5, 6, 7, 8, 9]);
  });

  it('refuses a set with nothing left beside the metrics images', () => {
    expect(() => calibrationSlice(set(5), 3, 5)).toThrow(/no held-out images left/);
  });
});

describe('a calibrated run', () => {
  beforeAll(() => useBackend('wasm'));

  it('measures on held-out images apart from the metrics ones, and stops a real run once forget quality falls to the target', async () => {
    const model = await loadModel(folderReader(join(PUBLIC_MODELS, 'mnist-inpaint-ae')));
    const { train, test } = await loadMnist();
    const full = splitByClass(take(train, 2000), take(test, 1000), [7]);
    const split = { ...full, forgetTest: take(full.forgetTest, 60), retainTest: take(full.retainTest, 60) };
    const run = new UnlearningRun(model, split, { ...DEFAULT_UNLEARN, steps: 200, batchSize: 16 }, { evalImages: 40, previewImages: 2 });
    const before = await run.calibrationQuality();
    // The slice is the last 20 held-out images: the first 40 are the metrics'.
    const lastTwenty = await holeQuality(model, run.unlearner.task, subset(split.forgetTest, Array.from({ length: 20 }, (_, i) => 40 + i)));
    expect(before.forgetPsnr).toBeCloseTo(lastTwenty.psnr, 5);
    const rule = new StopAtTarget({ forgetPsnr: before.forgetPsnr - 1, source: 'test' }, 10);
    const meter = new CalibrationMeter(rule, () => run.calibrationQuality());
    await meter.afterStep(0);
    const tensors = tf.memory().numTensors;
    while (!run.unlearner.done) {
      const { step } = await run.unlearner.step();
      if (await meter.afterStep(step)) break;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(rule.reason).toBe('target reached');
    expect(run.unlearner.completedSteps).toBeLessThan(200);
    expect(rule.curve.at(-1)!.forgetPsnr).toBeLessThanOrEqual(before.forgetPsnr - 1);
    run.dispose();
    model.dispose();
  });
});

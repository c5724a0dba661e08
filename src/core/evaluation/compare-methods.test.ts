import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_MODELS, folderReader } from '../../../scripts/node/files';
import { loadMnist } from '../../../scripts/node/mnist';
import { take } from '../data/image-set';
import { loadClassifier } from '../models/classifier';
import { loadModel } from '../models/families';
import { useBackend } from '../testing/fixtures';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { CALIBRATED, compareMethods, sweepLabel, sweepPoints } from './compare-methods';

describe('sweepPoints', () => {
  it('crosses the α and step lists, each defaulting to the settings, and refuses values the method does not accept', () => {
    const settings = { ...DEFAULT_UNLEARN, alpha: 0.25, steps: 500 };
    expect(sweepPoints({ alpha: [0.1, 1] }, settings)).toEqual([
      { method: 'sweep α=0.1, 500 steps', alpha: 0.1, steps: 500 },
      { method: 'sweep α=1, 500 steps', alpha: 1, steps: 500 },
    ]);
    expect(sweepPoints({ alpha: [0.1], steps: [100, 200] }, settings).map((p) => p.method)).toEqual([sweepLabel(0.1, 100), sweepLabel(0.1, 200)]);
    expect(() => sweepPoints({ alpha: [-1] }, settings)).toThrow(/α must be in \[0, 100\]/);
    expect(() => sweepPoints({ steps: [2.5] }, settings)).toThrow(/steps must be a whole number/);
  });
});

describe('compareMethods with a calibrated row and a sweep', () => {
  beforeAll(() => useBackend('wasm'));

  it('runs each sweep point with its own α, and the calibrated row stops at the retrained reference', async () => {
    const original = await loadModel(folderReader(join(PUBLIC_MODELS, 'mnist-inpaint-ae')));
    const retrained = await loadModel(folderReader(join(PUBLIC_MODELS, 'mnist-inpaint-ae-without-7')));
    const classifier = await loadClassifier(folderReader(join(PUBLIC_MODELS, 'mnist-classifier')));
    const { train, test } = await loadMnist();
    const data = { train: take(train, 3000), test: take(test, 2000) };
    // The calibrated row runs the card's calibrated α and learning rate: strong ones here, to reach the target in a few steps.
    original.card.recipe = { ...original.card.recipe!, calibrated: { alpha: 0.5, learningRate: 1e-3, source: 'test' } };
    const settings = { ...DEFAULT_UNLEARN, steps: 30, batchSize: 16 };
    const steps: Record<string, number> = {};
    const comparison = await compareMethods(
      original,
      { model: retrained, seconds: 1 },
      data,
      classifier,
      { forgetClasses: [7], methods: [], settings, evalImages: 16, calibrate: { every: 5 }, sweep: { alpha: [0, 2] } },
      undefined,
      (progress) => {
        if (progress.stage === 'unlearning') steps[progress.method] = progress.step;
      },
    );
    const psnr = (method: string) => comparison.rows.find((r) => r.method === method && r.set === 'forget')!.psnr;
    expect(comparison.rows.map((r) => r.method).filter((m, i, all) => all.indexOf(m) === i)).toEqual(['original', 'retrained', CALIBRATED, sweepLabel(0, 30), sweepLabel(2, 30)]);
    expect(comparison.sweep).toEqual([
      { method: sweepLabel(0, 30), alpha: 0, steps: 30 },
      { method: sweepLabel(2, 30), alpha: 2, steps: 30 },
    ]);
    // α = 0 only holds the retain set; α = 2 pushes the forget set hard: it must forget more.
    expect(psnr(sweepLabel(2, 30))).toBeLessThan(psnr(sweepLabel(0, 30)) - 0.5);
    expect(steps[sweepLabel(2, 30)]).toBe(30);
    const calibration = comparison.calibration!;
    expect(calibration.curve[0].step).toBe(0);
    expect(calibration).toMatchObject({ alpha: 0.5, learningRate: 1e-3, every: 5, reason: 'target reached' });
    expect(calibration.stoppedAt).toBeLessThan(30);
    expect(steps[CALIBRATED]).toBe(calibration.stoppedAt);
    expect(calibration.curve.at(-1)!.forgetPsnr).toBeLessThanOrEqual(calibration.target);
    expect(calibration.curve.slice(0, -1).every((p) => p.forgetPsnr > calibration.target)).toBe(true);
    expect(comparison.audit.map((a) => a.method)).toContain(CALIBRATED);
    original.dispose();
    retrained.dispose();
    classifier.dispose();
  }, 240_000);
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { DEFAULT_PALETTE, PaletteModel, cardArchitecture, diffusionDraws, paletteFamily } from '../models/palette';
import { drawMask } from '../tasks/masks';
import { batchTensor } from '../data/image-set';
import { useBackend } from '../testing/fixtures';
import { Pretrainer, DEFAULT_PRETRAIN } from '../training/pretrain';
import { Unlearner } from '../unlearning/unlearner';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { TASKS } from '../../shared/tasks';
import { noiseLevelDiagnostics } from './noise-levels';

beforeAll(() => useBackend('wasm'));

const forget = syntheticImages(16, 28, 21);
const retain = syntheticImages(16, 28, 22);
const tiny = () =>
  paletteFamily.create({
    id: 't', family: 'palette', title: 't', dataset: 'synthetic', height: 28, width: 28, channels: 1,
    tasks: [TASKS['centre-50']],
    architecture: cardArchitecture({ ...DEFAULT_PALETTE, widths: [8, 16], timesteps: 100, sampleSteps: 2 }),
  }) as PaletteModel;

describe('noise-level diagnostics', () => {
  test("a batch's own timesteps replace the drawn ones, the noise stays the seed's", () => {
    const images = batchTensor(forget, [0, 1, 2]);
    const batch = { images, mask: drawMask(TASKS['centre-50'], 3, 28, 28, 4), seed: 4 };
    const drawn = diffusionDraws(batch, 100);
    const fixed = diffusionDraws({ ...batch, timesteps: [5, 50, 95] }, 100);
    expect(fixed.t).toEqual([5, 50, 95]);
    expect(Array.from(fixed.eps.dataSync())).toEqual(Array.from(drawn.eps.dataSync()));
    tf.dispose([images, batch.mask, drawn.eps, drawn.condNoise, fixed.eps, fixed.condNoise]);
  });

  test('per bucket: the original is its own retain target; unlearning lowers L_F and moves the forget error', async () => {
    const model = tiny();
    const trainer = new Pretrainer(model, retain, { ...DEFAULT_PRETRAIN, steps: 5, batchSize: 8, warmupSteps: 0, learningRate: 1e-2 });
    for (let i = 0; i < 5; i++) await trainer.step();
    trainer.dispose();
    const task = TASKS['centre-50'];
    const sets = { forget: syntheticImages(10, 28, 31), retain: syntheticImages(10, 28, 32) };
    const unlearner = new Unlearner(model, forget, retain, { ...DEFAULT_UNLEARN, steps: 15, batchSize: 8, learningRate: 2e-3, alpha: 1 });
    const before = await noiseLevelDiagnostics(model, unlearner.original, unlearner.teacher, task, sets, 5, 4);
    expect(before.map((b) => [b.tFrom, b.tTo])).toEqual([[0, 20], [20, 40], [40, 60], [60, 80], [80, 100]]);
    for (const b of before) {
      expect(b.retainDistance).toBe(0);
      expect(b.forgetDistance).toBeGreaterThan(0);
      expect(b.forgetNoiseError).toBeGreaterThan(0);
    }
    // Other noise levels, other errors: the timesteps reach the model.
    expect(new Set(before.map((b) => b.retainNoiseError)).size).toBe(5);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 15; i++) await unlearner.step();
    const after = await noiseLevelDiagnostics(model, model, unlearner.teacher, task, sets, 5, 4);
    expect(tf.memory().numTensors).toBe(tensors);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(after.map((b) => b.forgetDistance))).toBeLessThan(mean(before.map((b) => b.forgetDistance)));
    after.forEach((b, i) => {
      expect(b.retainDistance).toBeGreaterThan(0);
      expect(b.forgetNoiseError).not.toBe(before[i].forgetNoiseError);
    });
    unlearner.dispose();
    model.dispose();
  });
});

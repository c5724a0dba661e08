import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { DEFAULT_CONV_INPAINTING } from '../models/conv-inpainting-ae';
import { smallModel, useBackend } from '../testing/fixtures';
import { DEFAULT_PRETRAIN, Pretrainer } from './pretrain';

const data = syntheticImages(64, 28, 5);
const settings = { ...DEFAULT_PRETRAIN, steps: 60, batchSize: 16, warmupSteps: 5, learningRate: 5e-3 };

/** Losses of the first steps of the shipped architecture, trained from its seeded initialisation. */
async function shippedModelLosses(steps: number): Promise<number[]> {
  const model = smallModel(DEFAULT_CONV_INPAINTING);
  const trainer = new Pretrainer(model, data, { ...settings, batchSize: 4 });
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push(await trainer.step());
  trainer.dispose();
  model.dispose();
  return out;
}

describe('Pretrainer', () => {
  test('learns to inpaint (the loss falls) without leaking tensors', async () => {
    await useBackend('wasm');
    const model = smallModel();
    const trainer = new Pretrainer(model, data, settings);
    const first = await trainer.step();
    const tensorsAfterFirst = tf.memory().numTensors;
    let last = first;
    for (let i = 1; i < settings.steps; i++) last = await trainer.step();
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(last).toBeLessThan(first * 0.5);
    trainer.dispose();
    model.dispose();
  });

  test('full training steps of the shipped architecture (encoder and decoder) on wasm match cpu', async () => {
    await useBackend('cpu');
    const cpu = await shippedModelLosses(3);
    await useBackend('wasm');
    const wasm = await shippedModelLosses(3);
    wasm.forEach((loss, i) => expect(Math.abs(loss - cpu[i]) / cpu[i]).toBeLessThan(1e-4));
  });
});

describe('Pretrainer with a weight average (the official Palette EMA)', () => {
  test('ends on w̄ ← d·w̄ + (1−d)·w after every step, and a checkpoint carries the average', async () => {
    await useBackend('cpu');
    const decay = 0.5;
    const model = smallModel();
    const variables = [...model.encoder.variables, ...model.decoder.variables];
    const trainer = new Pretrainer(model, data, { ...settings, steps: 3, emaDecay: decay });
    // The average starts at the initial weights; replay the formula on the weights after each step.
    let expected = await Promise.all(variables.map(async (v) => Array.from(await v.data())));
    for (let i = 0; i < 2; i++) {
      await trainer.step();
      const now = await Promise.all(variables.map(async (v) => Array.from(await v.data())));
      expected = expected.map((avg, k) => avg.map((a, j) => decay * a + (1 - decay) * now[k][j]));
    }
    const trained = Array.from(await variables[0].data());
    const state = await trainer.checkpoint();
    expect(state.average?.length).toBe(variables.length);
    // A checkpoint's save sees the average; the training goes on from the trained weights.
    const seen = await trainer.withFinalWeights(async () => Array.from(await variables[0].data()));
    seen.forEach((value, j) => expect(value).toBeCloseTo(expected[0][j], 5));
    expect(Array.from(await variables[0].data())).toEqual(trained);
    expect(trained.some((value, j) => Math.abs(value - expected[0][j]) > 1e-6)).toBe(true);
    trainer.finish();
    const ended = await Promise.all(variables.map(async (v) => Array.from(await v.data())));
    ended.forEach((values, k) => values.forEach((value, j) => expect(value).toBeCloseTo(expected[k][j], 5)));
    trainer.dispose();
    model.dispose();
  });

  test('a checkpoint without an average does not restore into a training that keeps one', async () => {
    await useBackend('cpu');
    const model = smallModel();
    const plain = new Pretrainer(model, data, settings);
    await plain.step();
    const state = await plain.checkpoint();
    plain.dispose();
    const averaged = new Pretrainer(model, data, { ...settings, emaDecay: 0.9 });
    expect(() => averaged.restore(state)).toThrow(/weight average/);
    averaged.dispose();
    model.dispose();
  });
});

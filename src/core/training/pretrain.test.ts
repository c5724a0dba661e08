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

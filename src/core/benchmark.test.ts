import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from './backend/parity';
import { measureTraffic, unlearningMemoryDrift } from './benchmark';
import { smallModel, useBackend } from './testing/fixtures';
import { DEFAULT_UNLEARN } from '../shared/settings';
import { Unlearner } from './unlearning/unlearner';

beforeAll(() => useBackend('wasm'));

const forget = syntheticImages(40, 28, 31);
const retain = syntheticImages(40, 28, 32);
const split = { forgetTrain: forget, retainTrain: retain, forgetTest: forget, retainTest: retain };

describe('step traffic', () => {
  test('an unlearning step reads nothing back blocking, and uploads less than its own image batch', async () => {
    const model = smallModel();
    const batchSize = 16;
    const unlearner = new Unlearner(model, forget, retain, { ...DEFAULT_UNLEARN, batchSize, steps: 10 });
    await unlearner.step();
    const traffic = await measureTraffic(() => unlearner.step());
    expect(traffic.blockingReads).toBe(0);
    expect(traffic.asyncReads).toBe(1);
    expect(traffic.kernels).toBeGreaterThan(50);
    // The images are gathered on the backend: what a step uploads (indices, masks, the noise
    // images' random draws) stays below the bytes of the batch it trains on.
    expect(traffic.uploadBytes).toBeLessThan(batchSize * 28 * 28 * 4);
    unlearner.dispose();
    model.dispose();
  });

  test('the counters are taken off again', async () => {
    const engine = tf.engine();
    const runKernel = engine.runKernel;
    await measureTraffic(async () => tf.dispose(tf.add(tf.scalar(1), 2)));
    expect(engine.runKernel).toBe(runKernel);
  });

  test('tensors and backend bytes stay flat across many steps', async () => {
    const model = smallModel();
    const drift = await unlearningMemoryDrift(model, split, 8, 60);
    expect(drift.tensorsAtEnd).toBe(drift.tensorsAtStart);
    expect(drift.bytesAtEnd).toBe(drift.bytesAtStart);
    model.dispose();
  });
});

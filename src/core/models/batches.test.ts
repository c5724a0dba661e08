import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { batchTensor } from '../data/image-set';
import { TASKS } from '../../shared/tasks';
import { drawMask } from '../tasks/masks';
import { smallModel, useBackend } from '../testing/fixtures';
import { joinBatches, splitOutputs } from './batches';
import { diffusionDraws } from './palette';
import type { TaskBatch } from './types';

beforeAll(() => useBackend('wasm'));

const images = syntheticImages(8, 28, 5);
function batch(indices: number[], seed: number): TaskBatch {
  return { images: batchTensor(images, indices), mask: drawMask(TASKS.patches, indices.length, 28, 28, seed), seed };
}

describe('joined batches', () => {
  test('one encoder pass over joined batches gives each batch its own encoding', () => {
    const model = smallModel();
    const a = batch([0, 1, 2], 11);
    const b = batch([3, 4, 5, 6, 7], 12);
    const [joinedA, joinedB] = splitOutputs(model.encode(joinBatches(a, b)), 3);
    const close = (x: tf.Tensor, y: tf.Tensor) => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0];
    expect(close(joinedA[0], model.encode(a)[0])).toBeLessThan(1e-5);
    expect(close(joinedB[0], model.encode(b)[0])).toBeLessThan(1e-5);
    model.dispose();
  });

  test('each segment draws from its own seed, as it would alone (diffusion timesteps and noise)', () => {
    const a = batch([0, 1, 2], 21);
    const b = batch([3, 4], 22);
    const joined = diffusionDraws(joinBatches(a, b), 1000);
    const [alone, other] = [diffusionDraws(a, 1000), diffusionDraws(b, 1000)];
    expect(joined.t).toEqual([...alone.t, ...other.t]);
    expect(Array.from(joined.eps.dataSync())).toEqual([...alone.eps.dataSync(), ...other.eps.dataSync()]);
    expect(Array.from(joined.condNoise.dataSync())).toEqual([...alone.condNoise.dataSync(), ...other.condNoise.dataSync()]);
    // A plain batch of the same images with one seed draws differently: the segments matter.
    const unsegmented = diffusionDraws({ ...joinBatches(a, b), segments: undefined }, 1000);
    expect(unsegmented.t).not.toEqual(joined.t);
  });
});

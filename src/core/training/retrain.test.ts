import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import type { ImageSet } from '../data/image-set';
import { sameBits, smallModel, useBackend, weightsOf } from '../testing/fixtures';
import { retrainingSet, retrainWithout } from './retrain';

beforeAll(() => useBackend('wasm'));

/** Synthetic images labelled 0, 1, 2, 0, 1, 2, … */
function labelled(count: number): ImageSet {
  return { ...syntheticImages(count, 28, 9), labels: Int32Array.from({ length: count }, (_, i) => i % 3) };
}

describe('retrainWithout', () => {
  test('the retrained reference never sees a forget image', () => {
    const retain = retrainingSet(labelled(30), [1]);
    expect(retain.count).toBe(20);
    expect(Array.from(retain.labels).includes(1)).toBe(false);
  });

  test('trains a fresh model of the same family, leaves the original alone and says what it left out', async () => {
    const original = smallModel();
    const before = weightsOf(original.encoder);
    const steps: number[] = [];
    const { model, seconds } = await retrainWithout(original, labelled(24), [1], (step) => void steps.push(step), 3);
    expect(steps).toEqual([1, 2, 3]);
    expect(seconds).toBeGreaterThan(0);
    expect(model.card).toMatchObject({ id: 'test-model-without-1', family: original.card.family, excludedClasses: [1], training: { steps: 3 } });
    expect(sameBits(weightsOf(original.encoder), before)).toBe(true);
    expect(sameBits(weightsOf(model.encoder), before)).toBe(false);
    model.dispose();
    original.dispose();
  });

  test('a throwing onStep cancels and frees the half-trained model', async () => {
    const original = smallModel();
    const tensors = tf.memory().numTensors;
    await expect(
      retrainWithout(original, labelled(24), [1], (step) => {
        if (step === 2) throw new Error('cancelled');
      }, 5),
    ).rejects.toThrow('cancelled');
    expect(tf.memory().numTensors).toBe(tensors);
    original.dispose();
  });
});

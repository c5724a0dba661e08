import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { drawMask, maskedInput, patchGrid } from './masks';
import { HYBRID_MASKS, TASKS, modelTaskIds, resolveTask } from '../../shared/tasks';

beforeAll(() => useBackend('cpu'));

const hidden = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);

describe('task masks', () => {
  test('centre hole of 50% and 25% of the side', () => {
    const half = drawMask(TASKS['centre-50'], 1, 28, 28, 1).dataSync();
    expect(hidden(half)).toBe(14 * 14);
    expect(half[7 * 28 + 7]).toBe(1);
    expect(half[6 * 28 + 7]).toBe(0);
    expect(half[20 * 28 + 20]).toBe(1);
    expect(half[21 * 28 + 21]).toBe(0);
    const quarter = drawMask(TASKS['centre-25'], 1, 28, 28, 1).dataSync();
    expect(hidden(quarter)).toBe(7 * 7);
    expect(quarter[14 * 28 + 14]).toBe(1);
    expect(quarter[9 * 28 + 14]).toBe(0);
  });

  test('outpainting hides everything but the centre square', () => {
    const m = drawMask(TASKS.outpaint, 2, 28, 28, 1).dataSync();
    expect(hidden(m)).toBe(2 * (28 * 28 - 14 * 14));
    expect(m[0]).toBe(1);
    expect(m[14 * 28 + 14]).toBe(0);
    expect(m[28 * 28 + 14 * 28 + 14]).toBe(0);
  });

  test('random patches: whole patches, the same count per image, repeatable by seed', () => {
    const task = TASKS.patches;
    const { rows, cols } = patchGrid(task.patch, 28, 28);
    const a = drawMask(task, 3, 28, 28, 5).arraySync() as number[][][][];
    const perImage = a.map((image) => hidden(image.flat(2)));
    expect(perImage).toEqual(Array(3).fill(Math.round(task.ratio * rows * cols) * task.patch * task.patch));
    // every 4x4 patch is all hidden or all visible
    for (const image of a) {
      for (let py = 0; py < rows; py++) {
        for (let px = 0; px < cols; px++) {
          const values = new Set<number>();
          for (let y = 0; y < task.patch; y++) for (let x = 0; x < task.patch; x++) values.add(image[py * task.patch + y][px * task.patch + x][0]);
          expect(values.size).toBe(1);
        }
      }
    }
    expect(JSON.stringify(a[0])).not.toBe(JSON.stringify(a[1]));
    expect(drawMask(task, 3, 28, 28, 5).arraySync()).toEqual(a);
    expect(drawMask(task, 3, 28, 28, 6).arraySync()).not.toEqual(a);
  });

  test('the task input is the image with hidden pixels zeroed plus the mask channel', () => {
    const images = tf.fill([1, 2, 2, 1], 0.5) as tf.Tensor4D;
    const mask = tf.tensor4d([1, 0, 0, 1], [1, 2, 2, 1]);
    expect(Array.from(maskedInput(images, mask).dataSync())).toEqual([0, 1, 0.5, 0, 0.5, 0, 0, 1]);
  });

  test('a model runs only the tasks it was trained on, by default its first', () => {
    const card = { id: 'm', tasks: [TASKS['centre-50'], TASKS.patches] };
    expect(modelTaskIds(card)).toEqual(['centre-50', 'patches']);
    expect(resolveTask(card, undefined)).toEqual(TASKS['centre-50']);
    expect(resolveTask(card, 'patches')).toEqual(TASKS.patches);
    expect(() => resolveTask(card, 'outpaint')).toThrow(/model m was not trained for outpainting/);
  });
});

describe("Palette's hybrid masks", () => {
  test('a box united with brush strokes, one per image, the same for the same seed', () => {
    const masks = drawMask(HYBRID_MASKS, 64, 28, 28, 5);
    const values = masks.dataSync();
    const perImage = Array.from({ length: 64 }, (_, n) => values.slice(n * 784, (n + 1) * 784));
    const fractions = perImage.map((m) => hidden(m) / 784);
    // The box alone is 10-14 px a side (13-25% of 28×28); the strokes add to it, but never fill the image.
    for (const f of fractions) {
      expect(f).toBeGreaterThanOrEqual(100 / 784);
      expect(f).toBeLessThan(0.9);
    }
    expect(Math.max(...fractions) - Math.min(...fractions)).toBeGreaterThan(0.05);
    // Not just a box: some image hides pixels outside every axis-aligned 14×14 square (the strokes).
    const spread = (m: ArrayLike<number>) => {
      const ys = Array.from(m, (v, i) => (v ? Math.floor(i / 28) : -1)).filter((y) => y >= 0);
      return Math.max(...ys) - Math.min(...ys);
    };
    expect(Math.max(...perImage.map(spread))).toBeGreaterThan(14);
    expect(new Set(perImage.map((m) => m.join(''))).size).toBe(64);
    expect(Array.from(drawMask(HYBRID_MASKS, 64, 28, 28, 5).dataSync())).toEqual(Array.from(values));
    expect(Array.from(drawMask(HYBRID_MASKS, 64, 28, 28, 6).dataSync())).not.toEqual(Array.from(values));
    tf.dispose(masks);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { Classifier } from '../models/classifier';
import { createRng } from '../random';
import { smallModel, useBackend } from '../testing/fixtures';
import { TASKS } from '../../shared/tasks';
import { embedImages, embedOutputs, project2d, projectModels } from './projection';

beforeAll(() => useBackend('wasm'));

const DIM = 64;

/** `count` points around `center` (same value on every axis) with unit Gaussian noise. */
function blob(count: number, center: number, rng: () => number): Float32Array {
  const values = new Float32Array(count * DIM);
  for (let i = 0; i < values.length; i++) {
    const u = Math.max(rng(), 1e-12);
    values[i] = center + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  }
  return values;
}

function centroid(coords: Float32Array, from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < to; i++) {
    x += coords[i * 2];
    y += coords[i * 2 + 1];
  }
  return [x / (to - from), y / (to - from)];
}

function meanDistanceTo(coords: Float32Array, from: number, to: number, [cx, cy]: [number, number]): number {
  let total = 0;
  for (let i = from; i < to; i++) total += Math.hypot(coords[i * 2] - cx, coords[i * 2 + 1] - cy);
  return total / (to - from);
}

describe('project2d', () => {
  const rng = createRng(3);
  const values = new Float32Array([...blob(60, 0, rng), ...blob(60, 3, rng)]);

  test('gives n x 2 finite coordinates, the same for the same seed', () => {
    const a = project2d({ values, dim: DIM }, 7);
    expect(a).toHaveLength(120 * 2);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(project2d({ values, dim: DIM }, 7)).toEqual(a);
  });

  test('keeps two well-separated 64-d clusters apart in 2-D', () => {
    const coords = project2d({ values, dim: DIM }, 7);
    const a = centroid(coords, 0, 60);
    const b = centroid(coords, 60, 120);
    const between = Math.hypot(a[0] - b[0], a[1] - b[1]);
    const within = (meanDistanceTo(coords, 0, 60, a) + meanDistanceTo(coords, 60, 120, b)) / 2;
    expect(between / within).toBeGreaterThan(3);
  });
});

describe('projectModels', () => {
  test('places every model in one fit: shared truths, one point per image in each series', () => {
    const rng = createRng(5);
    const truths = { forget: blob(10, 0, rng), retain: blob(12, 3, rng) };
    const outputs = ['original', 'paper'].map((method) => ({ method, forget: blob(10, 0, rng), retain: blob(12, 3, rng) }));
    const projected = projectModels(truths, outputs, DIM, 1);
    expect(projected.map((p) => p.method)).toEqual(['original', 'paper']);
    for (const p of projected) {
      expect([p.forgetTruth.length, p.forgetOutput.length, p.retainTruth.length, p.retainOutput.length]).toEqual([10, 10, 12, 12]);
      expect([...p.forgetTruth, ...p.forgetOutput, ...p.retainTruth, ...p.retainOutput].flat().every(Number.isFinite)).toBe(true);
    }
    expect(projected[1].forgetTruth).toEqual(projected[0].forgetTruth);
    expect(projected[1].forgetOutput).not.toEqual(projected[0].forgetOutput);
  });
});

describe('embedImages / embedOutputs', () => {
  test("embeds images, or a model's outputs, without leaking tensors", async () => {
    const classifier = Classifier.create({ id: 'test', family: 'domain-classifier', title: 'test' });
    const model = smallModel();
    const set = syntheticImages(5, 28, 1);
    const before = tf.memory().numTensors;
    const truths = await embedImages(classifier, set, 2);
    const outputs = await embedOutputs(classifier, model, TASKS['centre-50'], set, model, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(truths).toHaveLength(5 * 64);
    expect(outputs).toHaveLength(5 * 64);
    expect(outputs).not.toEqual(truths);
    model.dispose();
    classifier.dispose();
  });
});

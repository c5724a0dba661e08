import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { latentDistance, unlearningObjective } from './objective';

beforeAll(() => useBackend('cpu'));

describe('the unlearning objective (paper Eq. 10)', () => {
  test('averages squared error over each sample’s latent elements, then over samples', () => {
    const student = [tf.tensor2d([[1, 2], [3, 4]])];
    const target = [tf.tensor2d([[0, 0], [1, 1]])];
    // sample 1: (1 + 4) / 2 = 2.5; sample 2: (4 + 9) / 2 = 6.5; mean 4.5
    expect(latentDistance(student, target).dataSync()[0]).toBeCloseTo(4.5, 6);
  });

  test('sums the per-output means of a multi-output encoder, each output counting once', () => {
    const student = [tf.tensor2d([[1, 1], [1, 1]]), tf.tensor4d([[[[2]]], [[[0]]]])];
    const target = [tf.tensor2d([[0, 0], [0, 0]]), tf.tensor4d([[[[0]]], [[[0]]]])];
    // first output: every element off by 1, mean 1; second: (4 + 0) / 2 = 2; sum 3
    expect(latentDistance(student, target).dataSync()[0]).toBeCloseTo(3, 6);
  });

  test('total = L_R + α·L_F with the forget term measured against the noise encoding', () => {
    const studentRetain = [tf.tensor2d([[1, 0]])];
    const teacherRetain = [tf.tensor2d([[0, 0]])]; // L_R = 1 / 2 = 0.5
    const studentForget = [tf.tensor2d([[2, 2], [0, 0]])];
    const teacherNoise = [tf.tensor2d([[0, 0], [1, 1]])]; // (8/2 + 2/2) / 2 = 2.5
    const terms = unlearningObjective(studentRetain, teacherRetain, studentForget, teacherNoise, 0.25);
    expect(terms.retain.dataSync()[0]).toBeCloseTo(0.5, 6);
    expect(terms.forget.dataSync()[0]).toBeCloseTo(2.5, 6);
    expect(terms.total.dataSync()[0]).toBeCloseTo(0.5 + 0.25 * 2.5, 6);
  });

  test('is zero when the student equals its targets', () => {
    const z = [tf.tensor2d([[0.3, -0.2, 5]])];
    const terms = unlearningObjective(z, z, z, z, 1);
    expect(terms.total.dataSync()[0]).toBe(0);
  });
});

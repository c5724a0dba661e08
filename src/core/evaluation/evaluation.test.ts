import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { subset, type ImageSet } from '../data/image-set';
import { smallModel, useBackend } from '../testing/fixtures';
import { evaluationSets } from './compare-methods';
import { TASKS } from '../../shared/tasks';
import { auditHistograms, histogram, membershipAudit } from './membership';
import { batchTensor } from '../data/image-set';
import { Classifier } from '../models/classifier';
import { constantFillMetrics, holeFillMetrics, outputMetrics } from './output-metrics';
import { constantFillQuality } from './reconstruction';

beforeAll(() => useBackend('wasm'));

function labelled(count: number, seed: number, label: (i: number) => number): ImageSet {
  const set = syntheticImages(count, 28, seed);
  return { ...set, labels: Int32Array.from({ length: count }, (_, i) => label(i)) };
}

describe('the retrained reference and the evaluation sets', () => {
  const train = labelled(30, 1, (i) => i % 3);
  const test_ = labelled(12, 2, (i) => i % 3);

  test('forget = training images of the forget classes, forget-unseen and retain = held-out images', () => {
    const sets = evaluationSets({ train, test: test_ }, [1], 100);
    expect(sets.forget.count).toBe(10);
    expect(Array.from(sets.forget.labels).every((l) => l === 1)).toBe(true);
    expect(sets['forget-unseen'].count).toBe(4);
    expect(Array.from(sets['forget-unseen'].labels).every((l) => l === 1)).toBe(true);
    expect(sets.retain.count).toBe(8);
    expect(Array.from(sets.retain.labels).includes(1)).toBe(false);
    // images travel with their labels: forget images are the train set's, not the test set's
    expect(Array.from(sets.forget.pixels)).toEqual(Array.from(subset(train, [1, 4, 7, 10, 13, 16, 19, 22, 25, 28]).pixels));
  });
});

describe('membership audit', () => {
  test('members indistinguishable from non-members give AUC 0.5', async () => {
    const model = smallModel();
    const images = syntheticImages(16, 28, 3);
    const audit = await membershipAudit(model, TASKS['centre-50'], images, images);
    expect(audit.auc).toBe(0.5);
    expect(audit.memberLosses.length).toBe(16);
    model.dispose();
  });

  test('a model that reconstructs its members better is caught (AUC near 1)', async () => {
    const model = smallModel();
    // Members: blank images, which an untrained sigmoid decoder (outputs ~0.5) misses less than bright blobs.
    const blank: ImageSet = { ...syntheticImages(16, 28, 4), pixels: new Uint8Array(16 * 28 * 28).fill(128) };
    const blobs = syntheticImages(16, 28, 5);
    expect((await membershipAudit(model, TASKS['centre-50'], blank, blobs)).auc).toBeGreaterThan(0.9);
    model.dispose();
  });

  test('audit histograms share one range across models', () => {
    const [a, b] = auditHistograms([{ memberLosses: [0, 1], nonMemberLosses: [1] }, { memberLosses: [3], nonMemberLosses: [4, 2] }], 4);
    expect([a.min, a.max, b.min, b.max]).toEqual([0, 4, 0, 4]);
    expect(a.members).toEqual([1, 1, 0, 0]);
    expect(b.nonMembers).toEqual([0, 0, 1, 1]);
  });

  test('histogram counts every value once, clamping the ends', () => {
    expect(histogram([0, 0.1, 0.5, 0.99, 1, 2, -1], 2, 0, 1)).toEqual([3, 4]);
  });
});

describe('the mean-fill floor in the classifier\'s features', () => {
  test('a fill that is the truth scores as the truth; another fill scores its hole error and moves the features', async () => {
    const classifier = Classifier.create({ id: 'test', family: 'domain-classifier', title: 'test' });
    const one = syntheticImages(1, 28, 6);
    const copies = subset(one, new Array(8).fill(0));
    const truth = batchTensor(one, [0]);
    const exact = await constantFillMetrics(truth, TASKS['centre-50'], copies, classifier);
    expect(exact.mse).toBe(0);
    expect(exact.cosine).toBeCloseTo(1, 5);
    expect(Math.abs(exact.fid)).toBeLessThan(1e-3);

    const images = syntheticImages(8, 28, 7);
    const blank = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const filled = await constantFillMetrics(blank, TASKS['centre-50'], images, classifier);
    expect(tf.memory().numTensors).toBe(before);
    const floor = await constantFillQuality(blank, images, TASKS['centre-50']);
    expect(filled.mse).toBe(floor.mse);
    expect(filled.psnr).toBe(floor.psnr);
    expect(filled.fid).toBeGreaterThan(1e-3);
    expect(filled.cosine).toBeLessThan(1);
    tf.dispose([truth, blank]);
    classifier.dispose();
  });
});

test("a model's hole fill is judged with the truth around it: the same hole error as its whole output, features nearer the truth's", async () => {
  const classifier = Classifier.create({ id: 'test', family: 'domain-classifier', title: 'test' });
  const model = smallModel();
  const images = syntheticImages(8, 28, 8);
  const whole = await outputMetrics(model, TASKS['centre-25'], images, classifier);
  const before = tf.memory().numTensors;
  const fill = await holeFillMetrics(model, TASKS['centre-25'], images, classifier);
  expect(tf.memory().numTensors).toBe(before);
  expect(fill.mse).toBe(whole.mse);
  // An untrained decoder draws grey everywhere; with the seen pixels kept, the images are nearly the truths.
  expect(fill.cosine).toBeGreaterThan(whole.cosine);
  expect(fill.fid).toBeLessThan(whole.fid);
  model.dispose();
  classifier.dispose();
});

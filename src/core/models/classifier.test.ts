import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { PUBLIC_MODELS, folderReader } from '../../../scripts/node/files';
import { loadMnist } from '../../../scripts/node/mnist';
import { syntheticImages } from '../backend/parity';
import { batchTensor, take } from '../data/image-set';
import { useBackend } from '../testing/fixtures';
import { Classifier, DEFAULT_CLASSIFIER, accuracy, classifySet, loadClassifier, saveClassifier } from './classifier';
import type { ReadFile } from './io';

beforeAll(() => useBackend('wasm'));

const SHIPPED = join(PUBLIC_MODELS, 'mnist-classifier');

describe('MNIST classifier', () => {
  test('embeds to [n, 64] and gives probabilities; save then load keeps both', async () => {
    const classifier = Classifier.create({ id: 'test-classifier', family: 'domain-classifier', title: 'test' });
    const images = batchTensor(syntheticImages(3, 28, 1), [0, 1, 2]);
    const embedding = classifier.embed(images);
    const probabilities = classifier.probabilities(images);
    expect(embedding.shape).toEqual([3, DEFAULT_CLASSIFIER.embedding]);
    expect(probabilities.shape).toEqual([3, 10]);
    expect(tf.tidy(() => Array.from(tf.sum(probabilities, 1).dataSync()))).toEqual([1, 1, 1].map((x) => expect.closeTo(x, 5)));

    const files = new Map<string, Uint8Array>();
    await saveClassifier(classifier, async (name, bytes) => void files.set(name, bytes));
    expect([...files.keys()].sort()).toEqual(['card.json', 'classifier.json', 'classifier.weights.bin']);
    const read: ReadFile = async (name) => files.get(name) ?? Promise.reject(new Error(`no file ${name}`));
    const loaded = await loadClassifier(read);
    expect(loaded.card).toEqual(classifier.card);
    expect(tf.tidy(() => Array.from(loaded.embed(images).dataSync()))).toEqual(Array.from(embedding.dataSync()));

    files.set('classifier.weights.bin', files.get('classifier.weights.bin')!.subarray(0, 64));
    await expect(loadClassifier(read)).rejects.toThrow(/classifier weights hold 64 bytes, the manifest needs \d+/);
    tf.dispose([images, embedding, probabilities]);
    classifier.dispose();
    loaded.dispose();
  });

  test.skipIf(!existsSync(join(SHIPPED, 'card.json')))('the shipped classifier gets at least 97% of 200 MNIST test digits right', async () => {
    const classifier = await loadClassifier(folderReader(SHIPPED));
    const images = take((await loadMnist()).test, 200);
    const { probabilities, embeddings } = await classifySet(classifier, images);
    expect(embeddings.length).toBe(200 * classifier.card.config.embedding);
    expect(accuracy(probabilities, images.labels, 10)).toBeGreaterThanOrEqual(0.97);
    classifier.dispose();
  });
});

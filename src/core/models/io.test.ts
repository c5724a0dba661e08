import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { batchTensor } from '../data/image-set';
import { reconstructionValues, smallModel, useBackend } from '../testing/fixtures';
import { loadModel, saveModel } from './families';
import type { ReadFile } from './io';
import { CONV_AE_RECIPE } from './recipes';

beforeAll(() => useBackend('wasm'));

async function savedFiles() {
  const files = new Map<string, Uint8Array>();
  const model = smallModel();
  await saveModel(model, async (name, bytes) => void files.set(name, bytes));
  return { files, model };
}

const reader =
  (files: Map<string, Uint8Array>): ReadFile =>
  async (name) => {
    const bytes = files.get(name);
    if (!bytes) throw new Error(`no file ${name}`);
    return bytes;
  };

describe('model files (tfjs layers format + card)', () => {
  test('save then load gives the same reconstructions', async () => {
    const { files, model } = await savedFiles();
    expect([...files.keys()].sort()).toEqual(['card.json', 'decoder.json', 'decoder.weights.bin', 'encoder.json', 'encoder.weights.bin']);
    const loaded = await loadModel(reader(files));
    // A card written without a recipe is given its family's.
    expect(loaded.card).toEqual({ ...model.card, recipe: CONV_AE_RECIPE });
    const images = batchTensor(syntheticImages(4, 28, 3), [0, 1, 2, 3]);
    expect(await reconstructionValues(loaded, images)).toEqual(await reconstructionValues(model, images));
    tf.dispose(images);
    model.dispose();
    loaded.dispose();
  });

  test('weights that do not fit the manifest are refused before anything runs', async () => {
    const { files, model } = await savedFiles();
    files.set('encoder.weights.bin', files.get('encoder.weights.bin')!.subarray(0, 100));
    await expect(loadModel(reader(files))).rejects.toThrow(/encoder weights hold 100 bytes, the manifest needs \d+/);
    model.dispose();
  });

  test('an unknown family or a foreign model.json is refused with a clear message', async () => {
    const { files, model } = await savedFiles();
    const card = JSON.parse(new TextDecoder().decode(files.get('card.json')));
    files.set('card.json', new TextEncoder().encode(JSON.stringify({ ...card, family: 'gan' })));
    await expect(loadModel(reader(files))).rejects.toThrow(/unknown model family "gan"/);
    files.set('card.json', new TextEncoder().encode(JSON.stringify(card)));
    files.set('decoder.json', new TextEncoder().encode(JSON.stringify({ format: 'graph-model' })));
    await expect(loadModel(reader(files))).rejects.toThrow(/decoder.json is not a tfjs layers model/);
    model.dispose();
  });
});

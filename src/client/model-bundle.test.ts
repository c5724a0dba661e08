import { strToU8, zipSync } from 'fflate';
import { expect, it } from 'vitest';
import { unzipModel, zipModel } from './model-bundle';

const card = { id: 'own-1', family: 'conv-inpainting-ae', title: 't', dataset: 'own-images', height: 32, width: 32, channels: 3, tasks: [], architecture: {} };
const part = (name: string, floats: number) => ({
  [`${name}.json`]: strToU8(JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: [`${name}.weights.bin`], weights: [{ name: 'k', shape: [floats], dtype: 'float32' }] }] })),
  [`${name}.weights.bin`]: new Uint8Array(floats * 4),
});
const files = () => ({ 'card.json': strToU8(JSON.stringify(card)), ...part('encoder', 6), ...part('decoder', 4) });

it('round-trips the files of a model, also from inside a folder', () => {
  const { card: read, files: back } = unzipModel(zipModel(files()));
  expect(read.id).toBe('own-1');
  expect(Object.keys(back).sort()).toEqual(Object.keys(files()).sort());
  const nested = zipSync(Object.fromEntries(Object.entries(files()).map(([k, v]) => [`exported/${k}`, v])));
  expect(unzipModel(nested).card.family).toBe('conv-inpainting-ae');
});

it('refuses anything else with a reason', () => {
  const refused = (f: Record<string, Uint8Array>) => () => unzipModel(zipModel(f));
  expect(() => unzipModel(strToU8('plain text'))).toThrow(/not a zip/);
  expect(refused({ 'photo.png': new Uint8Array(3) })).toThrow(/card.json is missing/);
  expect(refused({ ...files(), 'card.json': strToU8(JSON.stringify({ ...card, family: undefined })) })).toThrow(/names no model family/);
  expect(refused({ ...files(), 'card.json': strToU8(JSON.stringify({ ...card, channels: 4 })) })).toThrow(/no usable image size/);
  expect(refused({ ...files(), 'decoder.weights.bin': new Uint8Array(12) })).toThrow(/decoder weights hold 12 bytes, its manifest declares 16/);
  const withoutWeights: Record<string, Uint8Array> = files();
  delete withoutWeights['encoder.weights.bin'];
  expect(refused(withoutWeights)).toThrow(/encoder.weights.bin, named by encoder.json, is missing/);
  expect(refused({ ...files(), 'encoder.json': strToU8('{') })).toThrow(/encoder.json is not JSON/);
});

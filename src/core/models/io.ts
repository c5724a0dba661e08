import * as tf from '@tensorflow/tfjs';
import { ConvInpaintingModel } from './conv-inpainting-ae';
import type { I2IModel, ModelCard } from './types';

/** Reads a file of a model folder (fetch in the browser, fs in Node). */
export type ReadFile = (name: string) => Promise<Uint8Array>;
export type WriteFile = (name: string, bytes: Uint8Array) => Promise<void>;

const PARTS = ['encoder', 'decoder'] as const;

/** Saves in the standard tfjs layers format: `<part>.json` + `<part>.weights.bin`, plus `card.json`. */
export async function saveModel(model: I2IModel, write: WriteFile): Promise<void> {
  const text = new TextEncoder();
  for (const part of PARTS) {
    await model[part].save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightsName = `${part}.weights.bin`;
        const json = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
        };
        await write(`${part}.json`, text.encode(JSON.stringify(json)));
        const data = artifacts.weightData as ArrayBuffer;
        await write(weightsName, new Uint8Array(data));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  }
  await write('card.json', text.encode(JSON.stringify(model.card, null, 2) + '\n'));
}

async function loadPart(read: ReadFile, part: string): Promise<tf.LayersModel> {
  const json = JSON.parse(new TextDecoder().decode(await read(`${part}.json`)));
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  if (json.format !== 'layers-model' || !Array.isArray(manifest) || manifest.length !== 1) {
    throw new Error(`${part}.json is not a tfjs layers model written by the studio`);
  }
  const weights = await read(manifest[0].paths[0]);
  const weightSpecs = manifest[0].weights;
  const expectedBytes = weightSpecs.reduce((sum, spec) => sum + 4 * spec.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.byteLength !== expectedBytes) {
    throw new Error(`${part} weights hold ${weights.byteLength} bytes, the manifest needs ${expectedBytes}`);
  }
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: buffer }));
}

export async function loadModel(read: ReadFile): Promise<I2IModel> {
  const card = JSON.parse(new TextDecoder().decode(await read('card.json'))) as ModelCard;
  if (card.family !== 'conv-inpainting-ae') throw new Error(`unknown model family "${card.family}"`);
  const [encoder, decoder] = await Promise.all(PARTS.map((part) => loadPart(read, part)));
  return new ConvInpaintingModel(card, encoder, decoder);
}

import * as tf from '@tensorflow/tfjs';

/** Reads a file of a model folder (fetch in the browser, fs in Node). */
export type ReadFile = (name: string) => Promise<Uint8Array>;
export type WriteFile = (name: string, bytes: Uint8Array) => Promise<void>;

/** Writes one layers model in the standard tfjs format: `<name>.json` + `<name>.weights.bin`. */
export async function saveLayers(model: tf.LayersModel, name: string, write: WriteFile): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsName = `${name}.weights.bin`;
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
      };
      await write(`${name}.json`, new TextEncoder().encode(JSON.stringify(json)));
      await write(weightsName, new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Reads what saveLayers wrote, refusing anything else before it runs (wrong format, weights that do not fit). */
export async function loadLayers(read: ReadFile, name: string): Promise<tf.LayersModel> {
  const json = JSON.parse(new TextDecoder().decode(await read(`${name}.json`)));
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  if (json.format !== 'layers-model' || !Array.isArray(manifest) || manifest.length !== 1) {
    throw new Error(`${name}.json is not a tfjs layers model written by the studio`);
  }
  const weights = await read(manifest[0].paths[0]);
  const weightSpecs = manifest[0].weights;
  const expectedBytes = weightSpecs.reduce((sum, spec) => sum + 4 * spec.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.byteLength !== expectedBytes) {
    throw new Error(`${name} weights hold ${weights.byteLength} bytes, the manifest needs ${expectedBytes}`);
  }
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: buffer }));
}

export async function writeCard(card: object, write: WriteFile): Promise<void> {
  await write('card.json', new TextEncoder().encode(JSON.stringify(card, null, 2) + '\n'));
}

export async function readCard<T>(read: ReadFile): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await read('card.json'))) as T;
}

/**
 * A model as one zip (the tfjs files saveModel writes, flat), and the checks an imported zip must
 * pass before any of it reaches the worker. No tfjs here: the UI side zips and checks.
 */
import { strFromU8, unzipSync, zipSync } from 'fflate';
import type { ModelCard, ModelFiles } from '../shared/protocol';

const PARTS = ['encoder', 'decoder'] as const;

export function zipModel(files: ModelFiles): Uint8Array {
  // Weights hardly compress; level 1 keeps zipping quick on the main thread.
  return zipSync(files, { level: 1 });
}

function refuse(reason: string): never {
  throw new Error(`this is not a model exported by the studio: ${reason}`);
}

function parseJson(files: ModelFiles, name: string): Record<string, unknown> {
  const bytes = files[name];
  if (!bytes) refuse(`${name} is missing`);
  try {
    return JSON.parse(strFromU8(bytes)) as Record<string, unknown>;
  } catch {
    return refuse(`${name} is not JSON`);
  }
}

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

/**
 * The files of a model zip, checked: a card with a family and a sane image size (the worker then
 * refuses a family it does not know, before building anything), and for each
 * part a tfjs layers model whose weight files exist and hold exactly what their manifests declare.
 * Files may sit in one folder inside the zip (as when a folder was zipped).
 */
export function unzipModel(zip: Uint8Array): { card: ModelCard; files: ModelFiles } {
  let entries: ModelFiles;
  try {
    entries = unzipSync(zip);
  } catch {
    return refuse('the file is not a zip');
  }
  const files: ModelFiles = {};
  for (const [path, bytes] of Object.entries(entries)) if (!path.endsWith('/') && !path.includes('__MACOSX')) files[path.split('/').pop()!] = bytes;
  const card = parseJson(files, 'card.json') as unknown as ModelCard;
  if (typeof card.id !== 'string' || !card.id) refuse('card.json names no model id');
  if (typeof card.family !== 'string') refuse('card.json names no model family');
  if (![card.height, card.width].every(positiveInt) || ![1, 3].includes(card.channels)) {
    refuse(`card.json gives no usable image size (${card.height}×${card.width}×${card.channels})`);
  }
  for (const part of PARTS) {
    const json = parseJson(files, `${part}.json`);
    const manifest = json.weightsManifest as { paths: string[]; weights: { shape: number[]; dtype?: string }[] }[] | undefined;
    if (json.format !== 'layers-model' || !Array.isArray(manifest) || manifest.length === 0) refuse(`${part}.json is not a tfjs layers model`);
    for (const group of manifest) {
      const declared = group.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      const held = group.paths.reduce((sum, path) => {
        const bytes = files[path];
        if (!bytes) refuse(`${path}, named by ${part}.json, is missing`);
        return sum + bytes.byteLength;
      }, 0);
      if (held !== declared) refuse(`${part} weights hold ${held} bytes, its manifest declares ${declared}`);
    }
  }
  return { card, files };
}

import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadBuiltInDataset, type BuiltInDatasetId } from '../../src/core/data/builtin';
import type { ReadFile, WriteFile } from '../../src/core/models/io';

export const PUBLIC_MODELS = resolve(import.meta.dirname, '../../public/models');
export const PUBLIC_DATA = resolve(import.meta.dirname, '../../public/data');

/** Whether a file or folder is there (no error for a missing one). */
export function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

export function folderReader(dir: string): ReadFile {
  return async (name) => new Uint8Array(await readFile(join(dir, name)));
}

export function folderWriter(dir: string): WriteFile {
  return async (name, bytes) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, name), bytes);
  };
}

/** A built-in dataset as the studio ships it (what `npm install` wrote to public/data/<id>/). */
export function loadStudioDataset(id: string) {
  return loadBuiltInDataset(id as BuiltInDatasetId, folderReader(resolve(PUBLIC_DATA, id)));
}

/** `--name value` options with defaults; unknown options are an error, not silently ignored. */
export function parseOptions<T extends Record<string, string | number | boolean>>(argv: string[], defaults: T): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const key = arg.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option ${arg}; options: ${Object.keys(defaults).map((k) => '--' + k).join(' ')}`);
    const def = defaults[key];
    if (typeof def === 'boolean') {
      out[key] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    if (typeof def === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`${arg} needs a number, got "${value}"`);
      out[key] = n;
    } else out[key] = value;
  }
  return out as T;
}

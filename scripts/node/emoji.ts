import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import type { ImageSet } from '../../src/core/data/image-set';
import { EMOJI_CATEGORIES, EMOJI_SIDE } from '../../src/core/data/builtin';

const require = createRequire(import.meta.url);

interface EmojiEntry {
  image: string;
  category: string;
  sort_order: number;
  has_img_google: boolean;
}

/**
 * A 64x64 RGBA emoji as EMOJI_SIDE² RGB bytes: composited over white (the emoji are drawn on a
 * transparent background) and shrunk by averaging square blocks.
 */
function toRgb(png: PNG): Uint8Array {
  const factor = png.width / EMOJI_SIDE;
  if (!Number.isInteger(factor) || png.height !== png.width) throw new Error(`emoji image is ${png.width}x${png.height}, expected a square multiple of ${EMOJI_SIDE}`);
  const out = new Uint8Array(EMOJI_SIDE * EMOJI_SIDE * 3);
  for (let y = 0; y < EMOJI_SIDE; y++) {
    for (let x = 0; x < EMOJI_SIDE; x++) {
      const sum = [0, 0, 0];
      for (let dy = 0; dy < factor; dy++) {
        for (let dx = 0; dx < factor; dx++) {
          const i = ((y * factor + dy) * png.width + x * factor + dx) * 4;
          const alpha = png.data[i + 3] / 255;
          for (let c = 0; c < 3; c++) sum[c] += png.data[i + c] * alpha + 255 * (1 - alpha);
        }
      }
      for (let c = 0; c < 3; c++) out[(y * EMOJI_SIDE + x) * 3 + c] = Math.round(sum[c] / (factor * factor));
    }
  }
  return out;
}

/**
 * Google's Noto emoji (images Apache-2.0) from the emoji-datasource-google package, labelled by
 * Unicode category; skin-tone variants are left out (near-copies of their base emoji would leak
 * across the train/test split). Every fifth emoji in Unicode order is a test image.
 */
export async function loadEmoji(): Promise<{ train: ImageSet; test: ImageSet }> {
  // Resolved here, not on import: a script that never loads the emoji runs without the package.
  const PACKAGE_DIR = dirname(require.resolve('emoji-datasource-google/package.json'));
  const entries = (JSON.parse(await readFile(join(PACKAGE_DIR, 'emoji.json'), 'utf8')) as EmojiEntry[])
    .filter((e) => e.has_img_google && EMOJI_CATEGORIES.includes(e.category))
    .sort((a, b) => a.sort_order - b.sort_order);
  const images = await Promise.all(entries.map(async (e) => toRgb(PNG.sync.read(await readFile(join(PACKAGE_DIR, 'img/google/64', e.image))))));
  const size = EMOJI_SIDE * EMOJI_SIDE * 3;
  const build = (keep: (i: number) => boolean): ImageSet => {
    const indices = entries.map((_, i) => i).filter(keep);
    const pixels = new Uint8Array(indices.length * size);
    indices.forEach((src, dst) => pixels.set(images[src], dst * size));
    const labels = Int32Array.from(indices, (i) => EMOJI_CATEGORIES.indexOf(entries[i].category));
    return { pixels, labels, count: indices.length, height: EMOJI_SIDE, width: EMOJI_SIDE, channels: 3 };
  };
  return { train: build((i) => i % 5 !== 4), test: build((i) => i % 5 === 4) };
}

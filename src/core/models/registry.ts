import type { BuiltInDatasetId } from '../data/builtin';

/**
 * Models that ship in public/models/<id>/ (written by `npm run pretrain`), with the dataset each was
 * trained on and the class sets of the retrained references that ship beside them
 * (public/models/<id>-without-<classes>, `npm run pretrain -- --exclude`).
 */
export const BUILT_IN_MODELS: readonly { id: string; dataset: BuiltInDatasetId; retrainedWithout?: readonly number[][] }[] = [
  { id: 'mnist-inpaint-ae', dataset: 'mnist', retrainedWithout: [[7]] },
  { id: 'emoji-inpaint-ae', dataset: 'emoji' },
  { id: 'mnist-palette', dataset: 'mnist', retrainedWithout: [[7]] },
  { id: 'mnist-mage', dataset: 'mnist', retrainedWithout: [[7]] },
  { id: 'mnist-mae', dataset: 'mnist', retrainedWithout: [[7]] },
];

/** The user's own images and the originals trained on them: plain data shared by the studio, the worker and the core. */

/** The user's image sets as the worker gets them: each set's images back to back, HWC bytes. */
export interface OwnSets {
  height: number;
  width: number;
  channels: number;
  forget: Uint8Array;
  retain: Uint8Array;
  proxy?: Uint8Array;
}

/** Every tenth image of a set is held out for metrics and the grid, the rest train. */
const HELD_OUT_EVERY = 10;

/** Held out: every tenth image, and at least one, so that a small set still has one to judge. */
export const isHeldOut = (i: number, count: number) => i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1 || (count < HELD_OUT_EVERY && i === count - 1);

export interface TrainOriginalSettings {
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_TRAIN_ORIGINAL: TrainOriginalSettings = { steps: 300, batchSize: 16, learningRate: 2e-3, seed: 1 };

export interface TrainReport {
  step: number;
  loss: number;
  ms: number;
}

/** Models the user made or imported are kept in IndexedDB under ids with this prefix. */
export const OWN_MODEL_PREFIX = 'own-';
export const OWN_DATASET_ID = 'own-images';

/** The parts of the worker protocol for the user's own images and models (plain data only). */

/** The user's image sets as the worker gets them: each set's images back to back, HWC bytes. */
export type { OwnSetBytes as OwnSets } from '../core/data/own-split';

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

/** A model as files (what saveModel writes), e.g. for export. */
export type ModelFiles = Record<string, Uint8Array>;

/**
 * A checkpoint to continue a run from: the model's weights after `step` of the run's steps. The
 * run goes on for the steps left from those weights; its optimiser state and learning-rate
 * schedule start afresh there (the core keeps them private), so the result is close to, not
 * bit-identical with, a run never interrupted.
 */
export interface ResumeFrom {
  step: number;
  files: ModelFiles;
}

/** Models the user made or imported are kept in IndexedDB under ids with this prefix. */
export const OWN_MODEL_PREFIX = 'own-';
export const OWN_DATASET_ID = 'own-images';

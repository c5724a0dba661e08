import type { ReadFile } from '../models/io';
import { parseIdx } from './idx';
import { imageSetFromIdx, type ImageSet } from './image-set';

export interface BuiltInDataset {
  id: string;
  title: string;
  classNames: string[];
  train: ImageSet;
  test: ImageSet;
}

/** Unicode emoji categories, in the order that makes their class numbers (the studio's colour dataset). */
export const EMOJI_CATEGORIES = [
  'Smileys & Emotion',
  'People & Body',
  'Animals & Nature',
  'Food & Drink',
  'Travel & Places',
  'Activities',
  'Objects',
  'Symbols',
  'Flags',
];

/** Side of the studio's emoji images (the package's 64x64 PNGs, halved). */
export const EMOJI_SIDE = 32;

export const BUILT_IN_DATASETS = {
  mnist: { title: 'MNIST digits', classNames: Array.from({ length: 10 }, (_, i) => String(i)) },
  emoji: { title: 'Noto emoji (colour, 32x32)', classNames: EMOJI_CATEGORIES },
} as const;

export type BuiltInDatasetId = keyof typeof BUILT_IN_DATASETS;

/** Reads a dataset written by scripts/prepare-data.ts (IDX files under data/<id>/). */
export async function loadBuiltInDataset(id: BuiltInDatasetId, read: ReadFile): Promise<BuiltInDataset> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    ['train-images.idx', 'train-labels.idx', 'test-images.idx', 'test-labels.idx'].map(async (name) => parseIdx(await read(name))),
  );
  return {
    id,
    ...BUILT_IN_DATASETS[id],
    classNames: [...BUILT_IN_DATASETS[id].classNames],
    train: imageSetFromIdx(trainImages, trainLabels),
    test: imageSetFromIdx(testImages, testLabels),
  };
}

export function classCounts(set: ImageSet, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  set.labels.forEach((label) => counts[label]++);
  return counts;
}

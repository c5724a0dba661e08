import type { MethodId } from '../../../shared/methods';
import type { MethodFactory } from './method';
import { createMaxLossMethod } from './max-loss';
import { createNoisyLabelMethod } from './noisy-label';
import { createPaperMethod } from './paper';
import { createRandomEncoderMethod } from './random-encoder';
import { createRetainLabelMethod } from './retain-label';

export { METHOD_IDS, METHODS, type MethodId, type MethodInfo } from '../../../shared/methods';
export type { MethodFactory, UnlearningMethod } from './method';

/** id -> implementation. A new method: its file, its entry in catalog.ts and one line here (the type checks that both exist). */
export const METHOD_REGISTRY: Record<MethodId, MethodFactory> = {
  paper: createPaperMethod,
  'max-loss': createMaxLossMethod,
  'noisy-label': createNoisyLabelMethod,
  'retain-label': createRetainLabelMethod,
  'random-encoder': createRandomEncoderMethod,
};

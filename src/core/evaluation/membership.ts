import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { rocAuc } from '../metrics/feature-metrics';
import type { I2IModel, ModelParts } from '../models/types';
import type { TaskSpec } from '../../shared/tasks';
import { reconstructions } from './reconstruction';

/**
 * A loss-based membership-inference audit: can an attacker who sees only the model's
 * reconstruction loss tell the forget set's training images (members) from never-seen images
 * of the same classes? AUC 0.5 means no; a retrained model is the reference to approach.
 * The score is −loss (members of a model that remembers them reconstruct better).
 */
export interface MembershipAudit {
  auc: number;
  memberLosses: Float32Array;
  nonMemberLosses: Float32Array;
}

/** Per-image mean squared reconstruction error over the whole image: the task loss an attacker can query. */
export async function reconstructionLosses(model: I2IModel, task: TaskSpec, set: ImageSet, parts: ModelParts = model, batchSize = 250): Promise<Float32Array> {
  const losses = new Float32Array(set.count);
  for await (const { start, truth, output } of reconstructions(model, task, set, parts, batchSize)) {
    const perImage = tf.tidy(() => tf.mean(tf.squaredDifference(output, truth), [1, 2, 3]));
    losses.set(await perImage.data(), start);
    perImage.dispose();
  }
  return losses;
}

/** Members and non-members should be equally many (take the same count of each) for a balanced audit. */
export async function membershipAudit(model: I2IModel, task: TaskSpec, members: ImageSet, nonMembers: ImageSet, parts: ModelParts = model): Promise<MembershipAudit> {
  const memberLosses = await reconstructionLosses(model, task, members, parts);
  const nonMemberLosses = await reconstructionLosses(model, task, nonMembers, parts);
  const negate = (values: Float32Array) => Array.from(values, (v) => -v);
  return { auc: rocAuc(negate(memberLosses), negate(nonMemberLosses)), memberLosses, nonMemberLosses };
}

export interface AuditHistogram {
  min: number;
  max: number;
  members: number[];
  nonMembers: number[];
}

/** Each model's member and non-member losses binned over one shared range, so the histograms compare. */
export function auditHistograms(audits: { memberLosses: ArrayLike<number>; nonMemberLosses: ArrayLike<number> }[], bins = 20): AuditHistogram[] {
  let min = Infinity;
  let max = -Infinity;
  for (const a of audits) {
    for (const v of [...Array.from(a.memberLosses), ...Array.from(a.nonMemberLosses)]) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return audits.map((a) => ({ min, max, members: histogram(a.memberLosses, bins, min, max), nonMembers: histogram(a.nonMemberLosses, bins, min, max) }));
}

/** Counts of `values` in `bins` equal-width bins over [min, max] (the audit's loss histogram). */
export function histogram(values: ArrayLike<number>, bins: number, min: number, max: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((values[i] - min) / width)));
    counts[bin]++;
  }
  return counts;
}

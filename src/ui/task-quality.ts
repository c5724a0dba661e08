import type { ModelCard } from '../shared/protocol';
import { cardSampling } from '../shared/settings';
import { modelTaskIds, type TaskId } from '../shared/tasks';

export interface TaskQuality {
  /** The card's held-out hidden-pixel PSNR for the task beside filling the hole with the training mean, and the FIDs, a sampler's name and its mean of draws where measured. */
  text: string;
  /** Whether one fill (one draw, for a sampler) is below the training mean's in PSNR. */
  belowMeanFill: boolean;
  /** Below the mean fill, yet the model's draws show it knows more than the mean: why PSNR undersells it. */
  note?: string;
  /** Below the mean fill with nothing to show it knows more: what that means for unlearning. */
  warning?: string;
}

/** How well the model does `task`, as its card measured on held-out images; undefined when the card has no such measurement. */
export function taskQuality(card: ModelCard, task: TaskId): TaskQuality | undefined {
  const evaluation = card.evaluation;
  if (!evaluation) return undefined;
  // A one-task card measures its task at the top level; a several-task card's top level is its first task.
  const measured = evaluation.perTask?.[task] ?? (modelTaskIds(card)[0] === task ? evaluation : undefined);
  if (!measured) return undefined;
  const { holePsnr, meanImageHolePsnr, fid, meanImageFid, draws } = measured;
  const fids = fid !== undefined && meanImageFid !== undefined;
  // A sampler's card is measured with its own sampler: the studio's choice may differ.
  const sampling = cardSampling(card.architecture);
  const drawsText = draws ? `; the mean of ${draws.count} draws ${draws.meanOfDrawsHolePsnr.toFixed(1)} dB` : '';
  const samplingText = sampling ? ` (one draw, ${sampling.sampler} sampler, ${sampling.sampleSteps} steps${drawsText})` : '';
  const text = `held out (${evaluation.heldOutImages} images): ${holePsnr.toFixed(1)} dB in the hole${samplingText}, the training mean ${meanImageHolePsnr.toFixed(1)} dB${fids ? `; FID ${fid.toFixed(1)}, the mean ${meanImageFid.toFixed(1)} (in the dataset classifier's features)` : ''}`;
  if (holePsnr >= meanImageHolePsnr) return { text, belowMeanFill: false };
  // One draw pays the draws' spread besides its mean's miss: for a sampler true to the data, twice the least error possible.
  if (draws && draws.meanOfDrawsHolePsnr > meanImageHolePsnr) {
    const note = `one draw pays the spread of the draws; their mean beats the training mean, and forgetting shows there and in FID`;
    return { text, belowMeanFill: true, note };
  }
  // A sampler's one draw per image can lose to the mean in PSNR while filling the hole with a plausible digit.
  const warning = fids && fid < meanImageFid ? 'below the mean in PSNR on this task: forgetting shows in FID more than in PSNR here' : 'below the mean on this task: there is little for unlearning to remove here';
  return { text, belowMeanFill: true, warning };
}

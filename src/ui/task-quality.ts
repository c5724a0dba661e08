import type { ModelCard } from '../shared/protocol';
import { modelTaskIds, type TaskId } from '../shared/tasks';

export interface TaskQuality {
  /** The card's held-out hidden-pixel PSNR for the task, beside filling the hole with the training mean. */
  text: string;
  /** The model fills this task's hole worse than the training mean does: there is little for unlearning to remove. */
  belowMeanFill: boolean;
}

/** How well the model does `task`, as its card measured on held-out images; undefined when the card has no such measurement. */
export function taskQuality(card: ModelCard, task: TaskId): TaskQuality | undefined {
  const evaluation = card.evaluation;
  if (!evaluation) return undefined;
  // A one-task card measures its task at the top level; a several-task card's top level is its first task.
  const measured = evaluation.perTask?.[task] ?? (modelTaskIds(card)[0] === task ? evaluation : undefined);
  if (!measured) return undefined;
  return {
    text: `held out (${evaluation.heldOutImages} images): ${measured.holePsnr.toFixed(1)} dB in the hole; the training mean fills it at ${measured.meanImageHolePsnr.toFixed(1)} dB`,
    belowMeanFill: measured.holePsnr < measured.meanImageHolePsnr,
  };
}

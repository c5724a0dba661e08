import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../shared/protocol';
import { taskQuality } from './task-quality';

const card = (evaluation: ModelCard['evaluation'], tasks: ModelCard['tasks'] = [{ kind: 'centre-hole', holeFraction: 0.25 }]) => ({ tasks, evaluation }) as ModelCard;
const scores = (holePsnr: number, meanImageHolePsnr: number) => ({ holePsnr, holeMse: 0, meanImageHolePsnr, meanImageHoleMse: 0 });

describe('taskQuality', () => {
  it("reads a several-task card's own line for the task, and says when the model is below the mean fill", () => {
    const palette = card({ heldOutImages: 500, ...scores(11.8, 7.6), perTask: { 'centre-25': scores(11.8, 7.6), outpaint: scores(14.6, 15.7) } }, [
      { kind: 'centre-hole', holeFraction: 0.25 },
      { kind: 'outpainting', keepFraction: 0.5 },
    ]);
    expect(taskQuality(palette, 'centre-25')).toEqual({ text: 'held out (500 images): 11.8 dB in the hole; the training mean fills it at 7.6 dB', belowMeanFill: false });
    expect(taskQuality(palette, 'outpaint')?.belowMeanFill).toBe(true);
  });

  it("takes a one-task card's top level for its task only, and nothing from a card without a measurement", () => {
    const ae = card({ heldOutImages: 2000, ...scores(13.2, 7.6) });
    expect(taskQuality(ae, 'centre-25')?.text).toContain('13.2 dB');
    expect(taskQuality(ae, 'outpaint')).toBeUndefined();
    expect(taskQuality(card(undefined), 'centre-25')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../shared/protocol';
import { taskQuality } from './task-quality';

const card = (evaluation: ModelCard['evaluation'], tasks: ModelCard['tasks'] = [{ kind: 'centre-hole', holeFraction: 0.25 }]) => ({ tasks, evaluation }) as ModelCard;
const scores = (holePsnr: number, meanImageHolePsnr: number, fids: { fid?: number; meanImageFid?: number } = {}) => ({ holePsnr, holeMse: 0, meanImageHolePsnr, meanImageHoleMse: 0, ...fids });

describe('taskQuality', () => {
  it("reads a several-task card's own line for the task, and warns where the model is below the mean fill", () => {
    const palette = card({ heldOutImages: 500, ...scores(12.3, 7.6), perTask: { 'centre-25': scores(12.3, 7.6, { fid: 3.1, meanImageFid: 80.24 }), outpaint: scores(14.8, 15.7), 'centre-50': scores(7.5, 7.9, { fid: 9, meanImageFid: 120 }) } }, [
      { kind: 'centre-hole', holeFraction: 0.25 },
      { kind: 'centre-hole', holeFraction: 0.5 },
      { kind: 'outpainting', keepFraction: 0.5 },
    ]);
    expect(taskQuality(palette, 'centre-25')).toEqual({ text: "held out (500 images): 12.3 dB in the hole, the training mean 7.6 dB; FID 3.1, the mean 80.2 (in the dataset classifier's features)" });
    expect(taskQuality(palette, 'outpaint')?.warning).toMatch(/little for unlearning to remove/);
    // Below the mean in PSNR, far better in FID: the sample is a digit, judged pixel by pixel.
    expect(taskQuality(palette, 'centre-50')?.warning).toMatch(/forgetting shows in FID/);
  });

  it("takes a one-task card's top level for its task only, and nothing from a card without a measurement", () => {
    const ae = card({ heldOutImages: 2000, ...scores(13.2, 7.6) });
    expect(taskQuality(ae, 'centre-25')?.text).toBe('held out (2000 images): 13.2 dB in the hole, the training mean 7.6 dB');
    expect(taskQuality(ae, 'outpaint')).toBeUndefined();
    expect(taskQuality(card(undefined), 'centre-25')).toBeUndefined();
  });
});

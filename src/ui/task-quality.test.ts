import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../shared/protocol';
import { taskQuality } from './task-quality';

const card = (evaluation: ModelCard['evaluation'], tasks: ModelCard['tasks'] = [{ kind: 'centre-hole', holeFraction: 0.25 }], architecture: ModelCard['architecture'] = {}) => ({ tasks, evaluation, architecture }) as ModelCard;
const scores = (holePsnr: number, meanImageHolePsnr: number, fids: { fid?: number; meanImageFid?: number } = {}) => ({ holePsnr, holeMse: 0, meanImageHolePsnr, meanImageHoleMse: 0, ...fids });

describe('taskQuality', () => {
  it("reads a several-task card's own line for the task, and warns where the model is below the mean fill", () => {
    const palette = card({ heldOutImages: 500, ...scores(12.3, 7.6), perTask: { 'centre-25': scores(12.3, 7.6, { fid: 3.1, meanImageFid: 80.24 }), outpaint: scores(14.8, 15.7), 'centre-50': scores(7.5, 7.9, { fid: 9, meanImageFid: 120 }) } }, [
      { kind: 'centre-hole', holeFraction: 0.25 },
      { kind: 'centre-hole', holeFraction: 0.5 },
      { kind: 'outpainting', keepFraction: 0.5 },
    ]);
    expect(taskQuality(palette, 'centre-25')).toEqual({ text: "held out (500 images): 12.3 dB in the hole, the training mean 7.6 dB; FID 3.1, the mean 80.2 (in the dataset classifier's features)", belowMeanFill: false });
    expect(taskQuality(palette, 'outpaint')).toMatchObject({ belowMeanFill: true, warning: expect.stringMatching(/little for unlearning to remove/) });
    // Below the mean in PSNR, far better in FID: the sample is a digit, judged pixel by pixel.
    expect(taskQuality(palette, 'centre-50')?.warning).toMatch(/forgetting shows in FID/);
  });

  it("names a sampler's mean of draws, and notes rather than warns where that mean beats the mean fill and one draw does not", () => {
    const draws = (meanOfDrawsHolePsnr: number) => ({ count: 8, meanOfDrawsHolePsnr, meanOfDrawsHoleMse: 0, spread: 0, modelMeanHoleMse: 0 });
    const palette = card({ heldOutImages: 500, ...scores(7.5, 7.9), perTask: { 'centre-50': { ...scores(7.5, 7.9), draws: draws(9.9) }, outpaint: { ...scores(14.8, 15.7), draws: draws(15.2) } } }, [
      { kind: 'centre-hole', holeFraction: 0.5 },
      { kind: 'outpainting', keepFraction: 0.5 },
    ], { sampler: 'ancestral', sampleSteps: 50 });
    const centre = taskQuality(palette, 'centre-50')!;
    expect(centre.text).toBe('held out (500 images): 7.5 dB in the hole (one draw, ancestral sampler, 50 steps; the mean of 8 draws 9.9 dB), the training mean 7.9 dB');
    // A card from before the sampler was a card setting was measured with DDIM.
    expect(taskQuality({ ...palette, architecture: { sampleSteps: 10 } }, 'centre-50')!.text).toMatch(/^held out \(500 images\): 7\.5 dB in the hole \(one draw, ddim sampler, 10 steps; the mean/);
    expect(centre).toMatchObject({ belowMeanFill: true, note: expect.stringMatching(/their mean beats the training mean/) });
    expect(centre.warning).toBeUndefined();
    // The mean of draws below the mean fill too: nothing shows the model knows more.
    expect(taskQuality(palette, 'outpaint')).toMatchObject({ belowMeanFill: true, warning: expect.stringMatching(/little for unlearning to remove/) });
    expect(taskQuality(palette, 'outpaint')?.note).toBeUndefined();
  });

  it("takes a one-task card's top level for its task only, and nothing from a card without a measurement", () => {
    const ae = card({ heldOutImages: 2000, ...scores(13.2, 7.6) });
    expect(taskQuality(ae, 'centre-25')?.text).toBe('held out (2000 images): 13.2 dB in the hole, the training mean 7.6 dB');
    expect(taskQuality(ae, 'outpaint')).toBeUndefined();
    expect(taskQuality(card(undefined), 'centre-25')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { EvaluationRow } from '../shared/protocol';
import { paretoFront, tradeOffPoints, type TradeOffPoint } from './trade-off';

const row = (method: EvaluationRow['method'], set: EvaluationRow['set'], psnr: number): EvaluationRow => ({ method, set, psnr, fid: 0, is: 0, cosine: 0, ssim: 0, mse: 0, images: 10 });

describe('the trade-off view', () => {
  it('measures each model against the original on the forget and retain sets', () => {
    const rows = [row('original', 'forget', 13), row('original', 'retain', 12), row('paper', 'forget', 9), row('paper', 'forget-unseen', 1), row('paper', 'retain', 11.5)];
    expect(tradeOffPoints(rows)).toEqual([
      { method: 'original', forgetDrop: 0, retainDrop: 0 },
      { method: 'paper', forgetDrop: 4, retainDrop: 0.5 },
    ]);
    expect(tradeOffPoints([row('paper', 'forget', 9)])).toEqual([]);
  });

  it('keeps the points nothing beats on both counts, by rising retain cost', () => {
    const p = (method: EvaluationRow['method'], forgetDrop: number, retainDrop: number): TradeOffPoint => ({ method, forgetDrop, retainDrop });
    const points = [p('original', 0, 0), p('paper', 4, 0.5), p('max-loss', 3, 1), p('noisy-label', 5, 2), p('retain-label', 4, 0.5)];
    // max-loss forgets less than paper at a higher retain cost; the tie between paper and retain-label keeps both.
    expect(paretoFront(points).map((q) => q.method)).toEqual(['original', 'paper', 'retain-label', 'noisy-label']);
  });
});

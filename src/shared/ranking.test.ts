import { describe, expect, test } from 'vitest';
import { bestValues, isBest } from './ranking';

const row = (method: string, set: string, v: number) => ({ method, set, fid: v, is: v, cosine: v, psnr: v, ssim: v });

describe('ranking a comparison', () => {
  const rows = [row('original', 'forget', 0), row('paper', 'forget', 2), row('max-loss', 'forget', 5), row('original', 'retain', 9), row('paper', 'retain', 3), row('max-loss', 'retain', 4)];

  test('on forget sets far from the truth is best: high FID, low cosine/PSNR/SSIM; IS is not ranked', () => {
    const best = bestValues(rows, 'forget');
    expect(best.fid).toBe(5);
    expect(best.psnr).toBe(2);
    expect(best.is).toBeNaN();
  });

  test('on retain close to the truth is best, and references are never marked', () => {
    const best = bestValues(rows, 'retain');
    expect(best.fid).toBe(3);
    expect(best.psnr).toBe(4);
    expect(isBest(rows[3], 'psnr', { ...best, psnr: 9 })).toBe(false);
    expect(isBest(rows[5], 'psnr', best)).toBe(true);
  });
});

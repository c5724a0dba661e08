import { describe, expect, it } from 'vitest';
import { DEFAULT_UNLEARN } from '../../src/shared/settings';
import { evaluationMarkdown, joinEvaluations, type EvaluationResult } from './evaluation-result';

const row = (method: string, set: string, psnr: number) => ({ method, set, fid: 10 - psnr, is: 1, cosine: 0.9, psnr, ssim: 0.5, images: 4 });
/** A part that judged the references and `methods`, each method's rows given by its PSNR. */
function part(methods: Record<string, number>, calibrated = false, original = 12, histogramMax = 1): EvaluationResult {
  const judged = { original, retrained: 8, ...methods, ...(calibrated ? { 'paper-calibrated': 9 } : {}) };
  return {
    model: 'mnist-palette',
    forgetClasses: [7],
    settings: DEFAULT_UNLEARN,
    evalImages: 4,
    classifier: 'mnist-classifier',
    rows: Object.entries(judged).flatMap(([method, psnr]) => ['forget', 'forget-unseen', 'retain'].map((set) => row(method, set, psnr))),
    audit: Object.entries(judged).map(([method, psnr]) => ({ method, auc: psnr / 20, histogram: { max: histogramMax } })),
    costs: [{ method: 'retrained', seconds: 100 }, ...Object.keys(methods).map((method) => ({ method, seconds: 1 })), ...(calibrated ? [{ method: 'paper-calibrated', seconds: 2 }] : [])],
    ...(calibrated ? { calibration: { target: 8, every: 25, alpha: 0.1, learningRate: 5e-5, curve: [], stoppedAt: 25, reason: 'target reached' as const } } : {}),
  };
}

describe('joinEvaluations', () => {
  it('keeps the references once and orders the methods as one process would have', () => {
    // Each part bins its audits on its own models' range: the references' histograms may differ.
    const joined = joinEvaluations([part({ 'retain-label': 5, 'random-encoder': 6 }, true), part({ paper: 11, 'max-loss': 7 }, false, 12, 2)]);
    const order = ['original', 'retrained', 'paper', 'max-loss', 'retain-label', 'random-encoder', 'paper-calibrated'];
    expect(joined.audit.map((a) => a.method)).toEqual(order);
    expect(joined.rows.filter((r) => r.set === 'forget').map((r) => r.method)).toEqual(order);
    expect(joined.costs.map((c) => c.method)).toEqual(order.filter((m) => m !== 'original'));
    expect(joined.calibration?.stoppedAt).toBe(25);
    expect(joined.rows.find((r) => r.method === 'paper' && r.set === 'retain')?.psnr).toBe(11);
  });

  it('refuses parts that judged the references differently, differ in settings, or share a method', () => {
    expect(() => joinEvaluations([part({ paper: 11 }), part({ 'max-loss': 7 }, false, 12.5)])).toThrow(/references differently/);
    expect(() => joinEvaluations([part({ paper: 11 }), { ...part({ 'max-loss': 7 }), settings: { ...DEFAULT_UNLEARN, steps: 1 } }])).toThrow(/differ in settings/);
    const sampled = (sampleSteps: number) => ({ sampler: 'ancestral' as const, sampleSteps });
    expect(() => joinEvaluations([{ ...part({ paper: 11 }), sampling: sampled(50) }, { ...part({ 'max-loss': 7 }), sampling: sampled(10) }])).toThrow(/differ in sampling/);
    expect(() => joinEvaluations([part({ paper: 11 }), part({ paper: 11 })])).toThrow(/paper was judged by more than one part/);
    expect(() => joinEvaluations([part({ paper: 11 }, true), part({ 'max-loss': 7 }, true)])).toThrow(/calibrated/);
  });

  it('renders a joined result as the table a single run writes', () => {
    const single = evaluationMarkdown(part({ paper: 11, 'max-loss': 7 }), 'mnist');
    const joined = evaluationMarkdown(joinEvaluations([part({ paper: 11 }), part({ 'max-loss': 7 })]), 'mnist');
    expect(joined).toBe(single);
    expect(single).toContain('| max-loss | forget | **3.00** |');
    // A sampler's table says how its fills were drawn.
    expect(single).toMatch(/^Forget classes 7; 4 images per set; FID/);
    expect(evaluationMarkdown({ ...part({ paper: 11 }), sampling: { sampler: 'ancestral', sampleSteps: 50 } }, 'mnist')).toMatch(/^Forget classes 7; 4 images per set, each sampled once \(ancestral, 50 steps\); FID/);
  });
});

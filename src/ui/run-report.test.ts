import { describe, expect, it } from 'vitest';
import { DEFAULT_UNLEARN } from '../shared/settings';
import { runReportCsv, runReportJson } from './run-report';

const source = {
  modelId: 'mnist-inpaint-ae',
  model: undefined,
  dataSource: 'classes' as const,
  forgetClasses: [7],
  retainClasses: [0, 1],
  settings: DEFAULT_UNLEARN,
  evalImages: 8,
  run: { id: 1, phase: 'finished' as const, totalSteps: 2, lastProgressAt: 0 },
  curve: [{ step: 1, retainLoss: 1, weightedForgetLoss: 2, total: 3, learningRate: 1e-3, gradNorm: 1, ms: 5 }],
  metrics: undefined,
  backend: 'wasm' as const,
  calibration: {
    request: { goal: { kind: 'retrained' as const }, every: 5 },
    target: { forgetPsnr: 10, source: 'test' },
    curve: [{ step: 0, forgetPsnr: 13, retainPsnr: 12 }],
    end: { step: 1, reason: 'target reached' as const },
  },
  noiseLevels: undefined,
};

describe('the run report', () => {
  it("carries a calibrated run's target, measurements and reason for stopping", () => {
    const json = JSON.parse(runReportJson(source));
    expect(json.calibration.end).toEqual({ step: 1, reason: 'target reached' });
    expect(json.calibration.target.forgetPsnr).toBe(10);
    const csv = runReportCsv(source).trimEnd().split('\n');
    expect(csv).toContain('calibration,0,forget,unlearned,psnr,13');
    expect(csv).toContain('calibration,0,retain,unlearned,psnr,12');
    expect(csv.filter((line) => line.startsWith('loss,1,'))).toHaveLength(6);
  });
});

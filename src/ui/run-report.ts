import type { StudioState } from '../state/studio';

type ReportSource = Pick<
  StudioState,
  'modelId' | 'model' | 'dataSource' | 'forgetClasses' | 'retainClasses' | 'settings' | 'evalImages' | 'run' | 'curve' | 'metrics' | 'backend' | 'calibration' | 'noiseLevels'
>;

/** Everything a run produced and what it ran with, as one JSON document. */
export function runReportJson(s: ReportSource): string {
  return (
    JSON.stringify(
      {
        model: s.modelId,
        modelTitle: s.model?.title,
        data: s.dataSource === 'own' ? 'your images' : { forgetClasses: s.forgetClasses, retainClasses: s.retainClasses },
        settings: s.settings,
        evalImages: s.evalImages,
        backend: s.backend,
        status: s.run.phase,
        steps: s.curve.length,
        counts: s.run.counts,
        metrics: s.metrics,
        curve: s.curve,
        calibration: s.calibration,
        noiseLevels: s.noiseLevels,
      },
      null,
      2,
    ) + '\n'
  );
}

const cell = (v: string | number | undefined) => (v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v));

/** The same run in long format: one line per loss value per step, one per calibration measurement and set, then one per metric. */
export function runReportCsv(s: ReportSource): string {
  const lines: (string | number | undefined)[][] = [['kind', 'step', 'set', 'model', 'name', 'value']];
  for (const r of s.curve) {
    for (const [name, value] of [
      ['retain_loss', r.retainLoss],
      ['weighted_forget_loss', r.weightedForgetLoss],
      ['total', r.total],
      ['learning_rate', r.learningRate],
      ['grad_norm', r.gradNorm],
      ['ms', r.ms],
    ] as const) {
      lines.push(['loss', r.step, '', '', name, value]);
    }
  }
  for (const p of s.calibration?.curve ?? []) {
    lines.push(['calibration', p.step, 'forget', 'unlearned', 'psnr', p.forgetPsnr], ['calibration', p.step, 'retain', 'unlearned', 'psnr', p.retainPsnr]);
  }
  for (const set of ['forget', 'retain'] as const) {
    for (const model of ['original', 'unlearned'] as const) {
      const q = s.metrics?.[set][model];
      if (q) for (const [name, value] of Object.entries(q)) lines.push(['metric', '', set, model, name, value as number]);
    }
  }
  return lines.map((line) => line.map(cell).join(',')).join('\n') + '\n';
}

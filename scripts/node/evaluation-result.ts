/**
 * `npm run evaluate`'s result file, and the joining of runs that split one comparison across
 * processes by `--methods` (a Palette comparison at its card's steps takes two hours on one core).
 */
import { CALIBRATED, EVALUATION_SETS, type CalibrationRecord, type SweepPoint } from '../../src/core/evaluation/compare-methods';
import { METHOD_IDS } from '../../src/shared/methods';
import { METRIC_COLUMNS, REFERENCES, bestValues, isBest, type RankedRow } from '../../src/shared/ranking';
import type { Sampling, UnlearnSettings } from '../../src/shared/settings';

export interface EvaluationResult {
  model: string;
  forgetClasses: number[];
  proxyRetain?: string;
  settings: UnlearnSettings;
  evalImages: number;
  classifier: string;
  /** A diffusion model's sampler and its steps (its card's) behind every reconstruction. */
  sampling?: Sampling;
  rows: (RankedRow & { images: number })[];
  audit: { method: string; auc: number; histogram: unknown }[];
  costs: { method: string; seconds: number }[];
  calibration?: CalibrationRecord;
  sweep?: SweepPoint[];
}

const isReference = (method: string) => (REFERENCES as readonly string[]).includes(method);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One result from parts of the same comparison: the references (original, retrained), judged by
 * every part, must agree to the last digit, or the parts did not compare the same thing; each
 * method must come from one part only. Rows follow the order one process would have written.
 * The audit histograms share a range within each part only (each carries its own min and max).
 */
export function joinEvaluations(parts: EvaluationResult[]): EvaluationResult {
  const [first, ...others] = parts;
  if (!first) throw new Error('nothing to join');
  for (const part of others) {
    for (const key of ['model', 'forgetClasses', 'proxyRetain', 'settings', 'evalImages', 'classifier', 'sampling'] as const) {
      if (!same(part[key], first[key])) throw new Error(`the parts differ in ${key}: ${JSON.stringify(first[key])} vs ${JSON.stringify(part[key])}`);
    }
    // Histograms are left out: each part bins its audits on the range of its own models' losses.
    const references = (r: EvaluationResult) => [r.rows.filter((row) => isReference(row.method)), r.audit.filter((a) => isReference(a.method)).map(({ method, auc }) => ({ method, auc }))];
    if (!same(references(part), references(first))) throw new Error('the parts judged the references differently: not the same models, data or backend');
  }
  const judged = parts.flatMap((part) => part.audit.map((a) => a.method).filter((m) => !isReference(m)));
  const twice = judged.find((m, i) => judged.indexOf(m) !== i);
  if (twice) throw new Error(`${twice} was judged by more than one part`);
  if (parts.filter((p) => p.calibration).length > 1) throw new Error('more than one part has a calibrated row');
  const order = (method: string) => {
    const reference = (REFERENCES as readonly string[]).indexOf(method);
    if (reference >= 0) return reference;
    const id = (METHOD_IDS as readonly string[]).indexOf(method);
    if (id >= 0) return REFERENCES.length + id;
    return REFERENCES.length + METHOD_IDS.length + (method === CALIBRATED ? 0 : 1);
  };
  const byMethod = <T extends { method: string }>(items: T[]) => items.map((item, i) => ({ item, i })).sort((a, b) => order(a.item.method) - order(b.item.method) || a.i - b.i).map(({ item }) => item);
  const own = <T extends { method: string }>(items: T[], part: EvaluationResult) => (part === first ? items : items.filter((x) => !isReference(x.method)));
  const sweep = parts.flatMap((p) => p.sweep ?? []);
  return {
    ...first,
    rows: byMethod(parts.flatMap((p) => own(p.rows, p))),
    audit: byMethod(parts.flatMap((p) => own(p.audit, p))),
    costs: byMethod(parts.flatMap((p) => own(p.costs, p))),
    calibration: parts.find((p) => p.calibration)?.calibration,
    sweep: sweep.length ? sweep : undefined,
  };
}

/** The result as the Markdown table committed beside it. */
export function evaluationMarkdown({ forgetClasses, evalImages, sampling, rows, audit, costs, calibration, sweep }: EvaluationResult, dataset: string): string {
  const sampled = sampling ? `, each sampled once (${sampling.sampler}, ${sampling.sampleSteps} steps)` : '';
  const lines = [
    `Forget classes ${forgetClasses.join(', ')}; ${evalImages} images per set${sampled}; FID/IS/cosine in the features of the project's ${dataset} classifier (domain-network scores, not Inception/CLIP). Best method per column in bold.`,
    '',
    '| method | set | FID | IS | cosine | PSNR (hole) | SSIM (hole) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const set of EVALUATION_SETS) {
    const best = bestValues(rows, set);
    for (const r of rows.filter((row) => row.set === set)) {
      const cells = METRIC_COLUMNS.map((c) => {
        const text = r[c].toFixed(c === 'fid' ? 2 : 3);
        return isBest(r, c, best) ? `**${text}**` : text;
      });
      lines.push(`| ${r.method} | ${set} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', '| method | membership AUC (forget vs never-seen) | seconds |', '|---|---|---|');
  for (const a of audit) {
    const cost = costs.find((c) => c.method === a.method);
    lines.push(`| ${a.method} | ${a.auc.toFixed(3)} | ${cost ? cost.seconds.toFixed(0) : '–'} |`);
  }
  if (calibration) {
    lines.push(
      '',
      `${CALIBRATED}: the paper's method (α ${calibration.alpha}, lr ${calibration.learningRate}) stopped at the retrained model's forget PSNR on held-out images apart from the judged ones (${calibration.target.toFixed(2)} dB), measured every ${calibration.every} steps; stopped at step ${calibration.stoppedAt} (${calibration.reason}).`,
    );
  }
  if (sweep) {
    // The trade-off in one table: how much each point costs the forget set against the retain set, beside the references.
    const psnr = (method: string, set: string) => rows.find((r) => r.method === method && r.set === set)?.psnr ?? NaN;
    const drop = (method: string, set: string) => (psnr('original', set) - psnr(method, set)).toFixed(2);
    lines.push('', '| point | forget PSNR drop (dB) | retain PSNR drop (dB) | audit AUC |', '|---|---|---|---|');
    for (const method of ['retrained', ...(calibration ? [CALIBRATED] : []), ...sweep.map((p) => p.method)]) {
      lines.push(`| ${method} | ${drop(method, 'forget')} | ${drop(method, 'retain')} | ${audit.find((a) => a.method === method)?.auc.toFixed(3) ?? '–'} |`);
    }
  }
  return lines.join('\n') + '\n';
}

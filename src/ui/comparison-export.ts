import type { ComparisonResult } from '../state/studio';
import { download } from './download';


function csvCell(value: string | number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One line per model and set, the audit's AUC and the cost repeated on each of a model's lines. */
export function comparisonCsv({ rows, audit, costs }: ComparisonResult): string {
  const header = ['method', 'set', 'images', 'fid', 'is', 'cosine', 'psnr_hole', 'ssim_hole', 'membership_auc', 'seconds'];
  const lines = rows.map((r) => [
    r.method,
    r.set,
    r.images,
    r.fid,
    r.is,
    r.cosine,
    r.psnr,
    r.ssim,
    audit.find((a) => a.method === r.method)?.auc ?? NaN,
    costs.find((c) => c.method === r.method)?.seconds ?? NaN,
  ]);
  return [header, ...lines].map((line) => line.map(csvCell).join(',')).join('\n') + '\n';
}

/** The same shape as `npm run evaluate -- --json`, so results from the studio and the CLI line up. */
export function comparisonJson(result: ComparisonResult): string {
  const { modelId, forgetClasses, settings, evalImages, rows, audit, costs } = result;
  return JSON.stringify({ model: modelId, forgetClasses, settings, evalImages, classifier: `${result.dataset}-classifier`, rows, audit, costs }, null, 2) + '\n';
}

export function comparisonFileName(result: ComparisonResult, extension: 'csv' | 'json'): string {
  return `comparison-${result.modelId}-forget-${result.forgetClasses.join('-')}.${extension}`;
}

export function downloadText(fileName: string, text: string, type: string): void {
  download(fileName, new Blob([text], { type }));
}

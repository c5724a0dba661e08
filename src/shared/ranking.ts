/**
 * Which value of a comparison column is best, as plain data (no tfjs) for the CLI and the UI.
 * Forgetting wants outputs far from the ground truth, retaining wants them close; the references
 * (original, retrained) are shown but never ranked.
 */
export const METRIC_COLUMNS = ['fid', 'is', 'cosine', 'psnr', 'ssim'] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

export const REFERENCES = ['original', 'retrained'] as const;

export interface RankedRow {
  method: string;
  set: string;
  fid: number;
  is: number;
  cosine: number;
  psnr: number;
  ssim: number;
}

/** +1: higher is better, −1: lower is better, 0: not ranked (IS on a single-class forget set says little). */
export function direction(set: string, column: MetricColumn): 1 | -1 | 0 {
  const forgetting = set !== 'retain';
  if (column === 'is') return forgetting ? 0 : 1;
  const higherIsCloser = column !== 'fid';
  return forgetting === higherIsCloser ? -1 : 1;
}

/** The best value per column among the methods' rows of one set (NaN where a column is not ranked). */
export function bestValues(rows: RankedRow[], set: string): Record<MetricColumn, number> {
  const methods = rows.filter((r) => r.set === set && !(REFERENCES as readonly string[]).includes(r.method));
  return Object.fromEntries(
    METRIC_COLUMNS.map((column) => {
      const d = direction(set, column);
      if (d === 0 || methods.length === 0) return [column, NaN];
      return [column, methods.reduce((best, r) => (d * r[column] > d * best ? r[column] : best), -d * Infinity)];
    }),
  ) as Record<MetricColumn, number>;
}

export function isBest(row: RankedRow, column: MetricColumn, best: Record<MetricColumn, number>): boolean {
  return !(REFERENCES as readonly string[]).includes(row.method) && row[column] === best[column];
}

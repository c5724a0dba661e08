import type { ComparedModel, EvaluationRow } from '../shared/protocol';

/** A compared model as the trade-off view plots it: how much hole PSNR it costs the forget set and the retain set against the original. */
export interface TradeOffPoint {
  method: ComparedModel;
  forgetDrop: number;
  retainDrop: number;
}

/** One point per model judged: PSNR drops (dB) from the original on the forget set (trained on) and the held-out retain set. */
export function tradeOffPoints(rows: EvaluationRow[]): TradeOffPoint[] {
  const psnr = (method: ComparedModel, set: EvaluationRow['set']) => rows.find((r) => r.method === method && r.set === set)?.psnr;
  const forget0 = psnr('original', 'forget');
  const retain0 = psnr('original', 'retain');
  if (forget0 === undefined || retain0 === undefined) return [];
  const methods = rows.map((r) => r.method).filter((m, i, all) => all.indexOf(m) === i);
  return methods.flatMap((method) => {
    const forget = psnr(method, 'forget');
    const retain = psnr(method, 'retain');
    return forget === undefined || retain === undefined ? [] : [{ method, forgetDrop: forget0 - forget, retainDrop: retain0 - retain }];
  });
}

/**
 * The points no other point beats on both counts (forgets at least as much while costing the
 * retain set no more, and is better on one), by rising retain cost: the Pareto front.
 */
export function paretoFront(points: TradeOffPoint[]): TradeOffPoint[] {
  const dominates = (a: TradeOffPoint, b: TradeOffPoint) =>
    a.forgetDrop >= b.forgetDrop && a.retainDrop <= b.retainDrop && (a.forgetDrop > b.forgetDrop || a.retainDrop < b.retainDrop);
  return points.filter((p) => !points.some((q) => dominates(q, p))).sort((a, b) => a.retainDrop - b.retainDrop);
}

/**
 * The grid's history through a run, for scrubbing back: only the unlearned column changes from one
 * grid to the next (input, original and truth are fixed for the run), so a snapshot keeps that
 * column alone, as bytes. A 64x64 colour grid is then 150 KB a snapshot instead of 2.4 MB.
 */
import type { ImageStack, ReconstructionGrid } from '../shared/protocol';

export interface GridSnapshot {
  step: number;
  forget: Uint8Array;
  retain: Uint8Array;
}

/** Snapshots kept: past it, the one whose loss leaves the smallest gap goes, so the history spans the run evenly. */
export const HISTORY_LIMIT = 60;

const toBytes = (stack: ImageStack) => Uint8Array.from(stack.pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
const toFloats = (stack: ImageStack, bytes: Uint8Array): ImageStack => ({ ...stack, pixels: Float32Array.from(bytes, (v) => v / 255) });

export function snapshotOf(grid: ReconstructionGrid, step: number): GridSnapshot {
  return { step, forget: toBytes(grid.forget.unlearned), retain: toBytes(grid.retain.unlearned) };
}

/** `history` with `snapshot` appended (replacing one of the same step), at most `limit` long; the first and the latest always stay. */
export function appendSnapshot(history: GridSnapshot[], snapshot: GridSnapshot, limit = HISTORY_LIMIT): GridSnapshot[] {
  const next = [...history.filter((s) => s.step !== snapshot.step), snapshot];
  if (next.length <= limit) return next;
  let drop = 1;
  for (let i = 2; i < next.length - 1; i++) {
    if (next[i + 1].step - next[i - 1].step < next[drop + 1].step - next[drop - 1].step) drop = i;
  }
  return next.filter((_, i) => i !== drop);
}

/** The grid as it was at `snapshot`: the run's fixed columns with the snapshot's unlearned column. */
export function gridAt(grid: ReconstructionGrid, snapshot: GridSnapshot): ReconstructionGrid {
  return {
    forget: { ...grid.forget, unlearned: toFloats(grid.forget.unlearned, snapshot.forget) },
    retain: { ...grid.retain, unlearned: toFloats(grid.retain.unlearned, snapshot.retain) },
  };
}

import { describe, expect, it } from 'vitest';
import type { ImageStack, ReconstructionGrid } from '../shared/protocol';
import { appendSnapshot, gridAt, snapshotOf, type GridSnapshot } from './grid-history';

const stack = (values: number[]): ImageStack => ({ count: 1, height: 1, width: values.length, channels: 1, pixels: Float32Array.from(values) });
const grid = (unlearned: number[]): ReconstructionGrid => {
  const rows = (u: number[]) => ({ input: stack([0, 0]), original: stack([0.5, 0.5]), unlearned: stack(u), truth: stack([1, 1]) });
  return { forget: rows(unlearned), retain: rows(unlearned.map((v) => 1 - v)) };
};
const snap = (step: number): GridSnapshot => ({ step, forget: new Uint8Array([step]), retain: new Uint8Array([step]) });

describe('grid history', () => {
  it('rebuilds a past grid: the fixed columns of the run, the unlearned column of the snapshot (to a byte)', () => {
    const past = snapshotOf(grid([0.2, 0.8]), 10);
    const rebuilt = gridAt(grid([0.9, 0.1]), past);
    expect(past.step).toBe(10);
    expect([...rebuilt.forget.unlearned.pixels].map((v) => Math.round(v * 100))).toEqual([20, 80]);
    expect([...rebuilt.retain.unlearned.pixels].map((v) => Math.round(v * 100))).toEqual([80, 20]);
    expect([...rebuilt.forget.original.pixels]).toEqual([0.5, 0.5]);
  });

  it('clips values outside [0, 1] rather than wrapping them', () => {
    expect([...snapshotOf(grid([-0.5, 1.5]), 0).forget]).toEqual([0, 255]);
  });

  it('replaces a snapshot of the same step (the grid at the end of a run repeats its last step)', () => {
    const history = appendSnapshot([snap(0), snap(5)], { ...snap(5), forget: new Uint8Array([99]) });
    expect(history.map((s) => s.step)).toEqual([0, 5]);
    expect(history[1].forget[0]).toBe(99);
  });

  it('thins to the limit, keeping the first and the latest and spanning the run', () => {
    let history: GridSnapshot[] = [];
    for (let step = 0; step <= 100; step++) history = appendSnapshot(history, snap(step), 10);
    expect(history.length).toBeLessThanOrEqual(10);
    expect(history[0].step).toBe(0);
    expect(history.at(-1)!.step).toBe(100);
    const steps = history.map((s) => s.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    // Evenly spread: 10 snapshots over 100 steps leave no gap much over 100 / 9.
    expect(Math.max(...steps.slice(1).map((s, i) => s - steps[i]))).toBeLessThanOrEqual(16);
  });
});

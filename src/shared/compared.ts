/** The comparison's labels beyond the method ids, and its sweep, as plain data for the core, the CLI and the UI. */

/** The paper's method stopped once its forget quality reaches the retrained reference's (see calibration). */
export const CALIBRATED = 'paper-calibrated';
/** The paper's method at one point of a sweep over α and steps. */
export type SweepLabel = `sweep α=${number}, ${number} steps`;

export const sweepLabel = (alpha: number, steps: number): SweepLabel => `sweep α=${alpha}, ${steps} steps`;

/** Values to sweep: the paper's method runs once per α and step count (each list defaults to the settings' value). */
export interface SweepPlan {
  alpha?: number[];
  steps?: number[];
}

/** A point of a sweep, with the settings that made it (to load back into the studio). */
export interface SweepPoint {
  method: SweepLabel;
  alpha: number;
  steps: number;
}

/** "0.05, 0.1,0.25" as numbers; refused, naming `what`, when an entry is not a number. */
export function parseNumberList(text: string, what: string): number[] {
  const entries = text.split(',').map((t) => t.trim()).filter(Boolean);
  const values = entries.map(Number);
  const bad = entries.filter((_, i) => !Number.isFinite(values[i]));
  if (bad.length) throw new Error(`the ${what} list holds ${bad.map((b) => `"${b}"`).join(', ')}, not numbers: give them as 0.05, 0.1, 0.25`);
  return values;
}

/** `alpha=0.05,0.1;steps=250,500` (the CLI's --sweep) as a plan. */
export function parseSweep(text: string): SweepPlan {
  const plan: SweepPlan = {};
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [key, values = ''] = part.split('=');
    if (key !== 'alpha' && key !== 'steps') throw new Error(`--sweep takes alpha=… and steps=… (e.g. alpha=0.05,0.1,0.25;steps=250,500), not "${part}"`);
    plan[key] = parseNumberList(values, key);
  }
  return plan;
}

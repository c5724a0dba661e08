/** Calibrated unlearning's plain data (targets, measurements, what a run asks for): shared by the core, the worker protocol and the UI. */

export interface CalibrationTarget {
  /** Forget-set hole PSNR (dB) at which the run stops. */
  forgetPsnr: number;
  /** Where the number comes from, in words (shown with the result). */
  source: string;
}

/** One in-run measurement on the calibration slice. */
export interface CalibrationPoint {
  step: number;
  forgetPsnr: number;
  retainPsnr: number;
}

export type CalibrationStopReason = 'target reached' | 'step budget';

/**
 * What a calibrated run stops at: the retrained reference's forget quality (shipped, or trained in
 * this session's comparison), a PSNR the user sets, or an estimate of how well the model would
 * inpaint a class it never saw (see the worker's calibration target).
 */
export type CalibrationGoal = { kind: 'retrained' } | { kind: 'psnr'; forgetPsnr: number } | { kind: 'unseen-class' };
export type CalibrationGoalKind = CalibrationGoal['kind'];

/** "Stop at target" for one run: the goal and the steps between measurements. */
export interface CalibrationRequest {
  goal: CalibrationGoal;
  every: number;
}

/** What a calibrated run has said so far: its target and start, its measurements, and why its steps ended. */
export interface RunCalibration {
  request: CalibrationRequest;
  target?: CalibrationTarget;
  /** The original's quality on the calibration slice. */
  original?: Omit<CalibrationPoint, 'step'>;
  curve: CalibrationPoint[];
  /** Set when the steps ended by themselves; a run the user stopped has none. */
  end?: { step: number; reason: CalibrationStopReason };
}

/** Images per set in the calibration slice: enough for a PSNR steady to a few tenths of a dB, few enough to cost little. */
export const CALIBRATION_IMAGES = 100;
/** Steps between measurements by default. */
export const DEFAULT_CALIBRATION_EVERY = 25;

export function validateCalibration({ goal, every }: CalibrationRequest): void {
  if (!Number.isInteger(every) || every < 1) throw new Error(`the calibration interval must be a whole number of steps ≥ 1, not ${every}`);
  if (goal.kind === 'psnr' && !(Number.isFinite(goal.forgetPsnr) && goal.forgetPsnr > 0)) throw new Error(`the target forget PSNR must be a positive number of dB, not ${goal.forgetPsnr}`);
}

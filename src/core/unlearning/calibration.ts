import { subset, type ImageSet } from '../data/image-set';

/**
 * Calibrated unlearning: the paper's method overshoots exact unlearning (a model retrained without
 * the forget set still inpaints it fairly well; the unlearned one outputs noise, and that itself
 * reveals membership). A calibrated run measures forget quality every few steps on a small held-out
 * slice and stops once it has fallen to a target: the retrained reference's quality on the same
 * slice, or a level the user sets.
 */
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

export type StopReason = 'target reached' | 'step budget';

/** Images per set in the calibration slice: enough for a PSNR steady to a few tenths of a dB, few enough to cost little. */
export const CALIBRATION_IMAGES = 100;
/** Steps between measurements by default. */
export const DEFAULT_CALIBRATION_EVERY = 25;
/**
 * The most of a run's time measuring may take: where a measurement costs more than this share of
 * `every` steps (MAGE decodes each image in several passes), the run measures less often.
 */
export const MAX_MEASURING_SHARE = 0.1;

/** What the last measurement and the run's steps cost, for spacing the measurements. */
export interface MeasuringCost {
  measureMs: number;
  msPerStep: number;
}

/**
 * The slice a calibrated run measures on: the last `count` held-out images of a set, so it stays
 * apart from the first images, which the final metrics use. `disjointFrom` says how many leading
 * images those metrics take; a set too small to keep both apart is refused.
 */
export function calibrationSlice(heldOut: ImageSet, count: number, disjointFrom: number): ImageSet {
  const spare = heldOut.count - disjointFrom;
  if (spare < 1) throw new Error(`no held-out images left for calibration: the set has ${heldOut.count}, the metrics use ${disjointFrom}`);
  const size = Math.min(count, spare);
  return subset(heldOut, Array.from({ length: size }, (_, i) => heldOut.count - size + i));
}

/**
 * Decides when a calibrated run measures and when it stops. Forget PSNR falls as the model
 * forgets, so the run stops at the first measurement at or below the target. It measures every
 * `every` steps (less often where measuring would pass MAX_MEASURING_SHARE of the run), and sooner
 * when the last two measurements, extended in a straight line, cross the target before then: one
 * extra measurement near the crossing keeps the overshoot to a few steps' drop instead of a whole
 * interval's.
 */
export class StopAtTarget {
  private readonly points: CalibrationPoint[] = [];
  private next: number;

  constructor(readonly target: CalibrationTarget, readonly every: number = DEFAULT_CALIBRATION_EVERY) {
    if (!Number.isInteger(every) || every < 1) throw new Error(`the calibration interval must be a whole number of steps ≥ 1, not ${every}`);
    if (!Number.isFinite(target.forgetPsnr)) throw new Error(`the target forget PSNR must be a number, not ${target.forgetPsnr}`);
    this.next = every;
  }

  /** Whether the run measures after this step. */
  measuresAfter(step: number): boolean {
    return step >= this.next;
  }

  /** Records a measurement (with what it cost, to space the next); true once the forget set has reached the target. */
  observe(point: CalibrationPoint, cost?: MeasuringCost): boolean {
    this.points.push(point);
    const affordable = cost && cost.msPerStep > 0 ? Math.ceil(cost.measureMs / (MAX_MEASURING_SHARE * cost.msPerStep)) : 0;
    this.next = point.step + Math.max(this.every, affordable);
    const previous = this.points[this.points.length - 2];
    if (previous && !this.reached) {
      const slope = (point.forgetPsnr - previous.forgetPsnr) / (point.step - previous.step);
      if (slope < 0) {
        const crossing = Math.ceil(point.step + (this.target.forgetPsnr - point.forgetPsnr) / slope);
        this.next = Math.max(point.step + 1, Math.min(this.next, crossing));
      }
    }
    return this.reached;
  }

  /** Whether the latest measurement is at or below the target. */
  get reached(): boolean {
    const last = this.points[this.points.length - 1];
    return last !== undefined && last.forgetPsnr <= this.target.forgetPsnr;
  }

  /** Why a run that ended did: the target, or else its step budget. */
  get reason(): StopReason {
    return this.reached ? 'target reached' : 'step budget';
  }

  get curve(): readonly CalibrationPoint[] {
    return this.points;
  }
}

/**
 * Takes a calibrated run's measurements where its rule says, timing each against the training
 * between them (the rule spaces measurements by cost). Step 0, the original, is always measured.
 */
export class CalibrationMeter {
  private readonly started = performance.now();
  /** Time spent measuring so far: the run's cost of calibration. */
  measuringMs = 0;

  constructor(
    readonly rule: StopAtTarget,
    private readonly measure: () => Promise<Omit<CalibrationPoint, 'step'>>,
    private readonly onMeasured: (point: CalibrationPoint) => void = () => {},
  ) {}

  /** Call after each step (and once before the first, with 0); true once the target is reached. */
  async afterStep(step: number): Promise<boolean> {
    if (step > 0 && !this.rule.measuresAfter(step)) return false;
    const began = performance.now();
    const msPerStep = step ? (began - this.started - this.measuringMs) / step : 0;
    const point = { step, ...(await this.measure()) };
    const measureMs = performance.now() - began;
    this.measuringMs += measureMs;
    this.onMeasured(point);
    return this.rule.observe(point, { measureMs, msPerStep });
  }
}

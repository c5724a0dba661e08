/**
 * Calibrated unlearning: the paper's method overshoots exact unlearning (a model retrained without
 * the forget set still inpaints it fairly well; the unlearned one outputs noise, and that itself
 * reveals membership). A calibrated run measures forget quality every few steps on a small held-out
 * slice and stops once it has fallen to a target: the retrained reference's quality on the same
 * slice, or a level the user sets.
 */
import { filterByLabel, subset, type ImageSet } from '../data/image-set';
import type { I2IModel } from '../models/types';
import type { UnlearningRun } from './run';
import { CALIBRATION_IMAGES, DEFAULT_CALIBRATION_EVERY, type CalibrationPoint, type CalibrationStopReason, type CalibrationTarget } from '../../shared/calibration';

export { CALIBRATION_IMAGES, DEFAULT_CALIBRATION_EVERY, type CalibrationPoint, type CalibrationStopReason, type CalibrationTarget };

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
  get reason(): CalibrationStopReason {
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

  /** Records a measurement taken elsewhere (the original's, as step 0): the rule sees it as its own. */
  known(point: CalibrationPoint): boolean {
    this.onMeasured(point);
    return this.rule.observe(point);
  }

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

/** The retrained reference's forget quality on the run's own calibration slice: what exact unlearning gets. */
export async function retrainedTarget(run: UnlearningRun, retrained: I2IModel): Promise<CalibrationTarget> {
  const { forgetPsnr } = await run.calibrationQuality(retrained);
  return { forgetPsnr, source: `${retrained.card.id}, the model retrained without the forget set, on the same held-out images` };
}

/**
 * "As good as on a class the model never saw", estimated from a model of the same family retrained
 * without other classes: on held-out images of those classes it inpaints `drop` dB worse than the
 * original, which did see them. The run's target is its original's forget PSNR less that drop. For
 * forget sets that are themselves classes the reference left out, this is the retrained target.
 */
export async function unseenClassTarget(run: UnlearningRun, reference: { model: I2IModel; classes: number[] }, heldOut: ImageSet): Promise<CalibrationTarget> {
  const unseen = calibrationSlice(filterByLabel(heldOut, (label) => reference.classes.includes(label)), CALIBRATION_IMAGES, 0);
  const drop = (await run.holePsnr(unseen, run.model, run.unlearner.original)) - (await run.holePsnr(unseen, reference.model));
  const start = (await run.originalCalibrationQuality()).forgetPsnr;
  const classes = reference.classes.join(', ');
  return {
    forgetPsnr: start - drop,
    source: `estimated: the original's ${start.toFixed(2)} dB on the forget set less the ${drop.toFixed(2)} dB that ${reference.model.card.id}, retrained without ${classes}, loses against the original on held-out images of ${classes}, which it never saw`,
  };
}

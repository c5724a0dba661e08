import { filterByLabel, take, type ImageSet } from '../data/image-set';
import type { Classifier } from '../models/classifier';
import type { I2IModel } from '../models/types';
import type { MethodId } from '../../shared/methods';
import { CALIBRATED, sweepLabel, type SweepLabel, type SweepPlan, type SweepPoint } from '../../shared/compared';
import { validateSettings, withCalibratedRecipe, type UnlearnSettings } from '../../shared/settings';
import { retrainingSet } from '../training/retrain';
import { Unlearner } from '../unlearning/unlearner';
import { resolveTask, type TaskSpec } from '../../shared/tasks';
import { CALIBRATION_IMAGES, CalibrationMeter, StopAtTarget, calibrationSlice, type CalibrationPoint, type CalibrationStopReason } from '../unlearning/calibration';
import { holeQuality } from './reconstruction';
import { membershipAudit } from './membership';
import { outputMetrics, type OutputMetrics } from './output-metrics';
import { embedImages, embedOutputs, projectModels, projectionSets, type ModelProjection, type OutputEmbeddings } from './projection';

/**
 * The sets every method is judged on:
 * - `forget`: the forget set itself (training images of the forget classes, which the original learned);
 * - `forget-unseen`: held-out images of the forget classes, which no model saw;
 * - `retain`: held-out images of the retain classes.
 */
export const EVALUATION_SETS = ['forget', 'forget-unseen', 'retain'] as const;
export type EvaluationSet = (typeof EVALUATION_SETS)[number];

/** The two references beside the methods: no unlearning at all, and exact unlearning. */
export type Reference = 'original' | 'retrained';
export { CALIBRATED, sweepLabel, type SweepLabel, type SweepPlan, type SweepPoint };
export type Compared = MethodId | Reference | typeof CALIBRATED | SweepLabel;

/** The points `plan` asks for, in order; refused when a value is not a setting the method accepts. */
export function sweepPoints(plan: SweepPlan, settings: UnlearnSettings): SweepPoint[] {
  const alphas = plan.alpha?.length ? plan.alpha : [settings.alpha];
  const stepCounts = plan.steps?.length ? plan.steps : [settings.steps];
  const points = alphas.flatMap((alpha) => stepCounts.map((steps) => ({ method: sweepLabel(alpha, steps), alpha, steps })));
  for (const point of points) validateSettings({ ...settings, alpha: point.alpha, steps: point.steps });
  return points;
}

export interface EvaluationRow extends Omit<OutputMetrics, 'images'> {
  method: Compared;
  set: EvaluationSet;
  images: number;
}

export interface AuditRow {
  method: Compared;
  /** Membership-inference AUC, forget-set images vs never-seen images of the forget classes. */
  auc: number;
  memberLosses: number[];
  nonMemberLosses: number[];
}

export interface MethodCost {
  method: Compared;
  seconds: number;
}

export interface EvaluationData {
  train: ImageSet;
  test: ImageSet;
}

export function evaluationSets(data: EvaluationData, forgetClasses: number[], images: number): Record<EvaluationSet, ImageSet> {
  const forgets = (label: number) => forgetClasses.includes(label);
  return {
    forget: take(filterByLabel(data.train, forgets), images),
    'forget-unseen': take(filterByLabel(data.test, forgets), images),
    retain: take(filterByLabel(data.test, (label) => !forgets(label)), images),
  };
}

/**
 * The held-out images a calibrated run measures on: the last of each held-out set, apart from the
 * first `images`, which the judged sets `forget-unseen` and `retain` take.
 */
function calibrationSets(data: EvaluationData, forgetClasses: number[], images: number): { forget: ImageSet; retain: ImageSet } {
  const forgets = (label: number) => forgetClasses.includes(label);
  return {
    forget: calibrationSlice(filterByLabel(data.test, forgets), CALIBRATION_IMAGES, images),
    retain: calibrationSlice(filterByLabel(data.test, (label) => !forgets(label)), CALIBRATION_IMAGES, images),
  };
}

async function judge(
  method: Compared,
  model: I2IModel,
  task: TaskSpec,
  sets: Record<EvaluationSet, ImageSet>,
  classifier: Classifier,
): Promise<{ rows: EvaluationRow[]; audit: AuditRow }> {
  const rows: EvaluationRow[] = [];
  for (const set of EVALUATION_SETS) rows.push({ method, set, ...(await outputMetrics(model, task, sets[set], classifier)) });
  const audit = await membershipAudit(model, task, sets.forget, sets['forget-unseen']);
  return { rows, audit: { method, auc: audit.auc, memberLosses: Array.from(audit.memberLosses), nonMemberLosses: Array.from(audit.nonMemberLosses) } };
}

export interface ComparisonPlan {
  forgetClasses: number[];
  /** The retain term's classes when they are a proxy (default: every class not forgotten); metrics still cover every class not forgotten. */
  retainClasses?: number[];
  methods: MethodId[];
  /** Shared by every method; `method` is replaced per run. */
  settings: UnlearnSettings;
  evalImages: number;
  /**
   * Also run the paper's method stopped at the retrained reference's forget quality, measured every
   * `every` steps on held-out forget and retain images apart from the judged ones; needs the reference.
   */
  calibrate?: { every: number };
  /** Also run the paper's method at each point of this sweep (the trade-off between forgetting and keeping). */
  sweep?: SweepPlan;
  /** Also place every model's outputs and the truths in one 2-D UMAP (the paper's figure); off by default: it costs time the CLI need not spend. */
  projection?: boolean;
}

/** Where a comparison is: judging a model, step `step` of `steps` of a method's unlearning, or of retraining the reference. */
export interface ComparisonProgress {
  method: Compared;
  stage: 'judging' | 'unlearning' | 'retraining';
  step: number;
  steps: number;
}

/** How the calibrated run went: its target, its quality against the step and why it stopped. */
export interface CalibrationRecord {
  target: number;
  every: number;
  alpha: number;
  learningRate: number;
  curve: CalibrationPoint[];
  stoppedAt: number;
  reason: CalibrationStopReason;
}

export interface Comparison {
  calibration?: CalibrationRecord;
  /** With `plan.sweep`: its points, whose rows are labelled by `method`. */
  sweep?: SweepPoint[];
  rows: EvaluationRow[];
  audit: AuditRow[];
  costs: MethodCost[];
  /** With `plan.projection`: one scatter per model, in the order judged. */
  projection?: ModelProjection<Compared>[];
}

/**
 * Runs every method from the same original model and judges it, next to the original and the
 * retrained reference. Each method's run is undone before the next (Unlearner.dispose restores).
 * `onStep` is awaited before every judging and after every unlearning step: it may yield to let a
 * caller cancel by throwing, and the original is restored even then.
 */
export async function compareMethods(
  original: I2IModel,
  /** Absent when no retrained model exists for these classes: its rows are then left out. */
  retrained: { model: I2IModel; seconds: number } | undefined,
  data: EvaluationData,
  classifier: Classifier,
  plan: ComparisonPlan,
  onProgress: (line: string) => void = () => {},
  onStep: (progress: ComparisonProgress) => void | Promise<void> = () => {},
): Promise<Comparison> {
  const task = resolveTask(original.card, plan.settings.task);
  // Checked before anything runs: a bad sweep value should not cost the user every other model first.
  const sweep = plan.sweep && sweepPoints(plan.sweep, plan.settings);
  if (retrained) resolveTask(retrained.model.card, plan.settings.task);
  const sets = evaluationSets(data, plan.forgetClasses, plan.evalImages);
  const forgetTrain = filterByLabel(data.train, (l) => plan.forgetClasses.includes(l));
  const retainTrain = plan.retainClasses
    ? filterByLabel(data.train, (l) => plan.retainClasses!.includes(l) && !plan.forgetClasses.includes(l))
    : retrainingSet(data.train, plan.forgetClasses);
  const comparison: Comparison = { rows: [], audit: [], costs: retrained ? [{ method: 'retrained', seconds: retrained.seconds }] : [] };
  const add = (judged: { rows: EvaluationRow[]; audit: AuditRow }) => {
    comparison.rows.push(...judged.rows);
    comparison.audit.push(judged.audit);
  };
  const projected = plan.projection ? projectionSets(sets.forget, sets.retain) : undefined;
  const outputs: OutputEmbeddings<Compared>[] = [];
  // Outputs are embedded while each model exists: a method's unlearned weights are gone once its run is undone.
  const collect = async (method: Compared, model: I2IModel) => {
    if (projected) {
      outputs.push({ method, forget: await embedOutputs(classifier, model, task, projected.forget), retain: await embedOutputs(classifier, model, task, projected.retain) });
    }
  };
  const judging = (method: Compared) => onStep({ method, stage: 'judging', step: 0, steps: plan.settings.steps });
  await judging('original');
  add(await judge('original', original, task, sets, classifier));
  await collect('original', original);
  if (retrained) {
    await judging('retrained');
    add(await judge('retrained', retrained.model, task, sets, classifier));
    await collect('retrained', retrained.model);
  }
  /**
   * Unlearns from the original with `method` (and `overrides` of the plan's settings), until done
   * or `stop` says so, judges the result and undoes it; returns the steps run.
   */
  const unlearnAndJudge = async (method: MethodId, label: Compared, stop?: (unlearner: Unlearner) => Promise<boolean>, overrides: Partial<UnlearnSettings> = {}) => {
    const started = performance.now();
    // The cost is the unlearning alone: time spent in onStep (yielding to the caller) is not the method's.
    let waited = 0;
    const settings = { ...plan.settings, ...overrides, method };
    const unlearner = new Unlearner(original, forgetTrain, retainTrain, settings);
    try {
      while (!unlearner.done) {
        await unlearner.step();
        const paused = performance.now();
        await onStep({ method: label, stage: 'unlearning', step: unlearner.completedSteps, steps: settings.steps });
        waited += performance.now() - paused;
        if (await stop?.(unlearner)) break;
      }
      const seconds = (performance.now() - started - waited) / 1000;
      comparison.costs.push({ method: label, seconds });
      onProgress(`${label}: ${unlearner.completedSteps} steps in ${seconds.toFixed(0)} s`);
      await judging(label);
      add(await judge(label, original, task, sets, classifier));
      await collect(label, original);
      return unlearner.completedSteps;
    } finally {
      unlearner.dispose();
    }
  };
  for (const method of plan.methods) await unlearnAndJudge(method, method);
  if (plan.calibrate && retrained) {
    const slice = calibrationSets(data, plan.forgetClasses, plan.evalImages);
    const quality = async (model: I2IModel): Promise<Omit<CalibrationPoint, 'step'>> => ({
      forgetPsnr: (await holeQuality(model, task, slice.forget)).psnr,
      retainPsnr: (await holeQuality(model, task, slice.retain)).psnr,
    });
    const target = (await quality(retrained.model)).forgetPsnr;
    const rule = new StopAtTarget({ forgetPsnr: target, source: 'the retrained reference on the calibration slice' }, plan.calibrate.every);
    const meter = new CalibrationMeter(rule, () => quality(original));
    await meter.afterStep(0);
    // With the recipe's calibrated α and learning rate, as a calibrated run in the studio or the CLI.
    const { alpha, learningRate } = withCalibratedRecipe(plan.settings, original.card.recipe, true);
    const stoppedAt = await unlearnAndJudge('paper', CALIBRATED, async (unlearner) => !unlearner.done && meter.afterStep(unlearner.completedSteps), { alpha, learningRate });
    comparison.calibration = { target, every: plan.calibrate.every, alpha, learningRate, curve: [...rule.curve], stoppedAt, reason: rule.reason };
  }
  if (sweep) {
    for (const point of sweep) await unlearnAndJudge('paper', point.method, undefined, { alpha: point.alpha, steps: point.steps });
    comparison.sweep = sweep;
  }
  if (projected) {
    const truths = { forget: await embedImages(classifier, projected.forget), retain: await embedImages(classifier, projected.retain) };
    comparison.projection = projectModels(truths, outputs, classifier.card.config.embedding, plan.settings.seed);
  }
  return comparison;
}

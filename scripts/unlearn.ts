/**
 * Headless unlearning on the same core as the studio (same data files, same defaults):
 *   npm run unlearn -- --model mnist-inpaint-ae --forget 7 --json out.json [--method ID --task ID --steps N --alpha A --lr LR --batch B
 *     --warmup F --schedule warmup-cosine|constant --beta2 B --weight-decay W --clip C]  (unset: the model card's recipe)
 *     [--sampler ddim|ancestral] [--sample-steps N]  (a diffusion model's sampler and its network
 *     evaluations; unset or 0: the card's; the official evaluation is ancestral over all T steps)
 * A diffusion model's JSON also has `noiseLevels`: per bucket of timesteps, L_F, L_R and the one-step
 * ε error on `--diagnostic-images` held-out forget and retain images, original and unlearned.
 * `--target retrained` (the model trained without the forget classes, public/models/<model>-without-<classes>)
 * or `--target-psnr X` stops the run once the forget set's hole PSNR, measured every `--calibrate-every`
 * steps on held-out images apart from the metrics' ones, has fallen to the target; the JSON then has
 * `calibration` (target, quality against the step, the step and reason it stopped, seconds spent measuring).
 * `--task` is one of the model's tasks (centre-25, centre-50, outpaint, patches); by default its first.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { splitByClass } from '../src/core/data/splits';
import type { OutputMetrics } from '../src/core/evaluation/output-metrics';
import { loadClassifier } from '../src/core/models/classifier';
import { loadModel } from '../src/core/models/families';
import { TASK_LABELS, taskId } from '../src/shared/tasks';
import { UnlearningRun } from '../src/core/unlearning/run';
import { CalibrationMeter, DEFAULT_CALIBRATION_EVERY, StopAtTarget, retrainedTarget, type CalibrationTarget } from '../src/core/unlearning/calibration';
import { DEFAULT_RUN_OPTIONS, DEFAULT_UNLEARN, DIFFUSION_SAMPLERS, cardSampling, type DiffusionSampler, type MethodId } from '../src/shared/settings';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderReader, parseOptions, loadStudioDataset } from './node/files';
import { SETTING_FLAGS, settingsFor } from './node/recipe';

const options = parseOptions(process.argv.slice(2), {
  model: 'mnist-inpaint-ae',
  forget: '7',
  retain: '',
  method: DEFAULT_UNLEARN.method as string,
  ...SETTING_FLAGS,
  evalImages: DEFAULT_RUN_OPTIONS.evalImages,
  sampleSteps: 0,
  sampler: '',
  diagnosticImages: 100,
  target: '',
  targetPsnr: NaN,
  calibrateEvery: DEFAULT_CALIBRATION_EVERY,
  backend: 'wasm',
  json: '',
  quiet: false,
});

if (!Number.isInteger(options.sampleSteps) || options.sampleSteps < 0) throw new Error('--sample-steps must be a whole number ≥ 0');
if (options.sampler && !(DIFFUSION_SAMPLERS as readonly string[]).includes(options.sampler)) throw new Error(`--sampler must be one of ${DIFFUSION_SAMPLERS.join(', ')}`);
const classList = (text: string) => (text ? text.split(',').map((c) => Number(c.trim())) : undefined);
const backend = await useNodeBackend(options.backend as NodeBackend);
const model = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
const data = await loadStudioDataset(model.card.dataset);
const split = splitByClass(data.train, data.test, classList(options.forget)!, classList(options.retain));
// The model's recipe (its calibrated values for a run that stops at a target), then the flags given; checked with the other settings when the run starts.
const calibrated = Boolean(options.target) || !Number.isNaN(options.targetPsnr);
const settings = settingsFor(model.card, options, options.method as MethodId, calibrated);
const run = new UnlearningRun(model, split, settings, { ...DEFAULT_RUN_OPTIONS, evalImages: options.evalImages, sampleSteps: options.sampleSteps || undefined, sampler: (options.sampler || undefined) as DiffusionSampler | undefined });
const log = (line: string) => options.quiet || console.log(line);
log(`unlearning ${options.model} with ${settings.method} on ${backend}, task: ${TASK_LABELS[taskId(run.unlearner.task)!] ?? JSON.stringify(run.unlearner.task)}; forget ${options.forget}, ${settings.steps} steps, α ${settings.alpha}, lr ${settings.learningRate}, batch ${settings.batchSize}`);


/**
 * The forget quality a calibrated run stops at, measured on the same held-out slice as the run's own
 * measurements; with `--target retrained`, also the reference's PSNR on the metrics' own images,
 * to judge the calibration by.
 */
async function calibrationTarget(): Promise<{ target: CalibrationTarget; retrainedPsnr?: { forget: number; retain: number } } | undefined> {
  if (options.target && options.target !== 'retrained') throw new Error(`--target is "retrained" (or use --target-psnr X), not "${options.target}"`);
  if (options.target && !Number.isNaN(options.targetPsnr)) throw new Error('give --target retrained or --target-psnr, not both');
  if (!Number.isNaN(options.targetPsnr)) return { target: { forgetPsnr: options.targetPsnr, source: 'set with --target-psnr' } };
  if (!options.target) return undefined;
  const id = `${options.model}-without-${options.forget.split(',').join('-')}`;
  const retrained = await loadModel(folderReader(join(PUBLIC_MODELS, id))).catch(() => {
    throw new Error(`--target retrained needs public/models/${id}: train it with npm run pretrain -- --exclude ${options.forget} (see README)`);
  });
  const target = await retrainedTarget(run, retrained);
  const { forget, retain } = await run.heldOutQuality(retrained);
  retrained.dispose();
  return { target, retrainedPsnr: { forget: forget.psnr, retain: retain.psnr } };
}
const calibration = await calibrationTarget();
const meter =
  calibration &&
  new CalibrationMeter(new StopAtTarget(calibration.target, options.calibrateEvery), () => run.calibrationQuality(), (p) =>
    log(`step ${p.step}  calibration: forget ${p.forgetPsnr.toFixed(2)} dB (target ${calibration.target.forgetPsnr.toFixed(2)}), retain ${p.retainPsnr.toFixed(2)} dB`),
  );
const curve = [];
const started = performance.now();
await meter?.afterStep(0);
while (!run.unlearner.done) {
  const r = await run.unlearner.step();
  curve.push({ step: r.step, retainLoss: r.retainLoss, weightedForgetLoss: r.weightedForgetLoss, total: r.total, learningRate: r.learningRate });
  if (r.step % 100 === 0 || r.step === settings.steps) {
    log(`step ${r.step}  L_R ${r.retainLoss.toExponential(3)}  αL_F ${r.weightedForgetLoss.toExponential(3)}  ${r.ms.toFixed(0)} ms  tensors ${tf.memory().numTensors}`);
  }
  if (meter && !run.unlearner.done && (await meter.afterStep(r.step))) break;
}
const seconds = (performance.now() - started) / 1000;
// FID, IS and cosine live in the features of the dataset's own classifier (no Inception/CLIP weights ship).
const classifier = await loadClassifier(folderReader(join(PUBLIC_MODELS, `${model.card.dataset}-classifier`)));
const metrics = await run.outputMetrics(classifier);
// The original's frozen parts are judged beside the unlearned model, as the studio does.
const noiseLevels = await run.noiseLevels(options.diagnosticImages);
const pick = ({ psnr, mse, fid, is, cosine, ssim }: OutputMetrics) => ({ psnr, mse, fid, is, cosine, ssim });
const cardSampled = cardSampling(model.card.architecture);
const result = {
  model: options.model,
  method: settings.method,
  task: run.unlearner.task,
  backend,
  settings,
  ...(cardSampled ? { sampling: { sampler: options.sampler || cardSampled.sampler, sampleSteps: options.sampleSteps || cardSampled.sampleSteps } } : {}),
  forgetClasses: classList(options.forget),
  counts: { forgetTrain: split.forgetTrain.count, retainTrain: split.retainTrain.count, evalImagesPerSet: metrics.forget.original.images },
  seconds,
  steps: run.unlearner.completedSteps,
  msPerStep: (seconds * 1000 - (meter?.measuringMs ?? 0)) / run.unlearner.completedSteps,
  forget: { original: pick(metrics.forget.original), unlearned: pick(metrics.forget.unlearned) },
  retain: { original: pick(metrics.retain.original), unlearned: pick(metrics.retain.unlearned) },
  ...(noiseLevels ? { noiseLevels } : {}),
  ...(meter
    ? {
        calibration: {
          ...calibration,
          every: meter.rule.every,
          curve: meter.rule.curve,
          stoppedAt: run.unlearner.completedSteps,
          reason: meter.rule.reason,
          measuringSeconds: meter.measuringMs / 1000,
          measuringShare: meter.measuringMs / 1000 / seconds,
        },
      }
    : {}),
  curve,
};
const delta = (s: 'forget' | 'retain') => (result[s].unlearned.psnr - result[s].original.psnr).toFixed(2);
log(`forget PSNR ${result.forget.original.psnr.toFixed(2)} -> ${result.forget.unlearned.psnr.toFixed(2)} dB (${delta('forget')})`);
log(`retain PSNR ${result.retain.original.psnr.toFixed(2)} -> ${result.retain.unlearned.psnr.toFixed(2)} dB (${delta('retain')})`);
for (const set of ['forget', 'retain'] as const) log(`${set} FID ${result[set].original.fid.toFixed(2)} -> ${result[set].unlearned.fid.toFixed(2)} (classifier features)`);
const retrainedPsnr = calibration?.retrainedPsnr;
if (retrainedPsnr) log(`retrained reference on the same images: forget ${retrainedPsnr.forget.toFixed(2)} dB, retain ${retrainedPsnr.retain.toFixed(2)} dB`);
if (meter) log(`stopped at step ${run.unlearner.completedSteps} of ${settings.steps}: ${meter.rule.reason}; measuring took ${((100 * meter.measuringMs) / 1000 / seconds).toFixed(1)}% of the run`);
if (options.json) await writeFile(options.json, JSON.stringify(result, null, 2) + '\n');
run.dispose();

/**
 * A small-scale reproduction of the paper's main table: every method unlearns the same forget
 * classes from the same original model and is judged, with the original and a model retrained
 * from scratch without the forget classes, on FID / IS / cosine (domain-classifier features),
 * hole PSNR / SSIM, and a membership-inference audit.
 *   npm run evaluate -- --model mnist-inpaint-ae --forget 7 --methods all --json FILE --md FILE [--proxy-retain 0,1,2] [--task ID]
 *     [--calibrate-every 25]  (the paper's method stopped at the retrained model's forget quality, a row of its own; 0: off)
 *     [--sweep alpha=0.05,0.1,0.25,0.5,1[;steps=250,500]]  (the paper's method at each point: the trade-off
 *       between forget and retain quality, one row per point, listed with its settings in the JSON's `sweep`)
 * One comparison split across processes (`--methods` apart, `--calibrate-every 0` in all but one):
 *   npm run evaluate -- --join A.json,B.json --json FILE --md FILE
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareMethods } from '../src/core/evaluation/compare-methods';
import { auditHistograms } from '../src/core/evaluation/membership';
import { loadClassifier } from '../src/core/models/classifier';
import { loadModel, saveModel } from '../src/core/models/families';
import { readCard } from '../src/core/models/io';
import type { I2IModel, ModelCard } from '../src/core/models/types';
import { retrainWithout } from '../src/core/training/retrain';
import { METHOD_IDS, type MethodId } from '../src/shared/methods';
import { DEFAULT_CALIBRATION_EVERY } from '../src/core/unlearning/calibration';
import { parseSweep } from '../src/shared/compared';
import { cardSampling } from '../src/shared/settings';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { PUBLIC_MODELS, exists, folderReader, folderWriter, parseOptions, loadStudioDataset } from './node/files';
import { SETTING_FLAGS, settingsFor } from './node/recipe';
import { loadDataset } from './node/datasets';
import { evaluationMarkdown, joinEvaluations, type EvaluationResult } from './node/evaluation-result';

const options = parseOptions(process.argv.slice(2), {
  model: 'mnist-inpaint-ae',
  forget: '7',
  proxyRetain: '',
  methods: 'all',
  ...SETTING_FLAGS,
  evalImages: 500,
  retrainSteps: 0,
  /** Steps between the calibrated run's measurements; 0 leaves the calibrated row out. */
  calibrateEvery: DEFAULT_CALIBRATION_EVERY,
  sweep: '',
  classifier: '',
  backend: 'wasm',
  json: '',
  md: '',
  join: '',
});

const forgetClasses = options.forget.split(',').map(Number);
const methods = (options.methods === 'all' ? METHOD_IDS : options.methods.split(',')) as MethodId[];
const unknown = methods.filter((m) => !METHOD_IDS.includes(m));
if (unknown.length) throw new Error(`unknown method ${unknown.join(', ')}; methods: ${METHOD_IDS.join(', ')}`);

/** Runs the comparison in this process. */
async function compare(): Promise<{ result: EvaluationResult; dataset: string }> {
  const backend = await useNodeBackend(options.backend as NodeBackend);
  const original = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
  const classifierId = options.classifier || `${original.card.dataset}-classifier`;
  const classifier = await loadClassifier(folderReader(join(PUBLIC_MODELS, classifierId)));
  const data = await loadStudioDataset(original.card.dataset);

  /**
   * The retrained reference: shipped for the default forget class (`npm run pretrain -- --exclude 7`),
   * otherwise trained here with the original's recipe on every training image of the other classes.
   */
  async function retrainedReference(): Promise<{ model: I2IModel; seconds: number }> {
    const id = `${options.model}-without-${forgetClasses.join('-')}`;
    const dir = join(PUBLIC_MODELS, id);
    if (await exists(join(dir, 'card.json'))) {
      const model = await loadModel(folderReader(dir));
      console.log(`retrained reference: public/models/${id} (trained in ${model.card.training?.seconds} s)`);
      return { model, seconds: model.card.training?.seconds ?? NaN };
    }
    console.log(`retraining ${id} from scratch (the cost unlearning must beat)…`);
    const { train } = await loadDataset(original.card.dataset);
    const retrained = await retrainWithout(original, train, forgetClasses, undefined, options.retrainSteps || undefined);
    retrained.model.card.training!.backend = backend;
    await saveModel(retrained.model, folderWriter(dir));
    return retrained;
  }

  const retrained = await retrainedReference();
  const settings = settingsFor(original.card, options);
  const comparison = await compareMethods(
    original,
    retrained,
    data,
    classifier,
    {
      forgetClasses,
      retainClasses: options.proxyRetain ? options.proxyRetain.split(',').map(Number) : undefined,
      methods,
      settings,
      evalImages: options.evalImages,
      calibrate: options.calibrateEvery ? { every: options.calibrateEvery } : undefined,
      sweep: options.sweep ? parseSweep(options.sweep) : undefined,
    },
    console.log,
  );

  const round = (x: number) => Number(x.toPrecision(5));
  const rows = comparison.rows.map((r) => ({ method: r.method, set: r.set, fid: round(r.fid), is: round(r.is), cosine: round(r.cosine), psnr: round(r.psnr), ssim: round(r.ssim), images: r.images }));
  const histograms = auditHistograms(comparison.audit);
  const audit = comparison.audit.map((a, i) => ({ method: a.method, auc: round(a.auc), histogram: histograms[i] }));
  const sampling = cardSampling(original.card.architecture);
  const result = { model: options.model, forgetClasses, proxyRetain: options.proxyRetain || undefined, settings, evalImages: options.evalImages, classifier: classifierId, sampling, rows, audit, costs: comparison.costs, calibration: comparison.calibration, sweep: comparison.sweep };
  return { result, dataset: original.card.dataset };
}

/** Joins the results of processes that each ran part of one comparison. */
async function joinParts(files: string[]): Promise<{ result: EvaluationResult; dataset: string }> {
  const result = joinEvaluations(await Promise.all(files.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as EvaluationResult)));
  const card = await readCard<ModelCard>(folderReader(join(PUBLIC_MODELS, result.model)));
  return { result, dataset: card.dataset };
}

const { result, dataset } = options.join ? await joinParts(options.join.split(',')) : await compare();
if (options.json) await writeFile(options.json, JSON.stringify(result, null, 2) + '\n');
const markdown = evaluationMarkdown(result, dataset);
if (options.md) await writeFile(options.md, markdown);
console.log(markdown);

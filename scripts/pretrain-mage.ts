/**
 * Pretrains a MAGE-family model in two stages, seeded, on a built-in dataset in Node:
 *   1. the VQ tokenizer (reconstruction + codebook + commitment losses; codes unused for a while
 *      are restarted on encoder outputs, the usual cure for codebook collapse), written as
 *      public/models/<id>/tokenizer.*;
 *   2. with that tokenizer frozen, the masked-token transformer with the shared Pretrainer (the
 *      family's taskLoss: token cross-entropy), evaluated per task and written with its card.
 *   npx tsx --import ./scripts/node/tfjs-alias.mjs scripts/pretrain-mage.ts [--id mnist-mage]
 *     [--stage both|tokenizer|transformer] [--vq-steps 1500] [--steps 2500] [--batch 32] [--exclude 7]
 * `--from ID` (stage transformer) continues a saved model's transformer for `--steps` more with
 * its own frozen tokenizer; the card then lists every stage.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { BUILT_IN_DATASETS, type BuiltInDatasetId } from '../src/core/data/builtin';
import { batchTensor, filterByLabel, take, type ImageSet } from '../src/core/data/image-set';
import { saveModel } from '../src/core/models/families';
import { MageModel, mageConfigFromCard, mageFamily } from '../src/core/models/mage';
import { ParameterPart } from '../src/core/models/parameters';
import type { ModelCard } from '../src/core/models/types';
import { createTokenizerPart, detokenize, encodeContinuous, tokenize, vqLosses, type VqConfig } from '../src/core/models/vq-tokenizer';
import { createIndexSampler, createRng } from '../src/core/random';
import { TASK_IDS, TASK_LABELS, TASKS, modelTaskIds, type TaskId } from '../src/shared/tasks';
import { DEFAULT_PRETRAIN, Pretrainer } from '../src/core/training/pretrain';
import { AdamW, DEFAULT_ADAMW, warmupCosine } from '../src/core/unlearning/optimizer';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { loadDataset } from './node/datasets';
import { PUBLIC_MODELS, folderReader, folderWriter, parseOptions } from './node/files';
import { datasetClassifier, evaluateTasks, loadForContinuing, runPretrainer, trainingRecord } from './node/pretraining';

const options = parseOptions(process.argv.slice(2), {
  id: 'mnist-mage',
  dataset: 'mnist',
  tasks: TASK_IDS.join(','),
  stage: 'both',
  vqSteps: 1500,
  vqBatch: 64,
  vqLr: 2e-3,
  /** Steps between dead-code restarts of the codebook. */
  restartEvery: 100,
  steps: 2500,
  batch: 32,
  lr: 1e-3,
  warmup: 100,
  seed: DEFAULT_PRETRAIN.seed,
  evalImages: 1000,
  backend: 'wasm',
  exclude: '',
  from: '',
});

const taskIds = options.tasks.split(',') as TaskId[];
for (const id of taskIds) if (!TASK_IDS.includes(id)) throw new Error(`unknown task "${id}"; tasks: ${TASK_IDS.join(', ')}`);
if (!['both', 'tokenizer', 'transformer'].includes(options.stage)) throw new Error('--stage is both, tokenizer or transformer');
if (options.from && options.stage !== 'transformer') throw new Error('--from continues a saved transformer: use it with --stage transformer');
const backend = await useNodeBackend(options.backend as NodeBackend);
const data = await loadDataset(options.dataset);
const excluded = options.exclude ? options.exclude.split(',').map(Number) : [];
const train = filterByLabel(data.train, (label) => !excluded.includes(label));
const heldOut = take(filterByLabel(data.test, (label) => !excluded.includes(label)), options.evalImages);
const { height, width, channels } = train;
const outDir = join(PUBLIC_MODELS, options.id);
const card: ModelCard = {
  id: options.id,
  family: 'mage',
  title: `${BUILT_IN_DATASETS[options.dataset as BuiltInDatasetId].title}, ${mageFamily.title} (${taskIds.map((id) => TASK_LABELS[id]).join('; ')})${excluded.length ? `, trained without ${excluded.join(', ')}` : ''}`,
  dataset: options.dataset,
  height,
  width,
  channels,
  tasks: taskIds.map((id) => TASKS[id]),
  recipe: mageFamily.recipe,
  architecture: { ...mageFamily.defaultArchitecture(height, width, channels), seed: options.seed },
  ...(excluded.length ? { excludedClasses: excluded } : {}),
};
const vq = mageConfigFromCard(card).tokenizer;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Whole-image PSNR of tokenize -> detokenize on held-out images, and how many codes they use. */
async function tokenizerQuality(part: ParameterPart, config: VqConfig, set: ImageSet): Promise<{ psnr: number; codesUsed: number }> {
  const used = new Set<number>();
  let squared = 0;
  for (let start = 0; start < set.count; start += 500) {
    const x = batchTensor(set, Array.from({ length: Math.min(500, set.count - start) }, (_, i) => start + i));
    const [codes, sse] = tf.tidy(() => {
      const c = tokenize(part, config, x);
      return [c, tf.sum(tf.squaredDifference(detokenize(part, config, c), x))];
    });
    (await codes.data()).forEach((c) => used.add(c));
    squared += (await sse.data())[0];
    tf.dispose([x, codes, sse]);
  }
  return { psnr: 10 * Math.log10(1 / (squared / (set.count * height * width * channels))), codesUsed: used.size };
}

async function trainTokenizer(): Promise<void> {
  const part = createTokenizerPart(vq, true);
  const optimizer = new AdamW(part.variables, { ...DEFAULT_ADAMW, weightDecay: 0, beta2: 0.999 });
  const rng = createRng(options.seed);
  const sample = createIndexSampler(train.count, rng);
  const codebook = part.get('codebook');
  const usage = new Float32Array(vq.codebookSize);
  const started = performance.now();
  console.log(`stage 1: tokenizer, ${options.vqSteps} steps of ${options.vqBatch}, ${vq.codebookSize} codes of ${vq.codeDim}`);
  let recent: number[] = [];
  let recentReconstruction: number[] = [];
  for (let step = 0; step < options.vqSteps; step++) {
    const x = batchTensor(train, sample(options.vqBatch));
    // The codebook starts on encoder outputs (and dead codes restart there), so every code is reachable.
    if (step === 0 || step % options.restartEvery === 0) {
      const dead = step === 0 ? Array.from({ length: vq.codebookSize }, (_, i) => i) : [...usage.keys()].filter((k) => usage[k] === 0);
      if (dead.length > 0) {
        const vectors = tf.tidy(() => tf.reshape(encodeContinuous(part, vq, x), [-1, vq.codeDim]));
        const picks = dead.map(() => Math.floor(rng() * vectors.shape[0]));
        const values = codebook.arraySync() as number[][];
        const z = vectors.arraySync() as number[][];
        dead.forEach((k, i) => (values[k] = z[picks[i]]));
        codebook.assign(tf.tensor2d(values));
        vectors.dispose();
        if (step > 0) console.log(`step ${step}: restarted ${dead.length} unused codes`);
      }
      usage.fill(0);
    }
    const lr = warmupCosine(step, options.vqSteps, options.warmup, options.vqLr);
    const [losses, codes] = tf.tidy(() => {
      let used: tf.Tensor | undefined;
      let reconstruction: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const terms = vqLosses(part, vq, x);
        used = tf.keep(terms.codes);
        reconstruction = tf.keep(terms.reconstruction);
        return terms.total;
      }, part.variables);
      tf.dispose(optimizer.apply(part.variables.map((v) => grads[v.name]), lr));
      const readings = tf.stack([value, reconstruction!]);
      reconstruction!.dispose();
      return [readings, used!];
    });
    (await codes.data()).forEach((c) => (usage[c] += 1));
    const [total, reconstruction] = await losses.data();
    recent.push(total);
    recentReconstruction.push(reconstruction);
    tf.dispose([x, losses, codes]);
    if ((step + 1) % 100 === 0) {
      console.log(`step ${step + 1}  loss ${mean(recent).toFixed(5)}  reconstruction BCE ${mean(recentReconstruction).toFixed(5)}  codes used ${usage.filter((u) => u > 0).length}  ${((performance.now() - started) / (step + 1)).toFixed(0)} ms/step  tensors ${tf.memory().numTensors}`);
      recent = [];
      recentReconstruction = [];
    }
  }
  optimizer.dispose();
  const quality = await tokenizerQuality(part, vq, heldOut);
  console.log(`tokenizer: held-out whole-image PSNR ${quality.psnr.toFixed(2)} dB, ${quality.codesUsed}/${vq.codebookSize} codes used, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  await part.save('tokenizer', folderWriter(outDir));
  part.dispose();
}

async function trainTransformer(): Promise<void> {
  const model = options.from
    ? await loadForContinuing(options.from)
    : MageModel.create(card, await ParameterPart.load(folderReader(outDir), 'tokenizer', createTokenizerPart(vq)));
  // The data loaded above is --dataset without --exclude: it must be what the saved model learned from.
  if (model.card.dataset !== options.dataset || String(model.card.excludedClasses ?? []) !== String(excluded)) {
    throw new Error(`${options.from} was trained on ${model.card.dataset} without [${model.card.excludedClasses ?? []}]: pass the same --dataset and --exclude`);
  }
  const previous = options.from ? model.card.training : undefined;
  model.card.id = options.id;
  const settings = { ...DEFAULT_PRETRAIN, steps: options.steps, batchSize: options.batch, learningRate: options.lr, warmupSteps: options.warmup, seed: options.seed };
  const trainer = new Pretrainer(model, train, settings);
  console.log(`stage 2: transformer on ${backend}, ${settings.steps} steps of ${settings.batchSize}`);
  const stage = await runPretrainer(trainer);
  trainer.dispose();
  model.card.training = trainingRecord(previous, stage, backend);
  model.card.evaluation = await evaluateTasks(model, train, heldOut, modelTaskIds(model.card), await datasetClassifier(model.card.dataset));
  await saveModel(model, folderWriter(outDir));
  console.log(JSON.stringify(model.card.evaluation, null, 2));
  console.log(`wrote public/models/${options.id} (transformer ${stage.seconds} s)`);
  model.dispose();
}

if (options.stage !== 'transformer') await trainTokenizer();
if (options.stage !== 'tokenizer') await trainTransformer();

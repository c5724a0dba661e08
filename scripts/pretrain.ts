/**
 * Pretrains a model of any family on a built-in dataset in Node, seeded, and writes it with its
 * model card to public/models/<id>/. `--exclude 7` trains the same recipe without those classes:
 * the retrained-from-scratch reference (exact unlearning) that unlearning is judged against.
 *   npm run pretrain -- [--family conv-inpainting-ae] [--id mnist-inpaint-ae] [--dataset mnist]
 *     [--tasks centre-50] [--steps 3000] [--batch 64] [--lr 0.002] [--exclude 7]
 * `--tasks` takes a comma list of task ids (centre-25, centre-50, outpaint, patches); a model
 * trained on several gets one at random per step and serves each of them in the studio.
 * `--from ID` continues training a saved model (its architecture, tasks and weights) for `--steps`
 * more, with a fresh optimiser and schedule; the card then lists every stage. `--steps 0` only
 * measures it again on `--eval-images` held-out images (FID too where the dataset has a classifier).
 * A model with a sampler (diffusion) is also measured on `--draws` draws per image (default 8; 0
 * skips it): the mean of the draws, and one draw's error split into its mean's miss and its spread.
 * `--checkpoint-every N --checkpoint-dir DIR` writes the model and its card (training so far, no
 * evaluation) to DIR/step-<k> every N steps (N a multiple of 100, the logging interval).
 * `--train-tasks outpaint,centre-50` trains the stage on those of the model's tasks only (default:
 * all of them, one at random per step; a task named twice is drawn twice as often), recorded in
 * the stage.
 * `--sampler ancestral|ddim --sample-steps N` set a diffusion model's own sampler and its steps (its
 * card's, which the studio, the CLI and this measurement use), for a new or a continued model.
 * `--ema 0.999` keeps a moving average of the weights (the official Palette's EMA) and saves it,
 * in checkpoints too, as the model.
 */
import { join } from 'node:path';
import { BUILT_IN_DATASETS, type BuiltInDatasetId } from '../src/core/data/builtin';
import { filterByLabel, take } from '../src/core/data/image-set';
import { familyOf, saveModel } from '../src/core/models/families';
import type { ModelCard, ModelFamilyId, TrainingStage } from '../src/core/models/types';
import { TASK_IDS, TASK_LABELS, TASKS, modelTaskIds, type TaskId } from '../src/shared/tasks';
import { cardSampling } from '../src/shared/settings';
import { DEFAULT_PRETRAIN, Pretrainer } from '../src/core/training/pretrain';
import { useNodeBackend, type NodeBackend } from './node/backend';
import { loadDataset } from './node/datasets';
import { PUBLIC_MODELS, folderWriter, parseOptions } from './node/files';
import { datasetClassifier, evaluateTasks, loadForContinuing, runPretrainer, trainingRecord } from './node/pretraining';

const options = parseOptions(process.argv.slice(2), {
  family: 'conv-inpainting-ae',
  id: 'mnist-inpaint-ae',
  dataset: 'mnist',
  tasks: 'centre-50',
  steps: DEFAULT_PRETRAIN.steps,
  batch: DEFAULT_PRETRAIN.batchSize,
  lr: DEFAULT_PRETRAIN.learningRate,
  warmup: DEFAULT_PRETRAIN.warmupSteps,
  seed: DEFAULT_PRETRAIN.seed,
  evalImages: 2000,
  backend: 'wasm',
  exclude: '',
  from: '',
  checkpointEvery: 0,
  checkpointDir: '',
  ema: 0,
  draws: 8,
  trainTasks: '',
  sampler: '',
  sampleSteps: 0,
});
if (options.steps === 0 && !options.from) throw new Error('--steps 0 measures a saved model again: give it with --from');
if (options.checkpointEvery && (options.checkpointEvery % 100 || !options.checkpointDir)) throw new Error('--checkpoint-every needs a multiple of 100 and --checkpoint-dir');

const family = familyOf(options.family);
const taskIds = options.tasks.split(',') as TaskId[];
for (const id of taskIds) if (!TASK_IDS.includes(id)) throw new Error(`unknown task "${id}"; tasks: ${TASK_IDS.join(', ')}`);
const backend = await useNodeBackend(options.backend as NodeBackend);
/** The card with the sampler and steps the flags give; only a diffusion model (one with sampleSteps) has them. */
function withSampling(card: ModelCard): ModelCard {
  if (!options.sampler && !options.sampleSteps) return card;
  if (!cardSampling(card.architecture)) throw new Error(`--sampler and --sample-steps are for a diffusion model; ${card.id} is ${card.family}`);
  const architecture = { ...card.architecture, ...(options.sampler ? { sampler: options.sampler } : {}), ...(options.sampleSteps ? { sampleSteps: options.sampleSteps } : {}) };
  return { ...card, architecture };
}
const continued = options.from ? await loadForContinuing(options.from, withSampling) : undefined;
// Kept apart: checkpoints rewrite the card's record.
const previousTraining = continued?.card.training;
// A continued model keeps its own data: the dataset and left-out classes come from its card.
const datasetId = continued?.card.dataset ?? options.dataset;
const data = await loadDataset(datasetId);
const excluded = continued?.card.excludedClasses ?? (options.exclude ? options.exclude.split(',').map(Number) : []);
const train = filterByLabel(data.train, (label) => !excluded.includes(label));
const test = filterByLabel(data.test, (label) => !excluded.includes(label));
const { height, width, channels } = train;
const datasetTitle = BUILT_IN_DATASETS[datasetId as BuiltInDatasetId].title;
// A continued model keeps its own card (family, architecture, tasks); a new one gets this.
const newCard = (): ModelCard => ({
  id: options.id,
  family: options.family as ModelFamilyId,
  title: `${datasetTitle}, ${family.title} (${taskIds.map((id) => TASK_LABELS[id]).join('; ')})${excluded.length ? `, trained without ${excluded.join(', ')}` : ''}`,
  dataset: datasetId,
  height,
  width,
  channels,
  tasks: taskIds.map((id) => TASKS[id]),
  recipe: family.recipe,
  architecture: { ...family.defaultArchitecture(height, width, channels), seed: options.seed },
  ...(excluded.length ? { excludedClasses: excluded } : {}),
});
const model = continued ?? family.create(withSampling(newCard()));
model.card.id = options.id;
const trainTaskIds = options.trainTasks ? (options.trainTasks.split(',') as TaskId[]) : undefined;
for (const id of trainTaskIds ?? []) {
  if (!modelTaskIds(model.card).includes(id)) throw new Error(`--train-tasks: ${options.id} has no task "${id}"; its tasks: ${modelTaskIds(model.card).join(', ')}`);
}
const withTrainTasks = (stage: TrainingStage): TrainingStage => (trainTaskIds ? { ...stage, tasks: trainTaskIds } : stage);
const settings = {
  ...DEFAULT_PRETRAIN,
  steps: options.steps,
  batchSize: options.batch,
  learningRate: options.lr,
  warmupSteps: options.warmup,
  seed: options.seed,
  emaDecay: options.ema,
  ...(trainTaskIds ? { tasks: trainTaskIds.map((id) => TASKS[id]) } : {}),
};
// `--steps 0` trains nothing: it measures a saved model again (after the measurement changed).
if (settings.steps > 0) {
  const trainer = new Pretrainer(model, train, settings);
  console.log(`pretraining ${options.id} (${model.card.family}) on ${backend}: ${settings.steps} steps of ${settings.batchSize}`);
  const checkpoint = options.checkpointEvery
    ? {
        every: options.checkpointEvery,
        async save(sofar: TrainingStage) {
          model.card.training = trainingRecord(previousTraining, withTrainTasks(sofar), backend);
          delete model.card.evaluation;
          await saveModel(model, folderWriter(join(options.checkpointDir, `step-${sofar.steps}`)));
          console.log(`checkpoint after ${sofar.steps} steps, ${sofar.seconds} s`);
        },
      }
    : undefined;
  const stage = withTrainTasks(await runPretrainer(trainer, checkpoint));
  trainer.dispose();
  model.card.training = trainingRecord(previousTraining, stage, backend);
}
// Only a sampler's draws differ; a deterministic model's would all be the same.
const draws = cardSampling(model.card.architecture) ? options.draws : 0;
model.card.evaluation = await evaluateTasks(model, train, take(test, options.evalImages), modelTaskIds(model.card), await datasetClassifier(datasetId), draws);
await saveModel(model, folderWriter(join(PUBLIC_MODELS, options.id)));
console.log(JSON.stringify(model.card.evaluation, null, 2));
console.log(`wrote public/models/${options.id}`);

import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { allIndices, batchTensor, type ImageSet } from '../../src/core/data/image-set';
import { constantFillQuality, holeQuality } from '../../src/core/evaluation/reconstruction';
import { drawSpread } from '../../src/core/evaluation/draw-spread';
import { constantFillMetrics, holeFillMetrics } from '../../src/core/evaluation/output-metrics';
import { loadClassifier, type Classifier } from '../../src/core/models/classifier';
import { loadModel } from '../../src/core/models/families';
import type { I2IModel, ModelCard, TaskEvaluation, TrainingStage } from '../../src/core/models/types';
import { TASKS, type TaskId } from '../../src/shared/tasks';
import type { Pretrainer } from '../../src/core/training/pretrain';
import { PUBLIC_MODELS, exists, folderReader } from './files';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Runs the trainer to its last step, logging every 100; the stage's record has the mean loss of the
 * last 100. `checkpoint(every, save)` also hands the stage so far to `save` every `every` steps
 * (a long run stopped early keeps its last checkpoint).
 */
export async function runPretrainer(trainer: Pretrainer, checkpoint?: { every: number; save: (stage: TrainingStage) => Promise<void> }): Promise<TrainingStage> {
  const { batchSize, learningRate, seed, emaDecay } = trainer.settings;
  const started = performance.now();
  let recent: number[] = [];
  const stage = (steps: number): TrainingStage => ({ steps, batchSize, learningRate, seed, ...(emaDecay ? { emaDecay } : {}), seconds: Math.round((performance.now() - started) / 1000), finalLoss: mean(recent) });
  for (let step = 1; step <= trainer.settings.steps; step++) {
    recent.push(await trainer.step());
    if (step % 100 === 0 || step === trainer.settings.steps) {
      console.log(`step ${step}  loss ${mean(recent).toFixed(5)}  ${((performance.now() - started) / step).toFixed(0)} ms/step  tensors ${tf.memory().numTensors}`);
      if (checkpoint && step % checkpoint.every === 0 && step < trainer.settings.steps) await trainer.withFinalWeights(() => checkpoint.save(stage(step)));
      if (step < trainer.settings.steps) recent = [];
    }
  }
  trainer.finish();
  return stage(trainer.settings.steps);
}

/** A shipped model whose training `--from ID` continues: its architecture (after `adjustCard`), tasks and weights. */
export async function loadForContinuing(id: string, adjustCard?: (card: ModelCard) => ModelCard): Promise<I2IModel> {
  const model = await loadModel(folderReader(join(PUBLIC_MODELS, id)), adjustCard);
  console.log(`continuing ${id} after ${model.card.training?.steps ?? '?'} steps`);
  return model;
}

/**
 * The card's training record after a stage: a continued model keeps the earlier stages' steps
 * and seconds in the totals and lists every stage's recipe.
 */
export function trainingRecord(
  previous: ModelCard['training'] | undefined,
  stage: TrainingStage,
  backend: string,
): NonNullable<ModelCard['training']> {
  // A model trained before stages were recorded becomes the first stage (its learning rate unrecorded).
  const earlier = previous && (previous.stages ?? [{ steps: previous.steps, batchSize: previous.batchSize, seed: previous.seed, seconds: previous.seconds, finalLoss: previous.finalLoss }]);
  const stages = earlier ? [...earlier, stage] : undefined;
  return {
    steps: (previous?.steps ?? 0) + stage.steps,
    batchSize: stage.batchSize,
    seed: stage.seed,
    finalLoss: stage.finalLoss,
    seconds: (previous?.seconds ?? 0) + stage.seconds,
    backend,
    ...(stages ? { stages } : {}),
  };
}

/**
 * Hidden-pixel quality on held-out images for every task, against filling the hole with the
 * training mean; with a classifier, also the FID of both fills (the truth around each) in its
 * features (a sampler's one draw can lose to the mean in PSNR and still fill the hole with a
 * digit, where the mean fills it with a blur). With `draws` (2 or more, for a sampler), also what
 * the mean of that many draws per image reaches, and one draw's error split into the model's mean
 * miss and its spread.
 */
export async function evaluateTasks(
  model: I2IModel,
  train: ImageSet,
  heldOut: ImageSet,
  taskIds: TaskId[],
  classifier?: Classifier,
  draws = 0,
): Promise<NonNullable<ModelCard['evaluation']>> {
  const meanImage = tf.tidy(() => tf.mean(batchTensor(train, allIndices(train)), 0, true) as tf.Tensor4D);
  const perTask: Record<string, TaskEvaluation> = {};
  for (const id of taskIds) {
    const task = TASKS[id];
    if (classifier) {
      // Batches of 200, as holeQuality's: masks and draws are seeded per batch, so the PSNR is the one measured without a classifier.
      const [quality, baseline] = [await holeFillMetrics(model, task, heldOut, classifier, 200), await constantFillMetrics(meanImage, task, heldOut, classifier)];
      perTask[id] = { holePsnr: quality.psnr, holeMse: quality.mse, meanImageHolePsnr: baseline.psnr, meanImageHoleMse: baseline.mse, fid: quality.fid, meanImageFid: baseline.fid };
    } else {
      const [quality, baseline] = [await holeQuality(model, task, heldOut), await constantFillQuality(meanImage, heldOut, task)];
      perTask[id] = { holePsnr: quality.psnr, holeMse: quality.mse, meanImageHolePsnr: baseline.psnr, meanImageHoleMse: baseline.mse };
    }
    if (draws >= 2) {
      const spread = await drawSpread(model, task, heldOut, draws);
      perTask[id].draws = {
        count: draws,
        meanOfDrawsHolePsnr: spread.meanOfDraws.psnr,
        meanOfDrawsHoleMse: spread.meanOfDraws.mse,
        spread: spread.spread,
        modelMeanHoleMse: spread.modelMeanMse,
      };
    }
    const { holePsnr, meanImageHolePsnr, fid, meanImageFid, draws: drawn } = perTask[id];
    const fidText = fid === undefined ? '' : `; FID ${fid.toFixed(2)} (mean fill ${meanImageFid?.toFixed(2)})`;
    const drawsText = drawn ? `; mean of ${drawn.count} draws ${drawn.meanOfDrawsHolePsnr.toFixed(2)} dB, model mean MSE ${drawn.modelMeanHoleMse.toFixed(4)}, spread ${drawn.spread.toFixed(4)}` : '';
    console.log(`${id}: hidden-pixel PSNR ${holePsnr.toFixed(2)} dB (training-mean fill ${meanImageHolePsnr.toFixed(2)} dB)${fidText}${drawsText}`);
  }
  meanImage.dispose();
  const first = perTask[taskIds[0]];
  return {
    heldOutImages: heldOut.count,
    ...first,
    ...(taskIds.length > 1 ? { perTask } : {}),
  };
}

/** The dataset's own classifier (`npm run train-classifier`), whose features the FIDs use; undefined where the dataset has none. */
export async function datasetClassifier(dataset: string): Promise<Classifier | undefined> {
  const dir = join(PUBLIC_MODELS, `${dataset}-classifier`);
  if (!(await exists(join(dir, 'card.json')))) return undefined;
  return loadClassifier(folderReader(dir));
}

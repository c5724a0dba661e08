/**
 * The training worker's side of the user's own images and models: the one place that builds,
 * trains, saves, loads, exports and previews them with the core (keep it thin: the core's model
 * and training APIs evolve).
 */
import type { BuiltInDataset } from '../core/data/builtin';
import { ownSplit, ownTrainingSet } from '../core/data/own-split';
import type { ClassSplit } from '../core/data/splits';
import { reconstructions } from '../core/evaluation/reconstruction';
import { FAMILIES, loadModel, saveModel } from '../core/models/families';
import { writeCard, type ReadFile } from '../core/models/io';
import type { I2IModel, ModelCard, ModelPart } from '../core/models/types';
import { TASKS } from '../shared/tasks';
import { DEFAULT_PRETRAIN, Pretrainer, type PretrainerState } from '../core/training/pretrain';
import { OWN_DATASET_ID, OWN_MODEL_PREFIX, type OwnSets, type TrainOriginalSettings, type TrainReport } from '../shared/own';
import type { ImageStack, ModelFiles, PreviewImages, ResumeFrom } from '../shared/protocol';
import { StudioStorage } from '../shared/studio-db';

/** New originals are conv inpainting autoencoders with the shipped model's task (a centre hole half the side). */
const FAMILY = 'conv-inpainting-ae' as const;

export const isOwnModel = (id: string) => id.startsWith(OWN_MODEL_PREFIX);

/** Own models have no built-in dataset: their data comes with each request. */
export const OWN_DATASET: BuiltInDataset = {
  id: OWN_DATASET_ID,
  title: 'your images',
  classNames: [],
  train: { pixels: new Uint8Array(), labels: new Int32Array(), count: 0, height: 0, width: 0, channels: 0 },
  test: { pixels: new Uint8Array(), labels: new Int32Array(), count: 0, height: 0, width: 0, channels: 0 },
};

let storage: Promise<StudioStorage> | undefined;
const db = () => (storage ??= StudioStorage.open());

const memoryReader =
  (files: ModelFiles): ReadFile =>
  async (name) => {
    const bytes = files[name];
    if (!bytes) throw new Error(`the model's ${name} is missing`);
    return bytes;
  };

/** The model's files as saveModel writes them, with `card` in place of its own card when given. */
export async function modelFiles(model: I2IModel, card: ModelCard = model.card): Promise<ModelFiles> {
  const files: ModelFiles = {};
  // Copies: each file gets a buffer of its own, so that all can be transferred.
  const write = async (name: string, bytes: Uint8Array) => void (files[name] = bytes.slice());
  await saveModel(model, write);
  await writeCard(card, write);
  return files;
}

/** The user's models saved in IndexedDB, for the model list. */
export async function storedModels(): Promise<{ id: string; dataset: string }[]> {
  try {
    return (await (await db()).models()).map((m) => ({ id: m.id, dataset: m.card.dataset }));
  } catch {
    // Without IndexedDB there are no saved models; the built-in ones still work.
    return [];
  }
}

export async function loadOwnModel(id: string): Promise<I2IModel> {
  const stored = await (await db()).model(id);
  if (!stored) throw new Error(`model "${id}" is not saved in this browser (it may have been cleared): train or import it again`);
  return loadModel(memoryReader(stored.files));
}

export function checkFits(model: I2IModel, own: { height: number; width: number; channels: number }): void {
  const { height, width, channels } = model.card;
  if (height !== own.height || width !== own.width || channels !== own.channels) {
    throw new Error(`model ${model.card.id} takes ${height}×${width}×${channels} images, your sets are ${own.height}×${own.width}×${own.channels}: pick the matching image format or another model`);
  }
}

/** The user's sets split for an unlearning run of `model`. */
export function ownRunSplit(model: I2IModel, own: OwnSets): ClassSplit {
  checkFits(model, own);
  return ownSplit(own);
}

/** Trains a new original on the user's training images, step by step (the worker's loop drives it). */
export class OriginalTraining {
  readonly model: I2IModel;
  private readonly trainer: Pretrainer;
  private readonly started = performance.now();
  private lastLoss = NaN;

  /** `resume`: go on exactly from a checkpoint's model (`resumed`, loaded from its files) and trainer state. */
  constructor(
    readonly id: string,
    title: string,
    own: OwnSets,
    readonly settings: TrainOriginalSettings,
    resume?: { model: I2IModel; state: PretrainerState },
  ) {
    const data = ownTrainingSet(own);
    const family = FAMILIES[FAMILY];
    const card: ModelCard = {
      id,
      family: FAMILY,
      title,
      dataset: OWN_DATASET_ID,
      height: own.height,
      width: own.width,
      channels: own.channels,
      tasks: [TASKS['centre-50']],
      recipe: family.recipe,
      architecture: family.defaultArchitecture(own.height, own.width, own.channels),
    };
    if (resume) checkFits(resume.model, own);
    this.model = resume?.model ?? family.create(card);
    this.trainer = new Pretrainer(this.model, data, {
      ...DEFAULT_PRETRAIN,
      steps: settings.steps,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      seed: settings.seed,
      warmupSteps: Math.min(DEFAULT_PRETRAIN.warmupSteps, Math.floor(settings.steps / 10)),
    });
    if (resume) this.trainer.restore(resume.state);
  }

  get completedSteps(): number {
    return this.trainer.completedSteps;
  }

  get done(): boolean {
    return this.completedSteps >= this.settings.steps;
  }

  /** Dispatches the next step (see Pretrainer.step: a step may be dispatched before the last one's report is in). */
  step(): Promise<TrainReport> {
    const start = performance.now();
    const step = this.completedSteps + 1;
    return this.trainer.step().then((loss) => {
      this.lastLoss = loss;
      return { step, loss, ms: performance.now() - start };
    });
  }

  /** The weights and the trainer's state after the steps done (none in flight). */
  async checkpoint(): Promise<ResumeFrom<PretrainerState>> {
    return { step: this.completedSteps, files: await modelFiles(this.model), state: await this.trainer.checkpoint() };
  }

  /**
   * Saves the model as trained so far (with what it was trained on in its card) and returns it
   * reloaded from those files; when saving fails (a full quota) it is still returned, for this session.
   */
  async finish(backend: string): Promise<{ model: I2IModel; saveError?: string }> {
    const card: ModelCard = {
      ...this.model.card,
      training: {
        steps: this.completedSteps,
        batchSize: this.settings.batchSize,
        seed: this.settings.seed,
        finalLoss: this.lastLoss,
        seconds: (performance.now() - this.started) / 1000,
        backend,
      },
    };
    const files = await modelFiles(this.model, card);
    let saveError: string | undefined;
    try {
      await (await db()).putModel({ id: card.id, card, files, savedAt: Date.now() });
    } catch (error) {
      saveError = error instanceof Error ? error.message : String(error);
    }
    return { model: await loadModel(memoryReader(files)), saveError };
  }

  dispose(): void {
    this.trainer.dispose();
    this.model.dispose();
  }
}

/** The model's reconstructions of HWC byte images with its default task, as the grid shows them. */
export async function previewStack(model: I2IModel, images: PreviewImages): Promise<ImageStack> {
  checkFits(model, images);
  const set = { ...images, labels: new Int32Array(images.count) };
  const pixels = new Float32Array(images.count * images.height * images.width * images.channels);
  for await (const { start, output } of reconstructions(model, model.card.tasks[0], set)) {
    pixels.set((await output.data()) as Float32Array, start * images.height * images.width * images.channels);
  }
  return { count: images.count, height: images.height, width: images.width, channels: images.channels, pixels };
}

/** A model from its files (a checkpoint's), refused as loadModel refuses. */
export function modelFromFiles(files: ModelFiles): Promise<I2IModel> {
  return loadModel(memoryReader(files));
}

/**
 * The model's files (with `card`) with `weights`, files of some of its parts (a run's
 * unlearnedWeights), in place of its own: refused unless they load and every weight has the
 * shape of the model's own.
 */
export async function filesWithWeights(model: I2IModel, card: ModelCard, weights: ModelFiles): Promise<ModelFiles> {
  const files = { ...(await modelFiles(model, card)), ...weights };
  const refuse = (why: string) => new Error(`the run's saved weights do not fit model ${model.card.id} (${why}): export the original, or run again`);
  const rebuilt = await loadModel(memoryReader(files)).catch((error) => {
    throw refuse(error instanceof Error ? error.message : String(error));
  });
  try {
    const shapes = (part: ModelPart) => part.getWeights().map((w) => w.shape.join('×')).join(',');
    for (const part of ['encoder', 'decoder'] as const) if (shapes(rebuilt[part]) !== shapes(model[part])) throw refuse(`its ${part} has other shapes`);
  } finally {
    rebuilt.dispose();
  }
  return files;
}

/** Puts a checkpoint's weights into `model` (after the run has copied the original's as its teacher). */
export async function applyCheckpoint(model: I2IModel, files: ModelFiles): Promise<void> {
  const saved = await loadModel(memoryReader(files));
  try {
    checkFits(model, saved.card);
    model.encoder.setWeights(saved.encoder.getWeights());
    model.decoder.setWeights(saved.decoder.getWeights());
  } finally {
    saved.dispose();
  }
}

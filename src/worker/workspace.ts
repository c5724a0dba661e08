/**
 * What the worker has loaded: the model, its dataset, the metric classifier, and retrained
 * references trained this session. What was loaded before stays until its replacement has arrived
 * intact.
 */
import { classCounts, loadBuiltInDataset, type BuiltInDataset } from '../core/data/builtin';
import { loadClassifier, type Classifier } from '../core/models/classifier';
import { loadModel } from '../core/models/families';
import type { ReadFile } from '../core/models/io';
import { BUILT_IN_MODELS } from '../core/models/registry';
import type { I2IModel } from '../core/models/types';
import type { UnlearningRun } from '../core/unlearning/run';
import type { DatasetSummary } from '../shared/protocol';
import { OWN_DATASET, isOwnModel, loadOwnModel } from './own-models';

/** Reads `name` from a folder of the served app (`models/<id>`, `data/<id>`). */
export type FolderReader = (folder: string) => ReadFile;

export interface Loaded {
  model: I2IModel;
  dataset: BuiltInDataset;
}

export function summarise(dataset: BuiltInDataset): DatasetSummary {
  const classes = dataset.classNames.length;
  return {
    id: dataset.id,
    title: dataset.title,
    classNames: dataset.classNames,
    trainCounts: classCounts(dataset.train, classes),
    testCounts: classCounts(dataset.test, classes),
  };
}

export class Workspace {
  private model?: { id: string; value: I2IModel };
  private dataset?: BuiltInDataset;
  private classifier?: { dataset: string; value: Classifier };
  /** Retrained references trained in this session (by id), kept for later comparisons of the same classes. */
  private readonly references = new Map<string, { modelId: string; classes: number[]; model: I2IModel }>();
  /** A run that has ended leaves the model unlearned (for export and preview) until a request needs the original back. */
  private endedRun?: UnlearningRun;

  constructor(private readonly folder: FolderReader) {}

  get loadedModel(): I2IModel | undefined {
    return this.model?.value;
  }

  /**
   * The model `modelId` and its dataset (the user's own models bring none: their sets come with
   * each request). `beforeReplace` runs once a different model has loaded and before it replaces
   * the one in use (it ends a run of that one).
   */
  async ensureLoaded(modelId: string, beforeReplace: () => Promise<void>): Promise<Loaded> {
    if (isOwnModel(modelId)) {
      if (this.model?.id !== modelId) await this.replaceModel(modelId, await loadOwnModel(modelId), beforeReplace);
      return { model: this.model!.value, dataset: OWN_DATASET };
    }
    const entry = BUILT_IN_MODELS.find((m) => m.id === modelId);
    if (!entry) throw new Error(`unknown model "${modelId}"; built-in models: ${BUILT_IN_MODELS.map((m) => m.id).join(', ')}`);
    const dataset = this.dataset?.id === entry.dataset ? this.dataset : await loadBuiltInDataset(entry.dataset, this.folder(`data/${entry.dataset}`));
    if (this.model?.id !== modelId) {
      const loaded = await loadModel(this.folder(`models/${modelId}`));
      if (loaded.card.dataset !== entry.dataset) {
        loaded.dispose();
        throw new Error(`model ${modelId} was trained on ${loaded.card.dataset}, not ${entry.dataset}`);
      }
      await this.replaceModel(modelId, loaded, beforeReplace);
    }
    this.dataset = dataset;
    return { model: this.model!.value, dataset };
  }

  keepEndedRun(run: UnlearningRun): void {
    this.releaseRun();
    this.endedRun = run;
  }

  /** Puts the original weights back into the model an ended run unlearned. */
  releaseRun(): void {
    this.endedRun?.dispose();
    this.endedRun = undefined;
  }

  /** Makes `model` (a trained original) the loaded one. */
  adopt(id: string, model: I2IModel): void {
    this.releaseRun();
    this.model?.value.dispose();
    this.model = { id, value: model };
  }

  private async replaceModel(id: string, model: I2IModel, beforeReplace: () => Promise<void>): Promise<void> {
    try {
      await beforeReplace();
    } catch (error) {
      model.dispose();
      throw error;
    }
    this.adopt(id, model);
  }

  /** The dataset's classifier, whose features FID, IS and cosine are computed in (`npm run train-classifier -- --dataset <id>`). */
  async classifierFor(datasetId: string): Promise<Classifier> {
    if (this.classifier?.dataset !== datasetId) {
      const loaded = await loadClassifier(this.folder(`models/${datasetId}-classifier`)).catch(() => {
        throw new Error(`no metric classifier ships for the ${datasetId} images, so FID, IS and cosine cannot be computed for them`);
      });
      this.classifier?.value.dispose();
      this.classifier = { dataset: datasetId, value: loaded };
    }
    return this.classifier.value;
  }

  /** The model trained from scratch without `forgetClasses`: kept from this session, or shipped (`npm run pretrain -- --exclude`), or undefined. */
  async reference(modelId: string, forgetClasses: number[], datasetId: string): Promise<{ model: I2IModel; kept: boolean } | undefined> {
    const id = referenceId(modelId, forgetClasses);
    const kept = this.references.get(id);
    if (kept) return { model: kept.model, kept: true };
    const read = this.folder(`models/${id}`);
    const shipped = await read('card.json').then(
      () => true,
      () => false,
    );
    if (!shipped) return undefined;
    const retrained = await loadModel(read);
    if (retrained.card.dataset !== datasetId) {
      retrained.dispose();
      throw new Error(`the retrained reference ${id} was trained on ${retrained.card.dataset}, not ${datasetId}`);
    }
    return { model: retrained, kept: false };
  }

  /** Any retrained reference of `modelId` (kept from this session first, else one that ships), with the classes it left out. */
  async anyReference(modelId: string, datasetId: string): Promise<{ model: I2IModel; kept: boolean; classes: number[] } | undefined> {
    const kept = [...this.references.values()].find((r) => r.modelId === modelId);
    if (kept) return { model: kept.model, kept: true, classes: kept.classes };
    for (const classes of BUILT_IN_MODELS.find((m) => m.id === modelId)?.retrainedWithout ?? []) {
      const shipped = await this.reference(modelId, [...classes], datasetId);
      if (shipped) return { ...shipped, classes: [...classes] };
    }
    return undefined;
  }

  keepReference(modelId: string, forgetClasses: number[], model: I2IModel): void {
    this.references.set(referenceId(modelId, forgetClasses), { modelId, classes: forgetClasses, model });
  }
}

const referenceId = (modelId: string, forgetClasses: number[]) => `${modelId}-without-${forgetClasses.join('-')}`;

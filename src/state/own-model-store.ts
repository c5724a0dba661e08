/**
 * Models of the user's own images: training an original in the worker (progress, pause, stop),
 * exporting the loaded model as a zip of tfjs files, importing one (checked before it reaches the
 * worker), the run report, and the loaded model's reconstructions of held-out images.
 */
import { create } from 'zustand';
import { isHeldOut } from '../core/data/own-split';
import { unzipModel, zipModel } from '../worker/model-bundle';
import { DEFAULT_TRAIN_ORIGINAL, OWN_MODEL_PREFIX, type ResumeFrom, type TrainOriginalSettings, type TrainReport } from '../worker/own-protocol';
import type { ImageStack, WorkerEvent } from '../worker/protocol';
import { ownSetsForWorker, useOwnSets } from './own-sets-store';
import { studioStorage } from './storage-handle';
import { studioWorker, useStudio, type RunPhase } from './studio-store';

export interface TrainingState {
  runId: number;
  modelId: string;
  phase: RunPhase;
  totalSteps: number;
  curve: TrainReport[];
}

export interface ModelPreview {
  modelId: string;
  /** Held-out images of the forget set, then of the retain set. */
  truth: ImageStack;
  reconstruction: ImageStack;
  /** A hash of the reconstruction's float bits: equal only for bit-identical outputs. */
  checksum: string;
}

export interface OwnModelState {
  trainSettings: TrainOriginalSettings;
  training?: TrainingState;
  preview?: ModelPreview;
  busy?: 'exporting' | 'importing' | 'previewing';
  updateTrainSettings(patch: Partial<TrainOriginalSettings>): void;
  /** `resume`: go on from a checkpoint of a training a reload cut short (its curve so far is shown again). */
  trainOriginal(resume?: ResumeFrom & { curve: TrainReport[] }): Promise<void>;
  exportModel(): Promise<{ fileName: string; zip: Uint8Array }>;
  importModel(zip: Uint8Array, fileName: string): Promise<void>;
  previewModel(): Promise<void>;
}

/** Images per set in the model preview. */
const PREVIEW_PER_SET = 4;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** FNV-1a over the float bits. */
export function floatChecksum(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function requireWorker() {
  const worker = studioWorker();
  if (!worker || useStudio.getState().phase !== 'ready') throw new Error('the studio is still loading');
  return worker;
}

/** Held-out images (those the worker holds out) of the forget and the retain set, as one stack of bytes. */
function heldOutImages(count: number) {
  const { sets } = useOwnSets.getState();
  const own = ownSetsForWorker();
  const size = own.height * own.width * own.channels;
  const picked = (['forget', 'retain'] as const).flatMap((name) => sets[name].filter((_, i) => isHeldOut(i, sets[name].length)).slice(0, count));
  const pixels = new Uint8Array(picked.length * size);
  picked.forEach((image, i) => pixels.set(image.pixels, i * size));
  return { count: picked.length, height: own.height, width: own.width, channels: own.channels, pixels };
}

const toFloatStack = (images: ReturnType<typeof heldOutImages>): ImageStack => ({ ...images, pixels: Float32Array.from(images.pixels, (v) => v / 255) });

export const useOwnModel = create<OwnModelState>()((set, get) => {
  let listening = false;

  /** Adds a model to the studio's list and loads it, with the user's images as the data. */
  const useModel = async (id: string, dataset: string) => {
    const studio = useStudio.getState();
    if (!studio.models.some((m) => m.id === id)) useStudio.setState({ models: [...studio.models, { id, dataset }] });
    studio.setDataSource('own');
    await studio.selectModel(id);
  };

  const onEvent = (event: WorkerEvent) => {
    const training = get().training;
    if (!training || !('runId' in event) || event.runId !== training.runId) return;
    if (event.type === 'trainProgress') set({ training: { ...training, curve: [...training.curve, event.report] } });
    else if (event.type === 'status') set({ training: { ...training, phase: event.status } });
    else if (event.type === 'error') set({ training: { ...training, phase: 'stopped' } });
    else if (event.type === 'trainedModel') {
      void useModel(event.model.id, event.model.dataset);
      void studioStorage()
        .then((storage) => storage.putRun({ kind: 'train-original', modelId: event.model.id, status: 'finished', savedAt: Date.now(), ownData: true, trainCurve: get().training?.curve }))
        .catch((error) => useStudio.setState({ error: message(error) }));
    }
  };

  const guarded = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      useStudio.setState({ error: message(error) });
    }
  };

  return {
    trainSettings: DEFAULT_TRAIN_ORIGINAL,

    updateTrainSettings(patch) {
      set({ trainSettings: { ...get().trainSettings, ...patch } });
    },

    trainOriginal: (resume) =>
      guarded(async () => {
        const worker = requireWorker();
        if (!listening) {
          worker.listen(onEvent);
          listening = true;
        }
        const own = ownSetsForWorker();
        const { trainSettings } = get();
        const counts = useOwnSets.getState().sets;
        const title = `original on your ${own.height}×${own.width} images (${counts.forget.length} forget, ${counts.retain.length} retain${counts.proxy.length ? `, ${counts.proxy.length} proxy` : ''})`;
        const started = await worker.trainOriginal({ own, settings: trainSettings, title, resume: resume && { step: resume.step, files: resume.files } });
        set({ training: { runId: started.runId, modelId: started.modelId, phase: 'running', totalSteps: started.totalSteps, curve: resume?.curve ?? [] } });
      }),

    async exportModel() {
      const worker = requireWorker();
      set({ busy: 'exporting' });
      try {
        const { model, run, dataSource } = useStudio.getState();
        // A run shown from history (id 0) left nothing in the worker: the loaded model is then the original.
        const unlearned = run.id > 0 && (run.phase === 'evaluating' || run.phase === 'finished' || run.phase === 'stopped');
        const id = `${OWN_MODEL_PREFIX}${unlearned ? 'unlearned-' : ''}${Date.now().toString(36)}`;
        const title = unlearned ? `${model?.title ?? 'model'}, unlearned on ${dataSource === 'own' ? 'your forget set' : 'the forget classes'}` : (model?.title ?? id);
        const answer = await worker.exportModel({ id, title });
        return { fileName: `${id}.zip`, zip: zipModel(answer.files) };
      } finally {
        set({ busy: undefined });
      }
    },

    importModel: (zip, fileName) =>
      guarded(async () => {
        requireWorker();
        set({ busy: 'importing' });
        try {
          let card, files;
          try {
            ({ card, files } = unzipModel(zip));
          } catch (error) {
            throw new Error(`${fileName} was refused: ${message(error)}`);
          }
          // Kept under an id of its own, so that it never overwrites a model already saved.
          const storage = await studioStorage();
          const id = card.id.startsWith(OWN_MODEL_PREFIX) && !(await storage.model(card.id)) ? card.id : `${OWN_MODEL_PREFIX}import-${Date.now().toString(36)}`;
          const stored = { ...card, id };
          files['card.json'] = new TextEncoder().encode(JSON.stringify(stored, null, 2) + '\n');
          await storage.putModel({ id, card: stored, files, savedAt: Date.now() });
          await useModel(id, stored.dataset);
          if (useStudio.getState().modelId !== id) {
            // The worker refused it (an unknown family, weights that do not fit): it is not kept, and the loaded model stays.
            await storage.deleteModel(id);
            const reason = useStudio.getState().error ?? 'the model could not be loaded';
            useStudio.setState({ models: useStudio.getState().models.filter((m) => m.id !== id), error: `${fileName} was refused: ${reason}` });
          }
        } finally {
          set({ busy: undefined });
        }
      }),

    previewModel: () =>
      guarded(async () => {
        const worker = requireWorker();
        set({ busy: 'previewing' });
        try {
          const images = heldOutImages(PREVIEW_PER_SET);
          const truth = toFloatStack(images);
          const { reconstruction } = await worker.preview({ images });
          set({ preview: { modelId: useStudio.getState().modelId, truth, reconstruction, checksum: floatChecksum(reconstruction.pixels) } });
        } finally {
          set({ busy: undefined });
        }
      }),
  };
});

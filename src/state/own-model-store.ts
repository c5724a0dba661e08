/**
 * Models of the user's own images: training an original in the worker (progress, pause, stop),
 * exporting the loaded model as a zip of tfjs files, importing one (checked before it reaches the
 * worker), the run report, and the loaded model's reconstructions of held-out images.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { unzipModel, zipModel } from '../client/model-bundle';
import { DEFAULT_TRAIN_ORIGINAL, OWN_MODEL_PREFIX, isHeldOut, type TrainOriginalSettings, type TrainReport } from '../shared/own';
import type { ImageStack, JobEvent, PretrainerState, ResumeFrom } from '../shared/protocol';
import type { StudioStorage } from '../shared/studio-db';
import { errorMessage } from './errors';
import { ownSetsForWorker, useOwnSets } from './own-sets-store';
import { isStepping, type RunPhase } from './run-phase';
import type { StudioClient, StudioStore } from './studio-store';

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
  trainOriginal(resume?: ResumeFrom<PretrainerState> & { curve: TrainReport[] }): Promise<void>;
  exportModel(): Promise<{ fileName: string; zip: Uint8Array }>;
  importModel(zip: Uint8Array, fileName: string): Promise<void>;
  previewModel(): Promise<void>;
}

/** Images per set in the model preview. */
const PREVIEW_PER_SET = 4;

/** FNV-1a over the float bits. */
export function floatChecksum(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
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

export type OwnModelStore = UseBoundStore<StoreApi<OwnModelState>>;

/** The own-model store, on the worker `client`; errors and the model list are the studio's (through its actions). */
export function createOwnModelStore(client: StudioClient, studio: StudioStore, storage: () => Promise<StudioStorage>): OwnModelStore {
  const requireReady = () => {
    if (studio.getState().phase !== 'ready') throw new Error('the studio is still loading');
  };

  /** Adds a model to the studio's list and loads it, with the user's images as the data. */
  const useModel = async (id: string, dataset: string) => {
    const actions = studio.getState();
    actions.addModel({ id, dataset });
    actions.setDataSource('own');
    await actions.selectModel(id);
  };

  const guarded = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      studio.getState().reportError(error);
    }
  };

  const store = create<OwnModelState>()((set, get) => ({

    trainSettings: DEFAULT_TRAIN_ORIGINAL,

    updateTrainSettings(patch) {
      set({ trainSettings: { ...get().trainSettings, ...patch } });
    },

    trainOriginal: (resume) =>
      guarded(async () => {
        requireReady();
        const own = ownSetsForWorker();
        const { trainSettings } = get();
        const counts = useOwnSets.getState().sets;
        const title = `original on your ${own.height}×${own.width} images (${counts.forget.length} forget, ${counts.retain.length} retain${counts.proxy.length ? `, ${counts.proxy.length} proxy` : ''})`;
        const started = await client.request('trainOriginal', { own, settings: trainSettings, title, resume: resume && { step: resume.step, files: resume.files, state: resume.state } });
        set({ training: { runId: started.runId, modelId: started.modelId, phase: 'running', totalSteps: started.totalSteps, curve: resume?.curve ?? [] } });
      }),

    async exportModel() {
      requireReady();
      set({ busy: 'exporting' });
      try {
        const { model, unlearnedWeights, runSetup } = studio.getState();
        // The run's own weights, also after a reload or a request that put the original back in the worker; without them, the original.
        const unlearned = unlearnedWeights !== undefined;
        const id = `${OWN_MODEL_PREFIX}${unlearned ? 'unlearned' : 'original'}-${Date.now().toString(36)}`;
        const forgot = runSetup?.dataSource === 'own' ? 'your forget set' : `forget classes ${runSetup?.forgetClasses.join(', ')}`;
        const title = unlearned ? `${model?.title ?? 'model'}, unlearned on ${forgot}` : (model?.title ?? id);
        // Copies: the request transfers what it carries, and the run keeps its weights for the next export.
        const weights = unlearnedWeights && Object.fromEntries(Object.entries(unlearnedWeights).map(([name, bytes]) => [name, bytes.slice()]));
        const answer = await client.request('exportModel', { id, title, weights });
        return { fileName: `${id}.zip`, zip: zipModel(answer.files) };
      } finally {
        set({ busy: undefined });
      }
    },

    importModel: (zip, fileName) =>
      guarded(async () => {
        requireReady();
        set({ busy: 'importing' });
        try {
          let card, files;
          try {
            ({ card, files } = unzipModel(zip));
          } catch (error) {
            throw new Error(`${fileName} was refused: ${errorMessage(error)}`);
          }
          // Kept under an id of its own, so that it never overwrites a model already saved.
          const db = await storage();
          const id = card.id.startsWith(OWN_MODEL_PREFIX) && !(await db.model(card.id)) ? card.id : `${OWN_MODEL_PREFIX}import-${Date.now().toString(36)}`;
          const stored = { ...card, id };
          files['card.json'] = new TextEncoder().encode(JSON.stringify(stored, null, 2) + '\n');
          await db.putModel({ id, card: stored, files, savedAt: Date.now() });
          await useModel(id, stored.dataset);
          if (studio.getState().modelId !== id) {
            // The worker refused it (an unknown family, weights that do not fit): it is not kept, and the loaded model stays.
            await db.deleteModel(id);
            const reason = studio.getState().error ?? 'the model could not be loaded';
            studio.getState().removeModel(id);
            studio.getState().reportError(`${fileName} was refused: ${reason}`);
          }
        } finally {
          set({ busy: undefined });
        }
      }),

    previewModel: () =>
      guarded(async () => {
        requireReady();
        set({ busy: 'previewing' });
        try {
          const images = heldOutImages(PREVIEW_PER_SET);
          const truth = toFloatStack(images);
          const { reconstruction } = await client.request('preview', { images });
          set({ preview: { modelId: studio.getState().modelId, truth, reconstruction, checksum: floatChecksum(reconstruction.pixels) } });
        } finally {
          set({ busy: undefined });
        }
      }),
  }));

  client.listen((event: JobEvent) => {
    const training = store.getState().training;
    // A new worker counts its runs afresh: an interrupted training hears nothing more.
    if (!training || event.type === 'compareProgress' || event.runId !== training.runId || training.phase === 'interrupted') return;
    const update = (patch: Partial<TrainingState>) => store.setState({ training: { ...training, ...patch } });
    if (event.type === 'trainProgress') update({ curve: [...training.curve, event.report] });
    else if (event.type === 'status') update({ phase: event.status });
    else if (event.type === 'error') update({ phase: 'stopped' });
    else if (event.type === 'trainedModel') {
      void useModel(event.model.id, event.model.dataset);
      void storage()
        .then((db) => db.putRun({ kind: 'train-original', modelId: event.model.id, status: 'finished', savedAt: Date.now(), ownData: true, trainCurve: store.getState().training?.curve }))
        .catch((error) => studio.getState().reportError(error));
    }
  });
  // A training cut short by a lost worker can be resumed from its checkpoint.
  client.onLoss(() => {
    const { training } = store.getState();
    if (training && (isStepping(training.phase) || training.phase === 'evaluating')) store.setState({ training: { ...training, phase: 'interrupted' } });
  });
  return store;
}

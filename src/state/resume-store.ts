/**
 * Checkpoints of the run in progress, an unlearning run or the training of an original (saved
 * every few seconds, dropped when it ends): the weights with the trainer's state, so that a run
 * resumed from one ends exactly as it would have. After a reload, or a worker lost mid-run, the
 * last one is offered to resume; after a lost GPU the run resumes from it by itself.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { WorkerLoss } from '../client/worker-client';
import type { RunCheckpoint, StudioStorage } from '../shared/studio-db';
import { errorMessage } from './errors';
import type { OwnModelStore } from './own-model-store';
import type { useOwnSets } from './own-sets-store';
import { hasEnded, isStepping } from './run-phase';
import type { StudioClient, StudioStore } from './studio-store';

/** Checkpoints come at most this often, and never more often than every CHECKPOINT_STEPS steps: on a slow backend a snapshot would slow the run. */
const CHECKPOINT_MS = 5000;
const CHECKPOINT_STEPS = 20;

export interface ResumeState {
  offer?: RunCheckpoint;
  /** Why the offer is made: a reload, or a lost worker. */
  cause?: 'reload' | WorkerLoss['cause'];
  resume(): Promise<void>;
  discard(): Promise<void>;
}

export type ResumeStore = UseBoundStore<StoreApi<ResumeState>>;

export interface ResumeDeps {
  client: StudioClient;
  studio: StudioStore;
  ownModel: OwnModelStore;
  ownSets: typeof useOwnSets;
  storage: () => Promise<StudioStorage>;
}

export function createResumeStore({ client, studio, ownModel, ownSets, storage }: ResumeDeps): ResumeStore & { keepCheckpoints(): void } {
  const store = create<ResumeState>()((set, get) => ({
    async resume() {
      const checkpoint = get().offer;
      if (!checkpoint) return;
      set({ offer: undefined, cause: undefined });
      const { step, files } = checkpoint;
      if (checkpoint.kind === 'train-original') {
        await ownSets.getState().restore();
        studio.getState().setDataSource('own');
        ownModel.getState().updateTrainSettings(checkpoint.trainSettings);
        await ownModel.getState().trainOriginal({ step, files, state: checkpoint.state, curve: checkpoint.curve });
        return;
      }
      if (studio.getState().modelId !== checkpoint.modelId) await studio.getState().selectModel(checkpoint.modelId);
      if (checkpoint.ownData) await ownSets.getState().restore();
      const { forgetClasses, retainClasses, evalImages, settings, ownData, calibration } = checkpoint;
      studio.getState().applyRunSetup({ forgetClasses, retainClasses, evalImages, settings, dataSource: ownData ? 'own' : 'classes', calibration });
      await studio.getState().start({ step, files, state: checkpoint.state, curve: checkpoint.curve });
    },

    async discard() {
      set({ offer: undefined, cause: undefined });
      await (await storage()).clearCheckpoint().catch(() => undefined);
    },
  }));

  /** A snapshot of what the worker is training now, with the steps it is after; undefined when it is not mid-run. */
  const snapshot = async (totalSteps: number) => {
    const taken = await client.request('snapshot', {});
    if (taken.kind === 'idle' || !(taken.step > 0 && taken.step < totalSteps)) return undefined;
    return taken;
  };

  const saveRunCheckpoint = async () => {
    const taken = await snapshot(studio.getState().run.totalSteps);
    const state = studio.getState();
    // The run may have ended while the snapshot was taken: then there is nothing to resume.
    if (!taken || taken.kind !== 'unlearn' || !isStepping(state.run.phase)) return;
    const { modelId, dataSource, settings, forgetClasses, retainClasses, evalImages } = state;
    const curve = state.curve.filter((r) => r.step <= taken.step);
    await (await storage()).putCheckpoint({
      kind: 'unlearn',
      modelId,
      ownData: dataSource === 'own',
      settings,
      forgetClasses,
      retainClasses,
      evalImages,
      calibration: state.runSetup?.calibration,
      curve,
      step: taken.step,
      files: taken.files,
      state: taken.state,
      savedAt: Date.now(),
    });
  };

  const saveTrainingCheckpoint = async () => {
    const training = ownModel.getState().training;
    const taken = training && (await snapshot(training.totalSteps));
    const now = ownModel.getState().training;
    if (!taken || taken.kind !== 'train-original' || !now || now.runId !== training.runId || !isStepping(now.phase)) return;
    const curve = now.curve.filter((r) => r.step <= taken.step);
    await (await storage()).putCheckpoint({
      kind: 'train-original',
      modelId: now.modelId,
      trainSettings: ownModel.getState().trainSettings,
      curve,
      step: taken.step,
      files: taken.files,
      state: taken.state,
      savedAt: Date.now(),
    });
  };

  /** After a lost worker: the last checkpoint of the run it cut short resumes by itself when the GPU was lost, else it is offered. */
  const recover = async (loss: WorkerLoss) => {
    const offer = await (await storage()).checkpoint().catch(() => undefined);
    if (offer) {
      store.setState({ offer, cause: loss.cause });
      if (loss.cause === 'backendLost') await store.getState().resume();
    } else if (loss.cause === 'backendLost' && studio.getState().run.phase === 'interrupted') {
      // Lost before its first checkpoint: the run starts again on the new backend.
      await studio.getState().start();
    }
  };

  /** Saves a checkpoint every few seconds of a run or a training, drops it when that ends, and offers the one a reload finds. */
  function keepCheckpoints(): void {
    let last = 0;
    let saving = false;
    const clear = () => void storage().then((db) => db.clearCheckpoint()).catch(() => undefined);
    const maybeSave = (save: () => Promise<void>, msPerStep: number) => {
      if (saving || performance.now() - last < Math.max(CHECKPOINT_MS, CHECKPOINT_STEPS * msPerStep)) return;
      saving = true;
      last = performance.now();
      save()
        .catch((error) => studio.getState().reportError(`the checkpoint could not be saved: ${errorMessage(error)}`))
        .finally(() => (saving = false));
    };
    const started = () => {
      last = performance.now();
      store.setState({ offer: undefined, cause: undefined });
    };
    studio.subscribe((state, previous) => {
      if (state.run.phase === 'preparing' && previous.run.phase !== 'preparing') started();
      if (state.run.phase === 'running' && state.curve !== previous.curve) maybeSave(saveRunCheckpoint, state.curve.at(-1)?.ms ?? 0);
      if (hasEnded(state.run.phase) && !hasEnded(previous.run.phase) && state.run.id > 0) clear();
    });
    ownModel.subscribe(({ training }, previous) => {
      if (!training) return;
      if (training.runId !== previous.training?.runId) started();
      else if (training.phase === 'running' && training.curve !== previous.training.curve) maybeSave(saveTrainingCheckpoint, training.curve.at(-1)?.ms ?? 0);
      else if (hasEnded(training.phase) && !hasEnded(previous.training.phase)) clear();
    });
    client.onRestart(({ loss }) => void recover(loss).catch((error) => studio.getState().reportError(error)));
    void storage()
      .then((db) => db.checkpoint())
      .then((offer) => offer && store.setState({ offer, cause: 'reload' }))
      .catch(() => undefined);
  }

  return Object.assign(store, { keepCheckpoints });
}

/**
 * Checkpoints of the run in progress, an unlearning run or the training of an original (saved
 * every few seconds, dropped when it ends), and, after a reload that cut one short, the offer to
 * resume it from the last one.
 */
import { create } from 'zustand';
import type { RunCheckpoint } from '../worker/studio-db';
import { useOwnModel } from './own-model-store';
import { useOwnSets } from './own-sets-store';
import { studioStorage } from './storage-handle';
import { studioWorker, useStudio, type RunPhase } from './studio-store';

/** Checkpoints come at most this often, and never more often than every CHECKPOINT_STEPS steps: on a slow backend a snapshot would slow the run. */
const CHECKPOINT_MS = 5000;
const CHECKPOINT_STEPS = 20;

export interface ResumeState {
  offer?: RunCheckpoint;
  resume(): Promise<void>;
  discard(): Promise<void>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const useResume = create<ResumeState>()((set, get) => ({
  async resume() {
    const checkpoint = get().offer;
    if (!checkpoint) return;
    set({ offer: undefined });
    const { step, files } = checkpoint;
    if (checkpoint.kind === 'train-original') {
      await useOwnSets.getState().restore();
      useStudio.getState().setDataSource('own');
      useOwnModel.getState().updateTrainSettings(checkpoint.trainSettings);
      await useOwnModel.getState().trainOriginal({ step, files, curve: checkpoint.curve });
      return;
    }
    const studio = useStudio.getState();
    if (studio.modelId !== checkpoint.modelId) await studio.selectModel(checkpoint.modelId);
    if (checkpoint.ownData) await useOwnSets.getState().restore();
    const { forgetClasses, retainClasses, evalImages, settings, ownData } = checkpoint;
    useStudio.setState({ forgetClasses, retainClasses, evalImages, dataSource: ownData ? 'own' : 'classes' });
    useStudio.getState().updateSettings(settings);
    await useStudio.getState().start({ step, files, curve: checkpoint.curve });
  },

  async discard() {
    set({ offer: undefined });
    await (await studioStorage()).clearCheckpoint().catch(() => undefined);
  },
}));

const ended = (phase: RunPhase) => phase === 'finished' || phase === 'stopped';
const active = (phase: RunPhase) => phase === 'running' || phase === 'paused';

/** A snapshot of the weights the worker is training now, with the steps they are after. */
async function snapshot(totalSteps: number) {
  const worker = studioWorker();
  if (!worker) return undefined;
  const { files, step = 0 } = await worker.snapshot();
  return step > 0 && step < totalSteps ? { files, step, savedAt: Date.now() } : undefined;
}

async function saveRunCheckpoint(): Promise<void> {
  const taken = await snapshot(useStudio.getState().run.totalSteps);
  const state = useStudio.getState();
  // The run may have ended while the snapshot was taken: then there is nothing to resume.
  if (!taken || !active(state.run.phase)) return;
  const { modelId, dataSource, settings, forgetClasses, retainClasses, evalImages } = state;
  const curve = state.curve.filter((r) => r.step <= taken.step);
  await (await studioStorage()).putCheckpoint({ kind: 'unlearn', modelId, ownData: dataSource === 'own', settings, forgetClasses, retainClasses, evalImages, curve, ...taken });
}

async function saveTrainingCheckpoint(): Promise<void> {
  const training = useOwnModel.getState().training;
  const taken = training && (await snapshot(training.totalSteps));
  const now = useOwnModel.getState().training;
  if (!taken || !now || now.runId !== training.runId || !active(now.phase)) return;
  const curve = now.curve.filter((r) => r.step <= taken.step);
  await (await studioStorage()).putCheckpoint({ kind: 'train-original', modelId: now.modelId, trainSettings: useOwnModel.getState().trainSettings, curve, ...taken });
}

/** Saves a checkpoint every few seconds of a run or a training, drops it when that ends, and offers the one a reload finds. */
export function keepCheckpoints(): void {
  let last = 0;
  let saving = false;
  const clear = () => void studioStorage().then((storage) => storage.clearCheckpoint()).catch(() => undefined);
  const maybeSave = (save: () => Promise<void>, msPerStep: number) => {
    if (saving || performance.now() - last < Math.max(CHECKPOINT_MS, CHECKPOINT_STEPS * msPerStep)) return;
    saving = true;
    last = performance.now();
    save()
      .catch((error) => useStudio.setState({ error: `the checkpoint could not be saved: ${message(error)}` }))
      .finally(() => (saving = false));
  };
  const started = () => {
    last = performance.now();
    useResume.setState({ offer: undefined });
  };
  useStudio.subscribe((state, previous) => {
    if (state.run.phase === 'preparing' && previous.run.phase !== 'preparing') started();
    if (state.run.phase === 'running' && state.curve !== previous.curve) maybeSave(saveRunCheckpoint, state.curve.at(-1)?.ms ?? 0);
    if (ended(state.run.phase) && !ended(previous.run.phase) && state.run.id > 0) clear();
  });
  useOwnModel.subscribe(({ training }, previous) => {
    if (!training) return;
    if (training.runId !== previous.training?.runId) started();
    else if (training.phase === 'running' && training.curve !== previous.training.curve) maybeSave(saveTrainingCheckpoint, training.curve.at(-1)?.ms ?? 0);
    else if (ended(training.phase) && !ended(previous.training.phase)) clear();
  });
  void studioStorage()
    .then((storage) => storage.checkpoint())
    .then((offer) => offer && useResume.setState({ offer }))
    .catch(() => undefined);
}

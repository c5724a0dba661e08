/**
 * The studio's stores on the page, around one training-worker client: what the UI imports.
 * (The stores' modules export factories, so the unit tests build them around a fake client.)
 */
import { WorkerClient, browserWorker } from '../client/worker-client';
import { DEFAULT_RUN_OPTIONS } from '../shared/settings';
import { createFirstRunStore } from './first-run';
import { createOwnModelStore } from './own-model-store';
import { ownSetsForWorker, useOwnSets } from './own-sets-store';
import { createResumeStore } from './resume-store';
import { startSession } from './session';
import { studioStorage } from './storage-handle';
import { DEFAULT_FORGET_CLASSES, DEFAULT_MODEL_ID, createStudioStore } from './studio-store';
import { readSharedSettings } from './url-settings';

/** Longer than any one step takes on the slowest backend here (cpu, batch 64: about 27 s). */
const DEFAULT_WATCHDOG_SECONDS = 60;

const shared = readSharedSettings(location.search, { modelId: DEFAULT_MODEL_ID, forgetClasses: DEFAULT_FORGET_CLASSES, evalImages: DEFAULT_RUN_OPTIONS.evalImages });

export const workerClient = new WorkerClient({ spawn: browserWorker, watchdogMs: (shared.watchdogSeconds ?? DEFAULT_WATCHDOG_SECONDS) * 1000 });

export const useStudio = createStudioStore({
  client: workerClient,
  shared,
  ownSets: ownSetsForWorker,
  writeUrl: (search) => history.replaceState(null, '', search),
});
export const useOwnModel = createOwnModelStore(workerClient, useStudio, studioStorage);
export const useResume = createResumeStore({ client: workerClient, studio: useStudio, ownModel: useOwnModel, ownSets: useOwnSets, storage: studioStorage });
export const useFirstRun = createFirstRunStore(useStudio, studioStorage);
export { useOwnSets };

let started = false;

/** Starts the worker's backend, loads the model and brings the saved session back (once). */
export function startStudio(): void {
  if (started) return;
  started = true;
  void useStudio.getState().initialize();
  startSession({ studio: useStudio, ownModel: useOwnModel, ownSets: useOwnSets, resume: useResume, storage: studioStorage }, location.search);
}

export { isComparing, resultsStale } from './studio-store';
export { remainingMs } from './eta';
export type { ComparisonResult, ComparisonState, RunSetup, RunState, StudioState } from './studio-store';

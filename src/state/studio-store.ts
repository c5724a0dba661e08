/**
 * The studio's store: the one thing the UI talks to. Built by a factory that is handed the worker
 * client (a fake one in the unit tests), out of four slices: the backend, the selection and
 * settings, the run, and the method comparison.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { WorkerClient } from '../client/worker-client';
import type { OwnSets } from '../shared/own';
import { createBackendSlice, type BackendSlice } from './slices/backend';
import { createComparisonSlice, type ComparisonSlice } from './slices/comparison';
import { createRunSlice, type RunSlice } from './slices/run';
import { createSelectionSlice, type SelectionSlice } from './slices/selection';
import { writeSharedSettings, type SharedSettings } from './url-settings';
import { errorMessage } from './errors';
import { calibrationRequest } from './slices/selection';

export type { BackendSlice, ComparisonSlice, RunSlice, SelectionSlice };
export type { ComparisonPhase, ComparisonResult, ComparisonState } from './slices/comparison';
export { isComparing } from './slices/comparison';
export { resultsStale } from './slices/run';
export type { RunSetup, RunState } from './slices/run';
export type { DataSource, Phase } from './slices/selection';

export const DEFAULT_MODEL_ID = 'mnist-inpaint-ae';
export const DEFAULT_FORGET_CLASSES = [7];

/** What the store needs of the worker client. */
export type StudioClient = Pick<WorkerClient, 'request' | 'listen' | 'onLoss' | 'onRestart'>;

export interface ErrorSlice {
  /** The message shown in the error banner; nothing loaded is lost when it appears. */
  error?: string;
  reportError(error: unknown): void;
  dismissError(): void;
}

export type StudioState = BackendSlice & SelectionSlice & RunSlice & ComparisonSlice & ErrorSlice;
export type StudioStore = UseBoundStore<StoreApi<StudioState>>;

export interface StudioDeps {
  client: StudioClient;
  /** The settings the page was opened with (the URL). */
  shared: SharedSettings;
  /** The user's own sets, for a run on them (throws with the reason when they are not ready). */
  ownSets(): OwnSets;
  /** Writes the settings that change a result into the URL. */
  writeUrl(search: string): void;
}

/** A slice: its state and actions, given the whole store's set and get and the store's dependencies. */
export type SliceCreator<T> = (set: StoreApi<StudioState>['setState'], get: () => StudioState, deps: StudioDeps & { syncUrl(): void }) => T;

export function createStudioStore(deps: StudioDeps): StudioStore {
  const store = create<StudioState>()((set, get) => {
    const syncUrl = () => {
      const { modelId, forgetClasses, settings, evalImages, sampleSteps, sampler, preferredBackend, stopAtTarget } = get();
      const calibration = calibrationRequest(stopAtTarget);
      deps.writeUrl(writeSharedSettings({ ...deps.shared, modelId, forgetClasses, settings, evalImages, sampleSteps, sampler, backend: preferredBackend, calibration }));
    };
    const sliceDeps = { ...deps, syncUrl };
    return {
      ...createBackendSlice(set, get, sliceDeps),
      ...createSelectionSlice(set, get, sliceDeps),
      ...createRunSlice(set, get, sliceDeps),
      ...createComparisonSlice(set, get, sliceDeps),
      reportError: (error) => set({ error: errorMessage(error) }),
      dismissError: () => set({ error: undefined }),
    };
  });
  const { client } = deps;
  client.listen((event) => store.getState().onJobEvent(event));
  client.onLoss((loss) => store.getState().onWorkerLoss(loss));
  client.onRestart((restarted) => store.getState().onWorkerRestart(restarted));
  return store;
}

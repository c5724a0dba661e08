/**
 * The guided first run: a few steps that explain what forgetting means here and how to read the
 * results, moved on by what the user does (a run starts, the grid arrives, the metrics arrive).
 * Shown on a first visit only: once finished or dismissed it is never shown again.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { StudioStorage } from '../shared/studio-db';
import type { StudioStore } from './studio-store';

export type GuideStep = 'sets' | 'start' | 'grid' | 'metrics';
export const GUIDE_STEPS: GuideStep[] = ['sets', 'start', 'grid', 'metrics'];

export interface FirstRunState {
  /** The step shown, or undefined when the guide is hidden (done, dismissed, or not known yet). */
  step?: GuideStep;
  next(): void;
  dismiss(): void;
}

export type FirstRunStore = UseBoundStore<StoreApi<FirstRunState>>;

const DONE_KEY = 'firstRunDone';

export function createFirstRunStore(studio: StudioStore, storage: () => Promise<StudioStorage>): FirstRunStore {
  const done = () => void storage().then((db) => db.putSetting(DONE_KEY, true)).catch(() => undefined);
  const store = create<FirstRunState>()((set, get) => ({
    next() {
      const at = GUIDE_STEPS.indexOf(get().step!);
      if (at < 0) return;
      if (at === GUIDE_STEPS.length - 1) get().dismiss();
      else set({ step: GUIDE_STEPS[at + 1] });
    },
    dismiss() {
      set({ step: undefined });
      done();
    },
  }));
  // Hidden until storage has answered, so a returning user never sees it flash.
  void storage()
    .then((db) => db.setting<boolean>(DONE_KEY))
    .then((isDone) => !isDone && store.setState({ step: 'sets' }))
    .catch(() => undefined);
  // What the user does moves the guide on: it never sits on a step the studio is already past.
  studio.subscribe((state, previous) => {
    const { step } = store.getState();
    if (!step) return;
    const reached = (target: GuideStep) => GUIDE_STEPS.indexOf(step) < GUIDE_STEPS.indexOf(target) && store.setState({ step: target });
    if (state.run.phase === 'running' && previous.run.phase !== 'running') reached('grid');
    if (state.metrics && !previous.metrics && state.run.id > 0) reached('metrics');
  });
  return store;
}

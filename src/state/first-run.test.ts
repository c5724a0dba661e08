import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import type { StudioStorage } from '../shared/studio-db';
import { createFirstRunStore } from './first-run';
import type { StudioState, StudioStore } from './studio-store';

/** Only what the guide reads of the studio: the run's phase and id, and the metrics. */
const fakeStudio = () => create(() => ({ run: { id: 0, phase: 'idle' }, metrics: undefined }) as unknown as StudioState) as unknown as StudioStore;

function fakeStorage(saved: Record<string, unknown> = {}) {
  const db = {
    saved,
    setting: async (key: string) => saved[key],
    putSetting: async (key: string, value: unknown) => void (saved[key] = value),
  };
  return { db, storage: async () => db as unknown as StudioStorage };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the guided first run', () => {
  it('is shown on a first visit and moves on with what the user does', async () => {
    const studio = fakeStudio();
    const { db, storage } = fakeStorage();
    const guide = createFirstRunStore(studio, storage);
    await settle();
    expect(guide.getState().step).toBe('sets');
    guide.getState().next();
    expect(guide.getState().step).toBe('start');
    studio.setState({ run: { ...studio.getState().run, id: 1, phase: 'running' } });
    expect(guide.getState().step).toBe('grid');
    studio.setState({ metrics: {} as StudioState['metrics'], run: { ...studio.getState().run, phase: 'finished' } });
    expect(guide.getState().step).toBe('metrics');
    guide.getState().next();
    expect(guide.getState().step).toBeUndefined();
    await settle();
    expect(db.saved.firstRunDone).toBe(true);
  });

  it('is never shown again once dismissed', async () => {
    const { db, storage } = fakeStorage();
    const first = createFirstRunStore(fakeStudio(), storage);
    await settle();
    first.getState().dismiss();
    await settle();
    const again = createFirstRunStore(fakeStudio(), async () => db as unknown as StudioStorage);
    await settle();
    expect(again.getState().step).toBeUndefined();
  });

  it('skips ahead when the user starts a run before reading the first steps', async () => {
    const studio = fakeStudio();
    const guide = createFirstRunStore(studio, fakeStorage().storage);
    await settle();
    studio.setState({ run: { ...studio.getState().run, id: 1, phase: 'running' } });
    expect(guide.getState().step).toBe('grid');
  });
});

/**
 * What makes a reload bring everything back: the user's image sets (own-sets-store), the settings,
 * the last unlearning run, saved when it ends and shown again once its model is loaded, and the
 * checkpoint of a run the reload cut short (resume-store).
 */
import type { RunRecord } from '../worker/studio-db';
import type { TrainOriginalSettings, UnlearnSettings } from '../worker/protocol';
import { useOwnModel } from './own-model-store';
import { SET_NAMES, useOwnSets } from './own-sets-store';
import { keepCheckpoints } from './resume-store';
import { studioStorage } from './storage-handle';
import { useStudio, type RunPhase, type StudioState } from './studio-store';

const ended = (phase: RunPhase) => phase === 'finished' || phase === 'stopped';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function saveRun(state: StudioState): Promise<void> {
  const record: RunRecord = {
    kind: 'unlearn',
    modelId: state.modelId,
    status: state.run.phase,
    savedAt: Date.now(),
    settings: state.settings,
    forgetClasses: state.forgetClasses,
    ownData: state.dataSource === 'own',
    curve: state.curve,
    metrics: state.metrics,
    grid: state.grid,
    gridStep: state.gridStep,
  };
  try {
    await (await studioStorage()).putRun(record);
  } catch (error) {
    useStudio.setState({ error: `the run could not be saved: ${message(error)}` });
  }
}

/** Puts a saved run (its curve, grid and metrics) on screen, as a run just ended would be. */
export function showRun(record: RunRecord): void {
  const state = useStudio.getState();
  useStudio.setState({
    curve: record.curve ?? [],
    grid: record.grid,
    gridStep: record.gridStep ?? 0,
    metrics: record.metrics,
    ...(record.ownData ? { dataSource: 'own' as const } : {}),
    run: { ...state.run, phase: record.status as RunPhase, totalSteps: record.settings?.steps ?? record.curve?.length ?? 0 },
  });
}

async function restoreLastRun(): Promise<void> {
  const last = await (await studioStorage()).lastRun('unlearn').catch(() => undefined);
  const state = useStudio.getState();
  // Only onto the same model, and never over a run started meanwhile.
  if (!last || last.modelId !== state.modelId || state.run.phase !== 'idle' || state.curve.length > 0) return;
  showRun(last);
}

const SETTINGS_KEY = 'unlearnSettings';
const TRAIN_SETTINGS_KEY = 'trainOriginalSettings';

/** Settings come from the URL when it has any (a shared link); otherwise the last ones used here come back. */
async function restoreSettings(fromUrl: boolean): Promise<void> {
  const storage = await studioStorage();
  const trainSettings = await storage.setting<TrainOriginalSettings>(TRAIN_SETTINGS_KEY);
  if (trainSettings) useOwnModel.getState().updateTrainSettings(trainSettings);
  const settings = await storage.setting<UnlearnSettings>(SETTINGS_KEY);
  if (settings && !fromUrl) useStudio.getState().updateSettings(settings);
}

function saveSettingsOnChange(): void {
  const save = (key: string, value: unknown) => void studioStorage().then((storage) => storage.putSetting(key, value)).catch(() => undefined);
  useStudio.subscribe((state, previous) => state.settings !== previous.settings && save(SETTINGS_KEY, state.settings));
  useOwnModel.subscribe((state, previous) => state.trainSettings !== previous.trainSettings && save(TRAIN_SETTINGS_KEY, state.trainSettings));
}

let started = false;

export function startSession(): void {
  if (started) return;
  started = true;
  // Read now: the studio writes its settings into the URL as soon as the model is loaded.
  void restoreSettings(location.search.length > 1)
    .catch(() => undefined)
    .then(saveSettingsOnChange);
  void useOwnSets
    .getState()
    .restore()
    .then(() => {
      const { sets } = useOwnSets.getState();
      if (SET_NAMES.some((name) => sets[name].length > 0)) useStudio.getState().setDataSource('own');
    });
  keepCheckpoints();
  // A run is saved once it has ended and its metrics are in (they arrive before the final status).
  useStudio.subscribe((state, previous) => {
    if (state.run.id > 0 && ended(state.run.phase) && !ended(previous.run.phase) && state.metrics) void saveRun(state);
  });
  const stopWaiting = useStudio.subscribe((state) => {
    if (state.phase !== 'ready') return;
    stopWaiting();
    void restoreLastRun();
  });
}

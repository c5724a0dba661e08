/**
 * What makes a reload bring everything back: the user's image sets (own-sets-store), the settings,
 * the last unlearning run, saved when it ends and shown again once its model is loaded, and the
 * checkpoint of a run the reload cut short (resume-store). Every change goes through the stores' actions.
 */
import type { TrainOriginalSettings } from '../shared/own';
import type { UnlearnSettings } from '../shared/settings';
import type { RunRecord, StudioStorage } from '../shared/studio-db';
import { errorMessage } from './errors';
import type { OwnModelStore } from './own-model-store';
import { SET_NAMES, type useOwnSets } from './own-sets-store';
import type { ResumeStore } from './resume-store';
import { hasEnded } from './run-phase';
import type { StudioState, StudioStore } from './studio-store';

export interface SessionStores {
  studio: StudioStore;
  ownModel: OwnModelStore;
  ownSets: typeof useOwnSets;
  resume: ResumeStore & { keepCheckpoints(): void };
  storage: () => Promise<StudioStorage>;
}

const SETTINGS_KEY = 'unlearnSettings';

/** The unlearning settings last used, with the model they were used with (each model has its own recipe). */
interface SavedSettings {
  modelId: string;
  settings: UnlearnSettings;
}
const TRAIN_SETTINGS_KEY = 'trainOriginalSettings';

export function startSession({ studio, ownModel, ownSets, resume, storage }: SessionStores, search: string): void {
  const saveRun = async (state: StudioState) => {
    // What the run ran with, not what is selected now.
    const setup = state.runSetup!;
    const record: RunRecord = {
      kind: 'unlearn',
      modelId: setup.modelId,
      status: state.run.phase,
      savedAt: Date.now(),
      settings: setup.settings,
      forgetClasses: setup.forgetClasses,
      retainClasses: setup.retainClasses,
      evalImages: setup.evalImages,
      ownData: setup.dataSource === 'own',
      curve: state.curve,
      metrics: state.metrics,
      grid: state.grid,
      gridStep: state.gridStep,
      weights: state.unlearnedWeights,
      calibration: state.calibration,
      noiseLevels: state.noiseLevels,
    };
    try {
      await (await storage()).putRun(record);
    } catch (error) {
      studio.getState().reportError(`the run could not be saved: ${errorMessage(error)}`);
    }
  };

  const restoreLastRun = async () => {
    const last = await (await storage()).lastRun('unlearn').catch(() => undefined);
    const state = studio.getState();
    // Only onto the same model, and never over a run started meanwhile.
    if (!last || last.modelId !== state.modelId || state.run.phase !== 'idle' || state.curve.length > 0) return;
    state.showRun(last);
  };

  /**
   * Settings come from the URL when it has any (a shared link); otherwise the last ones used here
   * with the same model come back, once it is loaded (loading a model applies its recipe first).
   */
  const restoreSettings = async (fromUrl: boolean) => {
    const db = await storage();
    const trainSettings = await db.setting<TrainOriginalSettings>(TRAIN_SETTINGS_KEY);
    if (trainSettings) ownModel.getState().updateTrainSettings(trainSettings);
    const saved = await db.setting<SavedSettings>(SETTINGS_KEY);
    const state = studio.getState();
    // Saved before settings were kept per model (no modelId): not restored.
    // Over the model's recipe: a setting added since they were saved takes the recipe's value.
    if (saved?.modelId === state.modelId && !fromUrl) state.updateSettings({ ...state.settings, ...saved.settings });
  };

  const saveSettingsOnChange = () => {
    const save = (key: string, value: unknown) => void storage().then((db) => db.putSetting(key, value)).catch(() => undefined);
    studio.subscribe((state, previous) => state.settings !== previous.settings && save(SETTINGS_KEY, { modelId: state.modelId, settings: state.settings } satisfies SavedSettings));
    ownModel.subscribe((state, previous) => state.trainSettings !== previous.trainSettings && save(TRAIN_SETTINGS_KEY, state.trainSettings));
  };

  // Read now: the studio writes its settings into the URL as soon as the model is loaded.
  const fromUrl = search.length > 1;
  const whenModelLoaded = new Promise<void>((resolve) => {
    const stop = studio.subscribe((state) => state.phase === 'ready' && (stop(), resolve()));
  });
  void whenModelLoaded
    .then(() => restoreSettings(fromUrl))
    .catch(() => undefined)
    .then(saveSettingsOnChange);
  void ownSets
    .getState()
    .restore()
    .then(() => {
      const { sets } = ownSets.getState();
      if (SET_NAMES.some((name) => sets[name].length > 0)) studio.getState().setDataSource('own');
    });
  resume.keepCheckpoints();
  // A run is saved once it has ended, with its metrics (they arrive before the final status) unless its evaluation was cancelled.
  studio.subscribe((state, previous) => {
    if (state.run.id > 0 && hasEnded(state.run.phase) && !hasEnded(previous.run.phase) && state.runSetup) void saveRun(state);
  });
  const stopWaiting = studio.subscribe((state) => {
    if (state.phase !== 'ready') return;
    stopWaiting();
    void restoreLastRun();
  });
}

import { DEFAULT_CALIBRATION_EVERY, validateCalibration, type CalibrationGoalKind, type CalibrationRequest } from '../../shared/calibration';
import type { DatasetSummary, ModelCard } from '../../shared/protocol';
import { SETTING_RULES, validateSettings, withCalibratedRecipe, withRecipe, type DiffusionSampler, type UnlearnSettings } from '../../shared/settings';
import { modelTaskIds } from '../../shared/tasks';
import { errorMessage } from '../errors';
import type { SliceCreator } from '../studio-store';

export type { Phase } from './backend';

export type DataSource = 'classes' | 'own';

/** Stop at target as the settings panel holds it: the PSNR is kept while another goal is picked. */
export interface StopAtTargetChoice {
  on: boolean;
  goal: CalibrationGoalKind;
  /** The level for the `psnr` goal, dB. */
  forgetPsnr: number;
  every: number;
}

const DEFAULT_STOP_AT_TARGET: StopAtTargetChoice = { on: false, goal: 'retrained', forgetPsnr: 10, every: DEFAULT_CALIBRATION_EVERY };

/** What a run is asked to calibrate to; undefined when stop at target is off. */
export function calibrationRequest(choice: StopAtTargetChoice): CalibrationRequest | undefined {
  if (!choice.on) return undefined;
  return { goal: choice.goal === 'psnr' ? { kind: 'psnr', forgetPsnr: choice.forgetPsnr } : { kind: choice.goal }, every: choice.every };
}

function choiceOf(request: CalibrationRequest | undefined, current: StopAtTargetChoice): StopAtTargetChoice {
  if (!request) return { ...current, on: false };
  return { on: true, goal: request.goal.kind, forgetPsnr: request.goal.kind === 'psnr' ? request.goal.forgetPsnr : current.forgetPsnr, every: request.every };
}

/** What a run would run on: the model, the sets, the settings. */
export interface SelectionSlice {
  modelId: string;
  model?: ModelCard;
  dataset?: DatasetSummary;
  forgetClasses: number[];
  retainClasses: number[];
  /** The dataset's classes, or the user's own image sets (forget / retain / proxy retain). */
  dataSource: DataSource;
  settings: UnlearnSettings;
  evalImages: number;
  /** Sampling steps for diffusion models (grid and metrics); the model's default when undefined. */
  sampleSteps?: number;
  /** A diffusion model's sampler (grid and metrics); the model's default when undefined. */
  sampler?: DiffusionSampler;
  /** Settings whose field holds text that is not a usable value (the store keeps the last good one). */
  invalidSettings: string[];
  stopAtTarget: StopAtTargetChoice;
  /** Turning stop at target on or off applies the recipe's calibrated (or plain) α and learning rate. */
  setStopAtTarget(patch: Partial<StopAtTargetChoice>): void;
  /** Loads a model (and its dataset); a run of another model is ended. */
  selectModel(modelId: string): Promise<void>;
  toggleForgetClass(c: number): void;
  toggleRetainClass(c: number): void;
  updateSettings(patch: Partial<UnlearnSettings>): void;
  setSampleSteps(steps: number | undefined): void;
  setSampler(sampler: DiffusionSampler | undefined): void;
  setEvalImages(images: number): void;
  markSettingInvalid(key: keyof UnlearnSettings, invalid: boolean): void;
  setDataSource(source: DataSource): void;
  /** Puts back the sets and settings a run was started with (to resume it). */
  applyRunSetup(setup: { forgetClasses: number[]; retainClasses: number[]; evalImages: number; dataSource: DataSource; settings: UnlearnSettings; calibration?: CalibrationRequest }): void;
  /** Settings a run or a comparison can start with, or a clear reason why not. */
  checkRunnable(): void;
}

export const createSelectionSlice: SliceCreator<SelectionSlice> = (set, get, { client, shared, syncUrl }) => ({
  modelId: shared.modelId,
  forgetClasses: shared.forgetClasses,
  retainClasses: [],
  dataSource: 'classes',
  settings: shared.settings,
  evalImages: shared.evalImages,
  sampleSteps: shared.sampleSteps,
  sampler: shared.sampler,
  invalidSettings: [],
  stopAtTarget: choiceOf(shared.calibration, DEFAULT_STOP_AT_TARGET),

  async selectModel(modelId) {
    const previous = get().model;
    set({ phase: 'loading' });
    try {
      const loaded = await client.request('load', { modelId });
      const classes = loaded.dataset.classNames.map((_, i) => i);
      const forget = get().forgetClasses.filter((c) => classes.includes(c));
      // A task the new model was not trained on falls back to the model's default.
      const { task } = get().settings;
      let settings = task && !modelTaskIds(loaded.model).includes(task) ? { ...get().settings, task: undefined } : get().settings;
      if (previous?.id !== modelId) {
        // Another model starts from its own recipe; on the page's first model, what the URL gave wins.
        settings = withRecipe(settings, loaded.model.recipe, get().stopAtTarget.on);
        if (!previous) for (const key of shared.given ?? []) Object.assign(settings, { [key]: shared.settings[key] });
      }
      set({
        modelId,
        settings,
        model: loaded.model,
        dataset: loaded.dataset,
        forgetClasses: forget,
        retainClasses: classes.filter((c) => !forget.includes(c)),
        phase: 'ready',
      });
      if (previous?.id !== modelId) get().clearRun();
      syncUrl();
    } catch (error) {
      // The worker keeps what it had: so does the studio, unless nothing was loaded yet.
      set({ phase: previous ? 'ready' : 'failed', error: errorMessage(error) });
    }
  },

  toggleForgetClass(c) {
    const { forgetClasses, retainClasses } = get();
    const forgetting = !forgetClasses.includes(c);
    set({
      forgetClasses: forgetting ? [...forgetClasses, c].sort((a, b) => a - b) : forgetClasses.filter((x) => x !== c),
      // A class is never in both sets: forgetting it takes it out of the retain set, un-forgetting gives it back.
      retainClasses: forgetting ? retainClasses.filter((x) => x !== c) : [...retainClasses, c].sort((a, b) => a - b),
    });
    syncUrl();
  },

  toggleRetainClass(c) {
    const { forgetClasses, retainClasses } = get();
    if (forgetClasses.includes(c)) {
      set({ error: `class ${c} is in the forget set; take it out of the forget set before retaining it` });
      return;
    }
    set({ retainClasses: retainClasses.includes(c) ? retainClasses.filter((x) => x !== c) : [...retainClasses, c].sort((a, b) => a - b) });
  },

  updateSettings(patch) {
    set({ settings: { ...get().settings, ...patch } });
    syncUrl();
  },

  setSampleSteps(sampleSteps) {
    set({ sampleSteps });
    syncUrl();
  },

  setSampler(sampler) {
    set({ sampler });
    syncUrl();
  },

  setEvalImages(evalImages) {
    set({ evalImages });
    syncUrl();
  },

  markSettingInvalid(key, invalid) {
    const others = get().invalidSettings.filter((k) => k !== key);
    set({ invalidSettings: invalid ? [...others, key] : others });
  },

  setDataSource(dataSource) {
    set({ dataSource });
  },

  setStopAtTarget(patch) {
    const stopAtTarget = { ...get().stopAtTarget, ...patch };
    const toggled = patch.on !== undefined && patch.on !== get().stopAtTarget.on;
    const recipe = get().model?.recipe;
    set({ stopAtTarget, ...(toggled ? { settings: withCalibratedRecipe(get().settings, recipe, stopAtTarget.on) } : {}) });
    syncUrl();
  },

  applyRunSetup({ forgetClasses, retainClasses, evalImages, dataSource, settings, calibration }) {
    set({ forgetClasses, retainClasses, evalImages, dataSource, settings, stopAtTarget: choiceOf(calibration, get().stopAtTarget) });
    syncUrl();
  },

  checkRunnable() {
    const { forgetClasses, retainClasses, settings, invalidSettings } = get();
    if (get().phase !== 'ready') throw new Error('the studio is still loading');
    const calibration = calibrationRequest(get().stopAtTarget);
    if (calibration) validateCalibration(calibration);
    if (get().dataSource === 'own') return;
    if (forgetClasses.length === 0) throw new Error('the forget set is empty: pick at least one class to forget');
    if (retainClasses.length === 0) throw new Error('the retain set is empty: keep at least one class');
    if (invalidSettings.length) throw new Error(`fix the settings first: ${invalidSettings.map((k) => SETTING_RULES[k as keyof typeof SETTING_RULES]?.rule ?? k).join('; ')}`);
    validateSettings(settings);
  },
});

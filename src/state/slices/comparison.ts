import type { CompareProgressEvent } from '../../client/worker-client';
import type { AnswerOf, ComparedModel, SweepPlan, UnlearnSettings } from '../../shared/protocol';
import { CALIBRATED } from '../../shared/compared';
import { withCalibratedRecipe, type MethodId } from '../../shared/settings';
import { errorMessage } from '../errors';
import type { SliceCreator } from '../studio-store';

export type ComparisonPhase = 'idle' | 'running' | 'cancelling' | 'cancelled' | 'finished';

/** A comparison's answer, with what it ran with: the studio's settings may have changed since. */
export type ComparisonResult = Omit<Extract<AnswerOf<'compare'>, { type: 'compareResult' }>, 'type'> & {
  modelId: string;
  /** The dataset whose classifier the metrics were computed in. */
  dataset: string;
  forgetClasses: number[];
  settings: UnlearnSettings;
  evalImages: number;
};

export interface ComparisonState {
  phase: ComparisonPhase;
  progress?: Pick<CompareProgressEvent, 'progress' | 'position' | 'models'>;
  result?: ComparisonResult;
  /** The model whose membership-audit histogram and projection scatter are shown. */
  selected: ComparedModel;
}

export interface ComparisonSlice {
  comparison: ComparisonState;
  /** Compares every method on the current forget classes and settings (ends any run); `retrain` first trains the retrained reference here when none ships for the forget classes. */
  compare(options?: { retrain?: boolean; retrainSteps?: number; sweep?: SweepPlan }): Promise<void>;
  /** Stops the comparison after its current step. */
  cancelCompare(): Promise<void>;
  selectComparedModel(method: ComparedModel): void;
  /** Puts the settings a compared model was made with into the studio (method, α, steps; stop at target for the calibrated row). */
  loadComparedSettings(method: ComparedModel): void;
}

export const COMPARING_MESSAGE = 'a method comparison is running: wait for it to finish or cancel it first';
/** The comparison judges with the dataset's metric classifier and a reference retrained on its classes: neither exists for the user's images. */
export const OWN_IMAGES_COMPARE_MESSAGE =
  "the method comparison runs on a dataset's classes, not on your own images: it judges with the dataset's classifier (FID, IS, cosine) and a model retrained without the forget classes, and neither exists for your images. Switch to Dataset classes to compare methods";
const withoutType = <T extends { type: string }>({ type: _type, ...rest }: T): Omit<T, 'type'> => rest;

const IDLE_COMPARISON: ComparisonState = { phase: 'idle', selected: 'original' };

export const isComparing = (phase: ComparisonPhase) => phase === 'running' || phase === 'cancelling';

export const createComparisonSlice: SliceCreator<ComparisonSlice> = (set, get, { client }) => ({
  comparison: IDLE_COMPARISON,

  async compare(options) {
    try {
      get().checkRunnable();
      if (isComparing(get().comparison.phase)) throw new Error(COMPARING_MESSAGE);
      if (get().dataSource === 'own') throw new Error(OWN_IMAGES_COMPARE_MESSAGE);
    } catch (error) {
      set({ error: errorMessage(error) });
      return;
    }
    const { modelId, forgetClasses, evalImages, stopAtTarget } = get();
    // The plain rows run the recipe's own α and learning rate; the calibrated row its calibrated ones.
    const settings = stopAtTarget.on ? withCalibratedRecipe(get().settings, get().model?.recipe, false) : get().settings;
    const dataset = get().dataset?.id ?? '';
    set({ comparison: { ...IDLE_COMPARISON, phase: 'running' }, error: undefined });
    const onProgress = ({ progress, position, models }: CompareProgressEvent) => set({ comparison: { ...get().comparison, progress: { progress, position, models } } });
    try {
      const answer = await client.request(
        'compare',
        { modelId, forgetClasses, settings, evalImages, retrain: options?.retrain, retrainSteps: options?.retrainSteps, calibrateEvery: stopAtTarget.every, sweep: options?.sweep },
        onProgress,
      );
      set({
        comparison:
          answer.type === 'compareCancelled'
            ? { ...IDLE_COMPARISON, phase: 'cancelled' }
            : {
                ...IDLE_COMPARISON,
                phase: 'finished',
                result: { ...withoutType(answer), modelId, dataset, forgetClasses, settings, evalImages },
                selected: answer.audit.find((a) => a.method !== 'original' && a.method !== 'retrained')?.method ?? 'original',
              },
      });
    } catch (error) {
      set({ comparison: IDLE_COMPARISON, error: errorMessage(error) });
    }
  },

  async cancelCompare() {
    if (get().comparison.phase !== 'running') return;
    set({ comparison: { ...get().comparison, phase: 'cancelling' } });
    try {
      await client.request('stop', {});
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },

  selectComparedModel(method) {
    set({ comparison: { ...get().comparison, selected: method } });
  },

  loadComparedSettings(method) {
    const { result } = get().comparison;
    if (!result || method === 'original' || method === 'retrained') return;
    if (method === CALIBRATED) {
      get().updateSettings({ ...result.settings, method: 'paper' });
      get().setStopAtTarget({ on: true, goal: 'retrained', every: result.calibration?.every ?? get().stopAtTarget.every });
      return;
    }
    const point = result.sweep?.find((p) => p.method === method);
    get().setStopAtTarget({ on: false });
    get().updateSettings(point ? { ...result.settings, method: 'paper', alpha: point.alpha, steps: point.steps } : { ...result.settings, method: method as MethodId });
  },
});

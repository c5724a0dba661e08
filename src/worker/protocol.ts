/**
 * The typed, tagged messages between the studio (store) and the training worker. Only plain
 * data crosses: numbers, strings and typed arrays (transferred, not copied). The UI side imports
 * this file and never tfjs.
 */
import type { HoleQuality } from '../core/metrics/masked';
import type { ModelCard } from '../core/models/types';
import type { ImageStack, ReconstructionGrid } from '../core/unlearning/run';
import type { StepReport, UnlearnSettings } from '../core/unlearning/settings';
import type { BenchmarkBudget, BenchmarkResult } from '../core/benchmark';
import type { ComparisonProgress, EvaluationRow, EvaluationSet, MethodCost } from '../core/evaluation/compare-methods';
import type { ModelProjection, Point2d } from '../core/evaluation/projection';
import type { ModelFiles, OwnSets, ResumeFrom, TrainOriginalSettings, TrainReport } from './own-protocol';

export type { BenchmarkBudget, BenchmarkResult, HoleQuality, ImageStack, ModelCard, ReconstructionGrid, StepReport, UnlearnSettings };
export type { ComparisonProgress, EvaluationRow, EvaluationSet, MethodCost, Point2d };
export type { ModelFiles, OwnSets, ResumeFrom, TrainOriginalSettings, TrainReport };
export { DEFAULT_RUN_OPTIONS, DEFAULT_UNLEARN, METHODS, METHOD_IDS, SETTING_RULES, validateSettings } from '../core/unlearning/settings';
// ranking.ts is tfjs-free; compare-methods.ts is not, so only its types cross to the UI.
export { METRIC_COLUMNS, REFERENCES, bestValues, isBest, type MetricColumn } from '../core/evaluation/ranking';
export { TASKS, TASK_IDS, TASK_LABELS, centredSquare, modelTaskIds, type TaskId, type TaskSpec } from '../core/tasks/task';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why it was not used (empty when ok). */
  reason: string;
  /** The adapter behind webgpu, e.g. "google swiftshader". */
  adapter?: string;
  /** A software (CPU-emulated) GPU adapter: wasm is usually much faster there. */
  software?: boolean;
}

export interface BuiltInModel {
  id: string;
  dataset: string;
}

export interface DatasetSummary {
  id: string;
  title: string;
  classNames: string[];
  trainCounts: number[];
  testCounts: number[];
}

export interface SetCounts {
  forgetTrain: number;
  retainTrain: number;
  forgetTest: number;
  retainTest: number;
}

export interface MetricsReport {
  forget: { original: HoleQuality; unlearned: HoleQuality };
  retain: { original: HoleQuality; unlearned: HoleQuality };
}

/** `evaluating`: training is over (finished or stopped) and the held-out metrics are being computed. */
export type RunStatus = 'running' | 'paused' | 'evaluating' | 'stopped' | 'finished';

export interface StartRequest {
  modelId: string;
  forgetClasses: number[];
  retainClasses: number[];
  settings: UnlearnSettings;
  /** Held-out images per set for metrics, and shown in the grid. */
  evalImages: number;
  /** The user's own sets instead of the dataset's classes (the class lists are then ignored). */
  own?: OwnSets;
  /** Continue an interrupted run from a checkpoint: its weights after `step` steps (see ResumeFrom). */
  resume?: ResumeFrom;
  previewImages: number;
  /** DDIM steps of a diffusion model's sampler (grid and metrics); the model card's default when undefined. */
  sampleSteps?: number;
  /** Least time between grid refreshes: every step on a slow backend, about once a second on a fast one. */
  previewIntervalMs: number;
}

/** A model in a comparison: a reference (original, retrained) or a method's unlearned model. */
export type ComparedModel = EvaluationRow['method'];

/** Bins of the per-image losses of the membership audit: over one range shared by every model, so bars compare. */
export interface LossHistogram {
  min: number;
  max: number;
  members: number[];
  nonMembers: number[];
}

/** One model's 2-D UMAP scatter of output and ground-truth embeddings, in axes shared by every model. */
export type ComparedProjection = ModelProjection<ComparedModel>;

export interface AuditSummary {
  method: ComparedModel;
  /** Membership-inference AUC, forget-set images vs never-seen images of the forget classes. */
  auc: number;
  histogram: LossHistogram;
}

/** Studio -> worker. `requestId` ties the answer (or an error) to the request. */
export type WorkerRequest =
  /** `wasmThreads: true` lets wasm use its threaded build where the page is cross-origin isolated. */
  | { type: 'init'; requestId: number; preferred?: BackendName; wasmThreads?: boolean }
  | { type: 'load'; requestId: number; modelId: string }
  | { type: 'start'; requestId: number; run: StartRequest }
  | { type: 'pause'; requestId: number }
  | { type: 'resume'; requestId: number }
  | { type: 'stop'; requestId: number }
  | { type: 'selfCheck'; requestId: number }
  | {
      type: 'benchmark';
      requestId: number;
      task: BenchmarkResult['task'];
      modelId: string;
      forgetClasses: number[];
      batchSize: number;
      budget: BenchmarkBudget;
    }
  /** Runs every method next to the references; the retain set is every class not forgotten. */
  | {
      type: 'compare';
      requestId: number;
      modelId: string;
      forgetClasses: number[];
      settings: UnlearnSettings;
      evalImages: number;
      /** Train the retrained reference here first when none ships for these classes (kept for the session). */
      retrain?: boolean;
      /** Training steps of that reference: the original's recipe when undefined (fewer make a rougher reference). */
      retrainSteps?: number;
    }
  /** Stops the comparison after its current step; its request is then answered with `compareCancelled`. */
  | { type: 'cancelCompare'; requestId: number }
  /** Trains a new model of the default family on the user's sets (pause, resume and stop work as for a run); answered with `trainStarted`. */
  | { type: 'trainOriginal'; requestId: number; own: OwnSets; settings: TrainOriginalSettings; title: string; resume?: ResumeFrom }
  /** The loaded model as it is now (unlearned, after a run) as files, with a card naming what was done to it. */
  | { type: 'exportModel'; requestId: number; id: string; title: string }
  /** The loaded model's files as they are now, also mid-run (between two steps): a checkpoint. */
  | { type: 'snapshot'; requestId: number }
  /** The loaded model's reconstructions of `images` (HWC bytes) with its default task. */
  | { type: 'preview'; requestId: number; images: { count: number; height: number; width: number; channels: number; pixels: Uint8Array } };

/** Worker -> studio. */
export type WorkerEvent =
  | { type: 'ready'; requestId: number; backend: BackendName; attempts: BackendAttempt[]; models: BuiltInModel[] }
  | { type: 'loaded'; requestId: number; model: ModelCard; dataset: DatasetSummary }
  | { type: 'runStarted'; requestId: number; runId: number; counts: SetCounts; totalSteps: number }
  | { type: 'progress'; runId: number; report: StepReport; tensors: number }
  | { type: 'reconstructions'; runId: number; step: number; grid: ReconstructionGrid }
  | { type: 'metrics'; runId: number; step: number; metrics: MetricsReport }
  | { type: 'status'; runId: number; status: RunStatus }
  /** How far a multi-pass decoder (diffusion sampling) is through the next grid: `done` of `total` passes. */
  | { type: 'sampling'; runId: number; done: number; total: number }
  | { type: 'selfCheckResult'; requestId: number; backend: BackendName; maxRelativeDiff: number; tolerance: number; passed: boolean }
  | { type: 'benchmarkResult'; requestId: number; backend: BackendName; wasmThreads: number; result: BenchmarkResult }
  /**
   * Not an answer: the stream of a running comparison. `compareId` is the compare request's
   * requestId. `position` of `models` counts the models judged so far, this one included.
   */
  | { type: 'compareProgress'; compareId: number; progress: ComparisonProgress; position: number; models: number }
  /** Without a shipped retrained reference, `rows`, `audit` and `costs` have no retrained entries. */
  | { type: 'compareResult'; requestId: number; rows: EvaluationRow[]; audit: AuditSummary[]; costs: MethodCost[]; projection?: ComparedProjection[] }
  | { type: 'compareCancelled'; requestId: number }
  | { type: 'ack'; requestId: number }
  | { type: 'trainStarted'; requestId: number; runId: number; modelId: string; totalSteps: number }
  | { type: 'trainProgress'; runId: number; report: TrainReport; tensors: number }
  /** The trained original, saved in IndexedDB and now the loaded model (also after a stop, with the steps done). */
  | { type: 'trainedModel'; runId: number; model: ModelCard }
  /** `step`: for a snapshot taken during a run, the steps the run had done (the weights are those after them). */
  | { type: 'modelFiles'; requestId: number; model: ModelCard; files: ModelFiles; step?: number }
  | { type: 'previewResult'; requestId: number; reconstruction: ImageStack }
  | { type: 'error'; requestId?: number; runId?: number; message: string };

/** Every typed array of a message, to transfer instead of copy. */
export function transferablesOf(event: WorkerEvent): Transferable[] {
  if (event.type === 'modelFiles') return Object.values(event.files).map((bytes) => bytes.buffer);
  if (event.type === 'previewResult') return [event.reconstruction.pixels.buffer];
  if (event.type !== 'reconstructions') return [];
  const { forget, retain } = event.grid;
  return [forget, retain].flatMap((rows) => [rows.input, rows.original, rows.unlearned, rows.truth].map((s) => s.pixels.buffer));
}

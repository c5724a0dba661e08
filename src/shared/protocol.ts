/**
 * The typed, tagged messages between the studio and the training worker: types only. `Rpc` maps
 * each request to the one answer it gets, so a handler that answers with the wrong type, or a
 * caller that expects one, does not compile. Only plain data crosses (typed arrays are
 * transferred, see ./transfer). The core's data types are named with `import type`: nothing of
 * the core is loaded on the main thread.
 */
import type { BenchmarkBudget, BenchmarkResult } from '../core/benchmark';
import type { CalibrationRecord, ComparisonProgress, EvaluationRow, MethodCost, SweepPlan, SweepPoint } from '../core/evaluation/compare-methods';
import type { ModelProjection } from '../core/evaluation/projection';
import type { HoleQuality } from '../core/metrics/masked';
import type { NoiseLevelBucket } from '../core/evaluation/noise-levels';
import type { ModelCard } from '../core/models/types';
import type { PretrainerState } from '../core/training/pretrain';
import type { ImageStack, ReconstructionGrid } from '../core/unlearning/run';
import type { UnlearnerState } from '../core/unlearning/unlearner';
import type { OwnSets, TrainOriginalSettings, TrainReport } from './own';
import type { DiffusionSampler, StepReport, UnlearnSettings } from './settings';
import type { CalibrationPoint, CalibrationRequest, CalibrationStopReason, CalibrationTarget } from './calibration';

export type { BenchmarkBudget, BenchmarkResult, HoleQuality, ImageStack, ModelCard, ReconstructionGrid, StepReport, UnlearnSettings };
export type { CalibrationRecord, ComparisonProgress, EvaluationRow, MethodCost, PretrainerState, SweepPlan, SweepPoint, UnlearnerState };
export type { CalibrationPoint, CalibrationRequest, CalibrationStopReason, CalibrationTarget, NoiseLevelBucket };

/** A diffusion model's per-noise-level diagnostics, original and unlearned (see noise-levels.ts). */
export interface NoiseLevels {
  original: NoiseLevelBucket[];
  unlearned: NoiseLevelBucket[];
}
export type { EvaluationSet } from '../core/evaluation/compare-methods';
export type { Point2d } from '../core/evaluation/projection';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

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
  /** The class sets whose retrained reference (exact unlearning) ships with the model. */
  retrainedWithout?: readonly number[][];
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

/** A model as files (what saveModel writes), e.g. for export. */
export type ModelFiles = Record<string, Uint8Array>;

/**
 * A checkpoint to continue a run from: the model's weights after `step` of the run's steps and
 * the trainer's state there (optimiser moments, batch order), so the run goes on exactly as it
 * would have without the interruption.
 */
export interface ResumeFrom<State = UnlearnerState> {
  step: number;
  files: ModelFiles;
  state: State;
}

/**
 * `evaluating`: training is over (finished or stopped) and the held-out metrics are being computed.
 * `diverged`: the loss became non-finite or exploded, so the run ended at once, without metrics.
 */
export type RunStatus = 'running' | 'paused' | 'evaluating' | 'stopped' | 'finished' | 'diverged';

export interface StartRequest {
  modelId: string;
  forgetClasses: number[];
  retainClasses: number[];
  settings: UnlearnSettings;
  /** Held-out images per set for metrics, and shown in the grid. */
  evalImages: number;
  /** The user's own sets instead of the dataset's classes (the class lists are then ignored). */
  own?: OwnSets;
  /** Continue an interrupted run from a checkpoint. */
  resume?: ResumeFrom;
  previewImages: number;
  /** Steps of a diffusion model's sampler (grid and metrics); the model card's default when undefined. */
  sampleSteps?: number;
  /** A diffusion model's sampler (grid and metrics); the model card's default when undefined. */
  sampler?: DiffusionSampler;
  /** Least time between grid refreshes: every step on a slow backend, about once a second on a fast one. */
  previewIntervalMs: number;
  /** Stop at target: measure forget and retain quality every few steps and stop once the forget set reaches the goal. */
  calibration?: CalibrationRequest;
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

export interface PreviewImages {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** HWC bytes. */
  pixels: Uint8Array;
}

/** The answer to `snapshot`: what the job in the slot (or the loaded model, when none runs) is now. */
export type Checkpoint =
  | { type: 'checkpoint'; kind: 'unlearn'; model: ModelCard; files: ModelFiles; step: number; state: UnlearnerState }
  | { type: 'checkpoint'; kind: 'train-original'; model: ModelCard; files: ModelFiles; step: number; state: PretrainerState }
  | { type: 'checkpoint'; kind: 'idle'; model: ModelCard; files: ModelFiles };

type Ack = { type: 'ack' };

/**
 * Request (without `type` and `requestId`) -> answer, per request type. Jobs (a run, a training,
 * a comparison, a benchmark) take the worker's one job slot; `pause`, `resume` and `stop` act on
 * the job in the slot; every other request waits for the ones before it.
 */
export interface Rpc {
  /** `wasmThreads: true` lets wasm use its threaded build where the page is cross-origin isolated. */
  init: {
    request: { preferred?: BackendName; wasmThreads?: boolean };
    answer: { type: 'ready'; backend: BackendName; attempts: BackendAttempt[]; models: BuiltInModel[] };
  };
  load: { request: { modelId: string }; answer: { type: 'loaded'; model: ModelCard; dataset: DatasetSummary } };
  /** Answered once the run is in the slot; the run then streams its events under `runId`. */
  start: { request: { run: StartRequest }; answer: { type: 'runStarted'; runId: number; counts: SetCounts; totalSteps: number } };
  pause: { request: object; answer: Ack };
  resume: { request: object; answer: Ack };
  /**
   * Stops the job in the slot after its current step (a comparison then answers `compareCancelled`).
   * A run still computes its metrics, unless `withoutMetrics`: then it skips them, or cuts them short.
   */
  stop: { request: { withoutMetrics?: boolean }; answer: Ack };
  selfCheck: {
    request: object;
    answer: { type: 'selfCheckResult'; backend: BackendName; maxRelativeDiff: number; tolerance: number; passed: boolean };
  };
  benchmark: {
    request: { task: BenchmarkResult['task']; modelId: string; forgetClasses: number[]; batchSize: number; budget: BenchmarkBudget };
    answer: { type: 'benchmarkResult'; backend: BackendName; wasmThreads: number; result: BenchmarkResult };
  };
  /** Runs every method next to the references; the retain set is every class not forgotten. Streams `compareProgress` under `compareId` = this requestId. */
  compare: {
    request: {
      modelId: string;
      forgetClasses: number[];
      settings: UnlearnSettings;
      evalImages: number;
      /** Train the retrained reference here first when none ships for these classes (kept for the session). */
      retrain?: boolean;
      /** Training steps of that reference: the original's recipe when undefined (fewer make a rougher reference). */
      retrainSteps?: number;
      /** Steps between the calibrated row's measurements (the paper's method stopped at the retrained reference's forget quality; needs the reference). */
      calibrateEvery: number;
      /** Also run the paper's method at these α values and step counts: the trade-off view's points. */
      sweep?: SweepPlan;
    };
    /** Without a retrained reference, `rows`, `audit` and `costs` have no retrained or calibrated entries. */
    answer:
      | {
          type: 'compareResult';
          rows: EvaluationRow[];
          audit: AuditSummary[];
          costs: MethodCost[];
          projection?: ComparedProjection[];
          calibration?: CalibrationRecord;
          sweep?: SweepPoint[];
        }
      | { type: 'compareCancelled' };
  };
  /** Trains a new model of the default family on the user's sets (pause, resume and stop work as for a run). */
  trainOriginal: {
    request: { own: OwnSets; settings: TrainOriginalSettings; title: string; resume?: ResumeFrom<PretrainerState> };
    answer: { type: 'trainStarted'; runId: number; modelId: string; totalSteps: number };
  };
  /**
   * The loaded model as files, with a card naming what was done to it: with `weights` (a run's
   * `unlearnedWeights`, checked to fit) in place of its own files of those parts, else as it is now.
   */
  exportModel: { request: { id: string; title: string; weights?: ModelFiles }; answer: { type: 'modelFiles'; model: ModelCard; files: ModelFiles } };
  /** A checkpoint of the job in the slot, taken between two steps (none in flight). */
  snapshot: { request: object; answer: Checkpoint };
  /** The loaded model's reconstructions of `images` with its default task. */
  preview: { request: { images: PreviewImages }; answer: { type: 'previewResult'; reconstruction: ImageStack } };
  /** A test hook: loses the GPU as a driver reset would (destroys the WebGPU device, or loses the WebGL context). */
  loseBackend: { request: object; answer: Ack };
}

export type RequestType = keyof Rpc;
export type RequestOf<K extends RequestType> = { type: K; requestId: number } & Rpc[K]['request'];
export type RequestBody<K extends RequestType> = Rpc[K]['request'];
export type AnswerOf<K extends RequestType> = Rpc[K]['answer'];

/** Studio -> worker. */
export type WorkerRequest = { [K in RequestType]: RequestOf<K> }[RequestType];

/** An answer, tied to its request by `requestId`. */
export type AnswerEvent = { [K in RequestType]: AnswerOf<K> & { requestId: number } }[RequestType];

/** Events a job streams while it runs; `runId` names the run or training they belong to. */
export type JobEvent =
  | { type: 'progress'; runId: number; report: StepReport; tensors: number }
  | { type: 'reconstructions'; runId: number; step: number; grid: ReconstructionGrid }
  | { type: 'metrics'; runId: number; step: number; metrics: MetricsReport }
  /** A diffusion model's run, after its metrics: where along the noise levels it forgot. */
  | { type: 'noiseLevels'; runId: number; noiseLevels: NoiseLevels }
  /** The files of the parts the run trained (the encoder; the decoder too for methods that train it), once its steps are over: kept with the run so its model can be exported after a reload. */
  | { type: 'unlearnedWeights'; runId: number; step: number; files: ModelFiles }
  /** A calibrated run's target, and the original's quality on the calibration slice (the chart's lines). */
  | { type: 'calibrationTarget'; runId: number; target: CalibrationTarget; original: Omit<CalibrationPoint, 'step'> }
  /** One in-run measurement of a calibrated run. */
  | { type: 'calibration'; runId: number; point: CalibrationPoint }
  /** Why a calibrated run's steps ended, when they ended by themselves (a stop by the user says nothing). */
  | { type: 'calibrationEnd'; runId: number; step: number; reason: CalibrationStopReason }
  /** The held-out metrics: `done` of `total` image reconstructions judged (original and unlearned, both sets). */
  | { type: 'evaluationProgress'; runId: number; done: number; total: number }
  /** `reason`: why, for a run that diverged. */
  | { type: 'status'; runId: number; status: RunStatus; reason?: string }
  /** How far a multi-pass decoder (diffusion sampling) is through the next grid: `done` of `total` passes. */
  | { type: 'sampling'; runId: number; done: number; total: number }
  | { type: 'trainProgress'; runId: number; report: TrainReport; tensors: number }
  /** The trained original, saved in IndexedDB and now the loaded model (also after a stop, with the steps done). */
  | { type: 'trainedModel'; runId: number; model: ModelCard }
  /** A job failed; what was loaded before it stays. */
  | { type: 'error'; runId: number; message: string }
  /** `position` of `models` counts the models judged so far, this one included. */
  | { type: 'compareProgress'; compareId: number; progress: ComparisonProgress; position: number; models: number };

/** The worker's own state, not tied to a request or a job. */
export type WorkerNotice =
  /** Sent every few seconds: the client's watchdog replaces a worker that goes quiet. */
  | { type: 'heartbeat' }
  /** The GPU device (or WebGL context) is gone, and every tensor on it: the worker must be replaced. */
  | { type: 'backendLost'; backend: BackendName; reason: string };

/** Worker -> studio. */
export type WorkerEvent = AnswerEvent | { type: 'error'; requestId: number; message: string } | JobEvent | WorkerNotice;

/**
 * The training worker's dispatcher: requests in, answers and job events out. `pause`, `resume` and
 * `stop` act on the job in the slot at once; every other request waits for the ones before it,
 * so two quick `start`s cannot both find the slot empty.
 */
import { PARITY_TOLERANCE, compareWithCpu } from '../core/backend/parity';
import { splitByClass } from '../core/data/splits';
import { BUILT_IN_MODELS } from '../core/models/registry';
import { retrainedTarget, unseenClassTarget } from '../core/unlearning/calibration';
import { UnlearningRun } from '../core/unlearning/run';
import { validateCalibration, type CalibrationTarget } from '../shared/calibration';
import { OWN_MODEL_PREFIX } from '../shared/own';
import type { AnswerOf, BackendAttempt, BackendName, Checkpoint, JobEvent, RequestOf, StartRequest, WorkerEvent, WorkerRequest } from '../shared/protocol';
import { validateSettings } from '../shared/settings';
import { BenchmarkJob } from './benchmark-job';
import { ComparisonJob } from './comparison-job';
import { JobSlot, type Job } from './jobs';
import { OriginalTraining, applyCheckpoint, filesWithWeights, modelFiles, modelFromFiles, ownRunSplit, previewStack, storedModels } from './own-models';
import { RunJob } from './run-job';
import { TrainingJob } from './training-job';
import { Workspace, summarise, type FolderReader, type Loaded } from './workspace';

/** What the runtime needs from where it runs: the browser worker, or a test in Node. */
export interface RuntimeHost {
  post(event: WorkerEvent): void;
  folder: FolderReader;
  selectBackend(preferred: BackendName | undefined, wasmThreads: boolean): Promise<{ backend: BackendName; attempts: BackendAttempt[] }>;
  wasmThreadCount(): number;
  /** Loses the GPU as a driver reset would (the test hook behind `loseBackend`). */
  loseBackend(backend: BackendName): void;
}

const CONTROLS = ['pause', 'resume', 'stop'] as const;
const isControl = (request: WorkerRequest): request is RequestOf<(typeof CONTROLS)[number]> => (CONTROLS as readonly string[]).includes(request.type);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Uses a reference, then frees it unless the workspace keeps it. */
async function withReference<T>(reference: { model: { dispose(): void }; kept: boolean }, use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } finally {
    if (!reference.kept) reference.model.dispose();
  }
}

function assertNever(request: never): never {
  throw new Error(`unknown request ${JSON.stringify(request)}`);
}

export class WorkerRuntime {
  private readonly slot = new JobSlot();
  private readonly workspace: Workspace;
  private backend?: BackendName;
  private queue: Promise<void> = Promise.resolve();
  private nextRunId = 1;

  constructor(private readonly host: RuntimeHost) {
    this.workspace = new Workspace(host.folder);
  }

  receive(request: WorkerRequest): void {
    const handled = isControl(request) ? this.handle(request) : this.queue.then(() => this.handle(request));
    // A request that fails is answered with its error; the ones queued after it still run.
    if (!isControl(request)) this.queue = handled.catch(() => undefined);
    handled.catch((error) => this.host.post({ type: 'error', requestId: request.requestId, message: describe(error) }));
  }

  /** Answers `request` with the answer its type maps to (see Rpc): a mismatch does not compile. */
  private reply<R extends WorkerRequest>(request: R, answer: AnswerOf<R['type']>): void {
    this.host.post({ ...answer, requestId: request.requestId } as WorkerEvent);
  }

  private emit = (event: JobEvent) => this.host.post(event);

  private async handle(request: WorkerRequest): Promise<void> {
    switch (request.type) {
      case 'init': {
        const selected = await this.host.selectBackend(request.preferred, request.wasmThreads ?? true);
        this.backend = selected.backend;
        return this.reply(request, { type: 'ready', ...selected, models: [...BUILT_IN_MODELS.map((m) => ({ ...m })), ...(await storedModels())] });
      }
      case 'load': {
        const loaded = await this.ensureLoaded(request.modelId);
        return this.reply(request, { type: 'loaded', model: loaded.model.card, dataset: summarise(loaded.dataset) });
      }
      case 'start':
        return this.reply(request, await this.start(request));
      case 'pause':
      case 'resume':
      case 'stop':
        this.slot.control(request.type, request.type === 'stop' && request.withoutMetrics);
        return this.reply(request, { type: 'ack' });
      case 'selfCheck': {
        if (this.slot.job) throw new Error(`${this.slot.job.busyMessage}: stop it before checking the backend`);
        const { maxRelativeDiff } = await compareWithCpu();
        return this.reply(request, { type: 'selfCheckResult', backend: this.activeBackend(), maxRelativeDiff, tolerance: PARITY_TOLERANCE, passed: maxRelativeDiff <= PARITY_TOLERANCE });
      }
      case 'benchmark': {
        const loaded = await this.ensureLoaded(request.modelId);
        await this.clearSlot();
        return this.startJob(request, new BenchmarkJob(request, loaded, this.activeBackend(), this.host.wasmThreadCount, (answer) => this.reply(request, answer)));
      }
      case 'compare': {
        validateSettings(request.settings);
        await this.clearSlot();
        const loaded = await this.ensureLoaded(request.modelId);
        return this.startJob(request, new ComparisonJob(request, loaded, this.workspace, this.emit, (answer) => this.reply(request, answer)));
      }
      case 'trainOriginal':
        return this.reply(request, await this.trainOriginal(request));
      case 'exportModel': {
        const model = this.requireModel();
        if (this.slot.job) throw new Error('stop the run (or let it finish) before exporting its model');
        const card = { ...model.card, id: request.id, title: request.title };
        const files = request.weights ? await filesWithWeights(model, card, request.weights) : await modelFiles(model, card);
        return this.reply(request, { type: 'modelFiles', model: card, files });
      }
      case 'snapshot':
        return this.reply(request, await this.snapshot());
      case 'preview': {
        if (this.slot.job) throw new Error(this.slot.job.busyMessage);
        return this.reply(request, { type: 'previewResult', reconstruction: await previewStack(this.requireModel(), request.images) });
      }
      case 'loseBackend':
        this.host.loseBackend(this.activeBackend());
        return this.reply(request, { type: 'ack' });
      default:
        return assertNever(request);
    }
  }

  private activeBackend(): BackendName {
    if (!this.backend) throw new Error('the worker has no backend yet (init first)');
    return this.backend;
  }

  private requireModel() {
    const model = this.workspace.loadedModel;
    if (!model) throw new Error('no model is loaded');
    return model;
  }

  /** Ends the job in the slot (a run gives way, others refuse) and puts the original weights back. */
  private async clearSlot(): Promise<void> {
    await this.slot.clear();
    this.workspace.releaseRun();
  }

  private ensureLoaded(modelId: string) {
    return this.workspace.ensureLoaded(modelId, () => this.clearSlot());
  }

  /** Runs `job` in the slot; its failure answers `request`. */
  private startJob(request: WorkerRequest, job: Job): void {
    this.slot.start(job, (error) => this.host.post({ type: 'error', requestId: request.requestId, message: describe(error) }));
  }

  private async start(request: RequestOf<'start'>): Promise<AnswerOf<'start'>> {
    const { run: spec } = request;
    validateSettings(spec.settings);
    if (spec.calibration) validateCalibration(spec.calibration);
    await this.clearSlot();
    const loaded = await this.ensureLoaded(spec.modelId);
    const split = spec.own ? ownRunSplit(loaded.model, spec.own) : splitByClass(loaded.dataset.train, loaded.dataset.test, spec.forgetClasses, spec.retainClasses);
    const run = new UnlearningRun(loaded.model, split, spec.settings, { evalImages: spec.evalImages, previewImages: spec.previewImages, sampleSteps: spec.sampleSteps, sampler: spec.sampler });
    // After the run has taken the original as its teacher; a checkpoint that does not fit leaves the original in place.
    if (spec.resume) {
      try {
        await applyCheckpoint(loaded.model, spec.resume.files);
        run.unlearner.restore(spec.resume.state);
      } catch (error) {
        run.dispose();
        throw error;
      }
    }
    let calibration: { target: CalibrationTarget; every: number } | undefined;
    try {
      if (spec.calibration) calibration = { target: await this.calibrationTarget(spec, loaded, run), every: spec.calibration.every };
    } catch (error) {
      run.dispose();
      throw error;
    }
    const job = new RunJob(this.nextRunId++, run, spec, this.emit, (ended) => this.workspace.keepEndedRun(ended), calibration);
    this.slot.start(job, (error) => this.emit({ type: 'error', runId: job.runId, message: describe(error) }));
    const counts = { forgetTrain: split.forgetTrain.count, retainTrain: split.retainTrain.count, forgetTest: split.forgetTest.count, retainTest: split.retainTest.count };
    return { type: 'runStarted', runId: job.runId, totalSteps: spec.settings.steps, counts };
  }

  /** The forget PSNR a calibrated run stops at; refused where its goal has nothing to be measured against. */
  private async calibrationTarget(spec: StartRequest, loaded: Loaded, run: UnlearningRun): Promise<CalibrationTarget> {
    const { goal } = spec.calibration!;
    if (goal.kind === 'psnr') return { forgetPsnr: goal.forgetPsnr, source: 'the level you set' };
    if (spec.own) throw new Error('a run on your own images has no retrained reference to calibrate against: set the target as a PSNR instead');
    if (goal.kind === 'retrained') {
      const reference = await this.workspace.reference(spec.modelId, spec.forgetClasses, loaded.dataset.id);
      if (!reference) {
        throw new Error(`no retrained reference for forgetting ${spec.forgetClasses.join(', ')} with ${spec.modelId}: train one in the method comparison (it is kept for the session), or set the target as a PSNR`);
      }
      return withReference(reference, () => retrainedTarget(run, reference.model));
    }
    const reference = await this.workspace.anyReference(spec.modelId, loaded.dataset.id);
    if (!reference) throw new Error(`no retrained reference of ${spec.modelId} exists to estimate a never-seen class from: train one in the method comparison, or set the target as a PSNR`);
    return withReference(reference, () => unseenClassTarget(run, reference, loaded.dataset.test));
  }

  private async trainOriginal(request: RequestOf<'trainOriginal'>): Promise<AnswerOf<'trainOriginal'>> {
    await this.clearSlot();
    const resumed = request.resume && (await modelFromFiles(request.resume.files));
    let training: OriginalTraining;
    try {
      const id = resumed?.card.id ?? `${OWN_MODEL_PREFIX}${Date.now().toString(36)}`;
      training = new OriginalTraining(id, request.title, request.own, request.settings, resumed && { model: resumed, state: request.resume!.state });
    } catch (error) {
      resumed?.dispose();
      throw error;
    }
    const job = new TrainingJob(this.nextRunId++, training, this.activeBackend(), this.emit, (model) => this.workspace.adopt(training.id, model));
    this.slot.start(job, (error) => this.emit({ type: 'error', runId: job.runId, message: describe(error) }));
    return { type: 'trainStarted', runId: job.runId, modelId: training.id, totalSteps: request.settings.steps };
  }

  private async snapshot(): Promise<Checkpoint> {
    if (this.slot.job) {
      const taken = this.slot.checkpoint();
      if (!taken) throw new Error(`${this.slot.job.busyMessage}: it has no checkpoint`);
      return taken;
    }
    const model = this.requireModel();
    return { type: 'checkpoint', kind: 'idle', model: model.card, files: await modelFiles(model) };
  }
}

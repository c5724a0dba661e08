/// <reference lib="webworker" />
/**
 * The training worker: owns every tensor, model and dataset. The studio talks to it only through
 * the messages in ./protocol.
 */
import * as tf from '@tensorflow/tfjs';
import { PARITY_TOLERANCE, compareWithCpu } from '../core/backend/parity';
import { benchmarkPretraining, benchmarkUnlearning } from '../core/benchmark';
import { classCounts, loadBuiltInDataset, type BuiltInDataset } from '../core/data/builtin';
import { compareMethods } from '../core/evaluation/compare-methods';
import { auditHistograms } from '../core/evaluation/membership';
import { loadClassifier, type Classifier } from '../core/models/classifier';
import { BUILT_IN_MODELS } from '../core/models/registry';
import { splitByClass } from '../core/data/splits';
import { loadModel } from '../core/models/families';
import type { ReadFile } from '../core/models/io';
import type { I2IModel } from '../core/models/types';
import { retrainWithout } from '../core/training/retrain';
import { UnlearningRun } from '../core/unlearning/run';
import { METHOD_IDS } from '../core/unlearning/methods/catalog';
import { validateSettings } from '../core/unlearning/settings';
import { selectBackend, wasmThreadCount } from './backends';
import {
  OWN_DATASET,
  OriginalTraining,
  applyCheckpoint,
  isOwnModel,
  modelFromFiles,
  loadOwnModel,
  modelFiles,
  ownRunSplit,
  previewStack,
  resumedSettings,
  shiftSteps,
  storedModels,
} from './own-models';
import { OWN_MODEL_PREFIX } from './own-protocol';
import { transferablesOf, type BackendName, type StartRequest, type WorkerEvent, type WorkerRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** A run resumed from a checkpoint: its events count steps from the start of the run it continues. */
let resumed: { runId: number; offset: number } | undefined;

function post(event: WorkerEvent): void {
  const sent = resumed && 'runId' in event && event.runId === resumed.runId ? shiftSteps(event, resumed.offset) : event;
  scope.postMessage(sent, transferablesOf(sent));
}

function folderReader(base: string): ReadFile {
  return async (name) => {
    const url = `${import.meta.env.BASE_URL}${base}/${name}`;
    const response = await fetch(url);
    // A dev server answers a missing file with index.html and status 200.
    if (!response.ok || response.headers.get('content-type')?.includes('text/html')) {
      throw new Error(`could not load ${url} (HTTP ${response.status}${response.ok ? ', got a web page instead' : ''})`);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}

let backend: BackendName | undefined;
let model: { id: string; value: I2IModel } | undefined;
let dataset: BuiltInDataset | undefined;

interface ActiveRun {
  id: number;
  run: UnlearningRun;
  paused: boolean;
  stopping: boolean;
  wake?: () => void;
  loop?: Promise<void>;
}
let active: ActiveRun | undefined;
let nextRunId = 1;

/** The dataset's classifier, whose features FID, IS and cosine are computed in (`npm run train-classifier -- --dataset <id>`). */
let classifier: { dataset: string; value: Classifier } | undefined;

async function classifierFor(datasetId: string): Promise<Classifier> {
  if (classifier?.dataset !== datasetId) {
    const loaded = await loadClassifier(folderReader(`models/${datasetId}-classifier`)).catch(() => {
      throw new Error(`no metric classifier ships for the ${datasetId} images, so FID, IS and cosine cannot be computed for them`);
    });
    classifier?.value.dispose();
    classifier = { dataset: datasetId, value: loaded };
  }
  return classifier.value;
}

/** A comparison trains the loaded model in place (restoring it after each method): nothing else may use it meanwhile. */
let comparing: { id: number; cancelled: boolean } | undefined;
const BUSY_WHILE_COMPARING: readonly WorkerRequest['type'][] = ['start', 'load', 'benchmark', 'selfCheck', 'compare', 'trainOriginal', 'exportModel', 'preview', 'snapshot'];

/** Lets queued messages (pause, stop) in between steps: on cpu and wasm, `data()` resolves without a task boundary. */
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Loads a built-in model and its dataset; what was loaded before stays until both have arrived intact. */
async function ensureLoaded(modelId: string): Promise<{ model: I2IModel; dataset: BuiltInDataset }> {
  if (isOwnModel(modelId)) return ensureOwnLoaded(modelId);
  const entry = BUILT_IN_MODELS.find((m) => m.id === modelId);
  if (!entry) throw new Error(`unknown model "${modelId}"; built-in models: ${BUILT_IN_MODELS.map((m) => m.id).join(', ')}`);
  const nextDataset = dataset?.id === entry.dataset ? dataset : await loadBuiltInDataset(entry.dataset, folderReader(`data/${entry.dataset}`));
  if (model?.id !== modelId) {
    const loaded = await loadModel(folderReader(`models/${modelId}`));
    if (loaded.card.dataset !== entry.dataset) {
      loaded.dispose();
      throw new Error(`model ${modelId} was trained on ${loaded.card.dataset}, not ${entry.dataset}`);
    }
    await endActiveRun();
    model?.value.dispose();
    model = { id: modelId, value: loaded };
  }
  dataset = nextDataset;
  return { model: model.value, dataset };
}

/** A model the user trained or imported, from IndexedDB; it brings no dataset (the user's sets come with each request). */
async function ensureOwnLoaded(modelId: string): Promise<{ model: I2IModel; dataset: BuiltInDataset }> {
  if (model?.id !== modelId) {
    const loaded = await loadOwnModel(modelId);
    await endActiveRun();
    model?.value.dispose();
    model = { id: modelId, value: loaded };
  }
  return { model: model.value, dataset: OWN_DATASET };
}

interface Training {
  id: number;
  job: OriginalTraining;
  paused: boolean;
  stopping: boolean;
  wake?: () => void;
}
/** An original being trained on the user's images: it owns the worker until it is saved. */
let training: Training | undefined;
const BUSY_WHILE_TRAINING: readonly WorkerRequest['type'][] = ['start', 'load', 'benchmark', 'selfCheck', 'compare', 'trainOriginal', 'exportModel', 'preview'];

async function trainLoop(current: Training): Promise<void> {
  const { job } = current;
  post({ type: 'status', runId: current.id, status: 'running' });
  while (!job.done && !current.stopping) {
    if (current.paused) {
      post({ type: 'status', runId: current.id, status: 'paused' });
      await new Promise<void>((resolve) => (current.wake = resolve));
      current.wake = undefined;
      if (current.stopping) break;
      post({ type: 'status', runId: current.id, status: 'running' });
    }
    post({ type: 'trainProgress', runId: current.id, report: await job.step(), tensors: tf.memory().numTensors });
    await yieldToMessages();
  }
  // Saving and reloading: the studio shows it as evaluating.
  post({ type: 'status', runId: current.id, status: 'evaluating' });
  const { model: trained, saveError } = await job.finish(backend ?? 'unknown');
  model?.value.dispose();
  model = { id: job.id, value: trained };
  post({ type: 'trainedModel', runId: current.id, model: trained.card });
  if (saveError) post({ type: 'error', runId: current.id, message: `the trained model is loaded for this session but was not saved: ${saveError}` });
  post({ type: 'status', runId: current.id, status: current.stopping ? 'stopped' : 'finished' });
}

async function trainOriginal(request: Extract<WorkerRequest, { type: 'trainOriginal' }>): Promise<void> {
  await endActiveRun();
  const resume = request.resume && { step: request.resume.step, model: await modelFromFiles(request.resume.files) };
  let job: OriginalTraining;
  try {
    job = new OriginalTraining(resume?.model.card.id ?? `${OWN_MODEL_PREFIX}${Date.now().toString(36)}`, request.title, request.own, request.settings, resume);
  } catch (error) {
    resume?.model.dispose();
    throw error;
  }
  const current: Training = { id: nextRunId++, job, paused: false, stopping: false };
  training = current;
  post({ type: 'trainStarted', requestId: request.requestId, runId: current.id, modelId: job.id, totalSteps: request.settings.steps });
  void trainLoop(current)
    .catch((error) => post({ type: 'error', runId: current.id, message: describe(error) }))
    .finally(() => {
      job.dispose();
      training = undefined;
    });
}

function controlTraining(current: Training, request: Extract<WorkerRequest, { type: 'pause' | 'resume' | 'stop' }>): void {
  if (request.type === 'stop') current.stopping = true;
  else current.paused = request.type === 'pause';
  if (!current.paused || current.stopping) current.wake?.();
  post({ type: 'ack', requestId: request.requestId });
}

/** Stops the current run, waits for its step in flight, and puts the original encoder back. */
async function endActiveRun(): Promise<void> {
  const ending = active;
  if (!ending) return;
  active = undefined;
  ending.stopping = true;
  ending.wake?.();
  await ending.loop;
  ending.run.dispose();
}

async function runLoop(current: ActiveRun, request: StartRequest): Promise<void> {
  const { run } = current;
  const send = (event: WorkerEvent) => active === current && post(event);
  const sampling = (done: number, total: number) => send({ type: 'sampling', runId: current.id, done, total });
  send({ type: 'status', runId: current.id, status: 'running' });
  send({ type: 'reconstructions', runId: current.id, step: 0, grid: await run.grid(sampling) });
  let lastPreview = performance.now();
  while (!run.unlearner.done && !current.stopping) {
    if (current.paused) {
      send({ type: 'status', runId: current.id, status: 'paused' });
      await new Promise<void>((resolve) => (current.wake = resolve));
      current.wake = undefined;
      if (current.stopping) break;
      send({ type: 'status', runId: current.id, status: 'running' });
    }
    const report = await run.unlearner.step();
    send({ type: 'progress', runId: current.id, report, tensors: tf.memory().numTensors });
    if (performance.now() - lastPreview >= request.previewIntervalMs) {
      send({ type: 'reconstructions', runId: current.id, step: report.step, grid: await run.grid(sampling) });
      lastPreview = performance.now();
    }
    await yieldToMessages();
  }
  if (active !== current) return;
  const stopped = current.stopping;
  const step = run.unlearner.completedSteps;
  // Metrics wait for the end: on a slow adapter they cost minutes the user would rather spend training.
  send({ type: 'status', runId: current.id, status: 'evaluating' });
  send({ type: 'reconstructions', runId: current.id, step, grid: await run.grid(sampling) });
  send({ type: 'metrics', runId: current.id, step, metrics: await run.metrics() });
  send({ type: 'status', runId: current.id, status: stopped ? 'stopped' : 'finished' });
}

async function start(requestId: number, request: StartRequest): Promise<void> {
  validateSettings(request.settings);
  await endActiveRun();
  const loaded = await ensureLoaded(request.modelId);
  const split = request.own
    ? ownRunSplit(loaded.model, request.own)
    : splitByClass(loaded.dataset.train, loaded.dataset.test, request.forgetClasses, request.retainClasses);
  const run = new UnlearningRun(loaded.model, split, request.resume ? resumedSettings(request.settings, request.resume.step) : request.settings, {
    evalImages: request.evalImages,
    previewImages: request.previewImages,
    sampleSteps: request.sampleSteps,
  });
  // After the run has taken the original as its teacher; a checkpoint that does not load leaves the original in place.
  if (request.resume) {
    try {
      await applyCheckpoint(loaded.model, request.resume.files);
    } catch (error) {
      run.dispose();
      throw error;
    }
  }
  const current: ActiveRun = { id: nextRunId++, run, paused: false, stopping: false };
  active = current;
  resumed = request.resume ? { runId: current.id, offset: request.resume.step } : undefined;
  post({
    type: 'runStarted',
    requestId,
    runId: current.id,
    totalSteps: request.settings.steps,
    counts: {
      forgetTrain: split.forgetTrain.count,
      retainTrain: split.retainTrain.count,
      forgetTest: split.forgetTest.count,
      retainTest: split.retainTest.count,
    },
  });
  current.loop = runLoop(current, request).catch((error) => post({ type: 'error', runId: current.id, message: describe(error) }));
}

/** The model trained from scratch without the forget classes (`npm run pretrain -- --exclude`), when one ships. */
async function loadRetrained(modelId: string, forgetClasses: number[], datasetId: string): Promise<I2IModel | undefined> {
  const id = `${modelId}-without-${forgetClasses.join('-')}`;
  const read = folderReader(`models/${id}`);
  const shipped = await read('card.json').then(() => true, () => false);
  if (!shipped) return undefined;
  const retrained = await loadModel(read);
  if (retrained.card.dataset !== datasetId) {
    retrained.dispose();
    throw new Error(`the retrained reference ${id} was trained on ${retrained.card.dataset}, not ${datasetId}`);
  }
  return retrained;
}

/** Retrained references trained in this session (by id), kept for later comparisons of the same classes. */
const sessionReferences = new Map<string, I2IModel>();

async function compare(request: Extract<WorkerRequest, { type: 'compare' }>): Promise<void> {
  validateSettings(request.settings);
  const current = { id: request.requestId, cancelled: false };
  comparing = current;
  let retrained: I2IModel | undefined;
  const referenceId = `${request.modelId}-without-${request.forgetClasses.join('-')}`;
  try {
    const ended = active?.id;
    await endActiveRun();
    // The run's loop goes quiet once it is no longer active: tell the studio it stopped.
    if (ended !== undefined) post({ type: 'status', runId: ended, status: 'stopped' });
    const loaded = await ensureLoaded(request.modelId);
    retrained = sessionReferences.get(referenceId) ?? (await loadRetrained(request.modelId, request.forgetClasses, loaded.dataset.id));
    const order = ['original', ...(retrained || request.retrain ? ['retrained'] : []), ...METHOD_IDS];
    if (!retrained && request.retrain) {
      const trained = await retrainWithout(loaded.model, loaded.dataset.train, request.forgetClasses, async (step, steps) => {
        post({ type: 'compareProgress', compareId: current.id, progress: { method: 'retrained', stage: 'retraining', step, steps }, position: 2, models: order.length });
        await yieldToMessages();
        if (current.cancelled) throw new Error('comparison cancelled');
      }, request.retrainSteps);
      trained.model.card.training!.backend = tf.getBackend();
      sessionReferences.set(referenceId, trained.model);
      retrained = trained.model;
    }
    const comparison = await compareMethods(
      loaded.model,
      retrained && { model: retrained, seconds: retrained.card.training?.seconds ?? NaN },
      loaded.dataset,
      await classifierFor(loaded.dataset.id),
      { forgetClasses: request.forgetClasses, methods: [...METHOD_IDS], settings: request.settings, evalImages: request.evalImages, projection: true },
      undefined,
      async (progress) => {
        const position = order.indexOf(progress.method) + 1;
        if (position > 0) post({ type: 'compareProgress', compareId: current.id, progress, position, models: order.length });
        // Lets cancelCompare in; throwing here restores the original model (compareMethods disposes the run).
        await yieldToMessages();
        if (current.cancelled) throw new Error('comparison cancelled');
      },
    );
    const histograms = auditHistograms(comparison.audit);
    post({
      type: 'compareResult',
      requestId: request.requestId,
      rows: comparison.rows,
      audit: comparison.audit.map((a, i) => ({ method: a.method, auc: a.auc, histogram: histograms[i] })),
      costs: comparison.costs,
      projection: comparison.projection,
    });
  } catch (error) {
    if (!current.cancelled) throw error;
    post({ type: 'compareCancelled', requestId: request.requestId });
  } finally {
    if (retrained && sessionReferences.get(referenceId) !== retrained) retrained.dispose();
    comparing = undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function handle(request: WorkerRequest): Promise<void> {
  if (training && (request.type === 'pause' || request.type === 'resume' || request.type === 'stop')) return controlTraining(training, request);
  if (training && BUSY_WHILE_TRAINING.includes(request.type)) throw new Error('an original model is training on your images: wait for it or stop it first');
  if (comparing && BUSY_WHILE_COMPARING.includes(request.type)) {
    throw new Error('a method comparison is running: wait for it to finish or cancel it first');
  }
  switch (request.type) {
    case 'init': {
      const selected = await selectBackend(request.preferred, request.wasmThreads ?? true);
      backend = selected.backend;
      post({ type: 'ready', requestId: request.requestId, ...selected, models: [...BUILT_IN_MODELS.map((m) => ({ ...m })), ...(await storedModels())] });
      return;
    }
    case 'load': {
      const loaded = await ensureLoaded(request.modelId);
      const classes = loaded.dataset.classNames.length;
      post({
        type: 'loaded',
        requestId: request.requestId,
        model: loaded.model.card,
        dataset: {
          id: loaded.dataset.id,
          title: loaded.dataset.title,
          classNames: loaded.dataset.classNames,
          trainCounts: classCounts(loaded.dataset.train, classes),
          testCounts: classCounts(loaded.dataset.test, classes),
        },
      });
      return;
    }
    case 'start':
      return start(request.requestId, request.run);
    case 'pause':
    case 'resume':
      if (!active) throw new Error('no run is active');
      active.paused = request.type === 'pause';
      if (!active.paused) active.wake?.();
      post({ type: 'ack', requestId: request.requestId });
      return;
    case 'stop':
      if (!active) throw new Error('no run is active');
      active.stopping = true;
      active.wake?.();
      post({ type: 'ack', requestId: request.requestId });
      return;
    case 'benchmark': {
      await endActiveRun();
      const loaded = await ensureLoaded(request.modelId);
      const split = splitByClass(loaded.dataset.train, loaded.dataset.test, request.forgetClasses);
      const measure = request.task === 'pretrain' ? benchmarkPretraining : benchmarkUnlearning;
      const result = await measure(loaded.model, split, request.batchSize, request.budget);
      post({ type: 'benchmarkResult', requestId: request.requestId, backend: backend!, wasmThreads: wasmThreadCount(), result });
      return;
    }
    case 'compare':
      return compare(request);
    case 'cancelCompare':
      // A cancel that arrives after the comparison ended has nothing left to stop.
      if (comparing) comparing.cancelled = true;
      post({ type: 'ack', requestId: request.requestId });
      return;
    case 'trainOriginal':
      return trainOriginal(request);
    case 'exportModel': {
      if (!model) throw new Error('no model is loaded');
      if (active && !active.stopping && !active.run.unlearner.done) throw new Error('stop the run (or let it finish) before exporting its model');
      const card = { ...model.value.card, id: request.id, title: request.title };
      post({ type: 'modelFiles', requestId: request.requestId, model: card, files: await modelFiles(model.value, card) });
      return;
    }
    case 'snapshot': {
      if (training) {
        const { job } = training;
        post({ type: 'modelFiles', requestId: request.requestId, model: job.model.card, files: await modelFiles(job.model), step: job.completedSteps });
        return;
      }
      if (!model) throw new Error('no model is loaded');
      const step = active && active.run.unlearner.completedSteps + (resumed?.runId === active.id ? resumed.offset : 0);
      post({ type: 'modelFiles', requestId: request.requestId, model: model.value.card, files: await modelFiles(model.value), step });
      return;
    }
    case 'preview': {
      if (!model) throw new Error('no model is loaded');
      post({ type: 'previewResult', requestId: request.requestId, reconstruction: await previewStack(model.value, request.images) });
      return;
    }
    case 'selfCheck': {
      if (active && !active.stopping && !active.run.unlearner.done) throw new Error('stop the run before checking the backend');
      const { maxRelativeDiff } = await compareWithCpu();
      post({
        type: 'selfCheckResult',
        requestId: request.requestId,
        backend: backend!,
        maxRelativeDiff,
        tolerance: PARITY_TOLERANCE,
        passed: maxRelativeDiff <= PARITY_TOLERANCE,
      });
      return;
    }
  }
}

scope.onmessage = (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  handle(request).catch((error) => post({ type: 'error', requestId: request.requestId, message: describe(error) }));
};

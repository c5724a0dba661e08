/** The stores around a fake worker client: what they ask the worker, and what they make of its answers and events. */
import { describe, expect, test, vi } from 'vitest';
import type { Restarted, WorkerLoss } from '../client/worker-client';
import type { AnswerOf, JobEvent, RequestBody, RequestType, StepReport, UnlearnerState } from '../shared/protocol';
import { DEFAULT_UNLEARN } from '../shared/settings';
import type { RunCheckpoint, StudioStorage } from '../shared/studio-db';
import { createOwnModelStore } from './own-model-store';
import { useOwnSets } from './own-sets-store';
import { createResumeStore } from './resume-store';
import { estimateRemainingMs } from './eta';
import { createStudioStore, resultsStale, type StudioClient } from './studio-store';
import { readSharedSettings } from './url-settings';

const CARD = { id: 'mnist-inpaint-ae', family: 'conv-inpainting-ae', title: 'MNIST', dataset: 'mnist', height: 28, width: 28, channels: 1, tasks: [{ kind: 'centre-hole', holeFraction: 0.5 }], architecture: {} };
const DATASET = { id: 'mnist', title: 'MNIST', classNames: ['0', '1', '2', '3'], trainCounts: [1, 1, 1, 1], testCounts: [1, 1, 1, 1] };

type Handlers = { [K in RequestType]?: (body: RequestBody<K>) => AnswerOf<K> | Promise<AnswerOf<K>> };

/** Answers as `handlers` say, records every request, and lets a test play the worker's events, losses and restarts. */
class FakeClient implements StudioClient {
  readonly requests: { type: RequestType; body: unknown }[] = [];
  private readonly jobListeners = new Set<(event: JobEvent) => void>();
  private readonly lossListeners = new Set<(loss: WorkerLoss) => void>();
  private readonly restartListeners = new Set<(restarted: Restarted) => void>();

  constructor(private readonly handlers: Handlers) {}

  async request<K extends RequestType>(type: K, body: RequestBody<K>): Promise<AnswerOf<K>> {
    this.requests.push({ type, body });
    const handler = this.handlers[type] as ((body: RequestBody<K>) => AnswerOf<K>) | undefined;
    if (!handler) throw new Error(`no answer to ${type}`);
    return handler(body);
  }

  listen(listener: (event: JobEvent) => void) {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  onLoss(listener: (loss: WorkerLoss) => void) {
    this.lossListeners.add(listener);
    return () => this.lossListeners.delete(listener);
  }

  onRestart(listener: (restarted: Restarted) => void) {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  emit(event: JobEvent): void {
    this.jobListeners.forEach((l) => l(event));
  }

  lose(loss: WorkerLoss, restarted: Omit<Restarted, 'loss'>): void {
    this.lossListeners.forEach((l) => l(loss));
    this.restartListeners.forEach((l) => l({ loss, ...restarted }));
  }

  sent(type: RequestType) {
    return this.requests.filter((r) => r.type === type);
  }
}

const READY: AnswerOf<'init'> = { type: 'ready', backend: 'webgpu', attempts: [{ backend: 'webgpu', ok: true, reason: '' }], models: [{ id: 'mnist-inpaint-ae', dataset: 'mnist' }] };
const LOADED = { type: 'loaded', model: CARD, dataset: DATASET } as AnswerOf<'load'>;
const SHARED = { modelId: 'mnist-inpaint-ae', forgetClasses: [2], settings: { ...DEFAULT_UNLEARN, steps: 10 }, evalImages: 8 };
const report = (step: number): StepReport => ({ step, retainLoss: 1, weightedForgetLoss: 1, total: 2, learningRate: 1e-3, gradNorm: 1, ms: 5 });

function studioWith(handlers: Handlers = {}) {
  let runs = 0;
  const client = new FakeClient({
    init: () => READY,
    load: () => LOADED,
    start: () => ({ type: 'runStarted', runId: ++runs, totalSteps: 10, counts: { forgetTrain: 1, retainTrain: 3, forgetTest: 1, retainTest: 3 } }),
    stop: () => ({ type: 'ack' }),
    ...handlers,
  });
  const urls: string[] = [];
  const studio = createStudioStore({ client, shared: SHARED, ownSets: () => ({ height: 28, width: 28, channels: 1, forget: new Uint8Array(), retain: new Uint8Array() }), writeUrl: (u) => urls.push(u) });
  return { client, studio, urls };
}

/** Storage that holds one checkpoint in memory. */
function memoryStorage(saved?: RunCheckpoint) {
  let checkpoint = saved;
  const storage = {
    checkpoint: async () => checkpoint,
    putCheckpoint: async (c: RunCheckpoint) => void (checkpoint = c),
    clearCheckpoint: async () => void (checkpoint = undefined),
  } as unknown as StudioStorage;
  return { storage: async () => storage, current: () => checkpoint };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the studio store', () => {
  test('starts the worker, loads the model and keeps every class not forgotten', async () => {
    const { client, studio, urls } = studioWith();
    await studio.getState().initialize();
    expect(client.requests.map((r) => r.type)).toEqual(['init', 'load']);
    const state = studio.getState();
    expect(state.phase).toBe('ready');
    expect(state.backend).toBe('webgpu');
    expect(state.retainClasses).toEqual([0, 1, 3]);
    expect(urls.at(-1)).toContain('forget=2');
    // A second call (StrictMode mounts twice) starts nothing more.
    await studio.getState().initialize();
    expect(client.sent('init')).toHaveLength(1);
  });

  test("a model's recipe sets the run settings: the URL's win on the first model, another model brings its own", async () => {
    const palette = { ...CARD, id: 'mnist-palette', family: 'palette', recipe: { alpha: 0.1, learningRate: 5e-5, schedule: 'constant', source: 'official' } };
    const mage = { ...CARD, id: 'mnist-mage', family: 'mage', recipe: { alpha: 0.2, source: 'official' } };
    const cards: Record<string, typeof CARD> = { 'mnist-palette': palette, 'mnist-mage': mage };
    const shared = readSharedSettings('?model=mnist-palette&lr=0.002', { modelId: 'mnist-inpaint-ae', forgetClasses: [2], evalImages: 8 });
    const models = Object.keys(cards).map((id) => ({ id, dataset: 'mnist' }));
    const client = new FakeClient({ init: () => ({ ...READY, models }), load: ({ modelId }) => ({ ...LOADED, model: cards[modelId] }) as AnswerOf<'load'> });
    const studio = createStudioStore({ client, shared, ownSets: () => { throw new Error('no own sets'); }, writeUrl: () => {} });
    await studio.getState().initialize();
    expect(studio.getState().settings).toMatchObject({ alpha: 0.1, schedule: 'constant', learningRate: 0.002, steps: DEFAULT_UNLEARN.steps });
    await studio.getState().selectModel('mnist-mage');
    expect(studio.getState().settings).toMatchObject({ alpha: 0.2, schedule: DEFAULT_UNLEARN.schedule, learningRate: DEFAULT_UNLEARN.learningRate });
  });

  test('a link with an unknown model, classes that do not exist and bad values: one message naming each, defaults used, the studio usable', async () => {
    const shared = readSharedSettings('?model=nope&forget=42&alpha=abc', { modelId: 'mnist-inpaint-ae', forgetClasses: [2], evalImages: 8 });
    const tenClasses = { ...LOADED, dataset: { ...DATASET, classNames: [...'0123456789'] } };
    const client = new FakeClient({ init: () => READY, load: ({ modelId }) => (modelId === 'mnist-inpaint-ae' ? tenClasses : Promise.reject(new Error(`unknown model "${modelId}"`))) });
    const urls: string[] = [];
    const studio = createStudioStore({ client, shared, ownSets: () => { throw new Error('no own sets'); }, writeUrl: (u) => urls.push(u) });
    await studio.getState().initialize();
    const state = studio.getState();
    expect(state.phase).toBe('ready');
    expect(state.modelId).toBe('mnist-inpaint-ae');
    expect(state.forgetClasses).toEqual([7]);
    expect(state.error).toBe(
      "Some of the link's settings could not be used, so defaults stand in: alpha=abc: not a number; used 0.25; model=nope: no such model; used mnist-inpaint-ae; forget=42: MNIST has no class 42 (0 to 9); used 7.",
    );
    // The URL now holds what is used, so a reload does not repeat the message.
    expect(urls.at(-1)).toMatch(/model=mnist-inpaint-ae&forget=7&alpha=0.25/);
  });

  test('follows its run through the job events, and only its own', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    await studio.getState().start();
    expect(studio.getState().run).toMatchObject({ id: 1, phase: 'running', totalSteps: 10 });
    client.emit({ type: 'progress', runId: 1, report: report(1), tensors: 40 });
    client.emit({ type: 'progress', runId: 7, report: report(1), tensors: 40 });
    client.emit({ type: 'status', runId: 1, status: 'finished' });
    expect(studio.getState().curve).toHaveLength(1);
    expect(studio.getState().tensors).toBe(40);
    expect(studio.getState().run.phase).toBe('finished');
  });

  test("stop at target: switches to the recipe's calibrated values and back, asks the worker for it, and follows its measurements to the reason it stopped", async () => {
    const card = { ...CARD, recipe: { source: 'plain', calibrated: { alpha: 0.1, learningRate: 3e-4, source: 'gentler' } } };
    const { client, studio } = studioWith({ load: () => ({ ...LOADED, model: card }) as AnswerOf<'load'> });
    await studio.getState().initialize();
    expect(studio.getState().settings).toMatchObject({ alpha: DEFAULT_UNLEARN.alpha, learningRate: DEFAULT_UNLEARN.learningRate });
    studio.getState().setStopAtTarget({ on: true });
    expect(studio.getState().settings).toMatchObject({ alpha: 0.1, learningRate: 3e-4 });
    studio.getState().setStopAtTarget({ goal: 'psnr', forgetPsnr: 9.5, every: 5 });
    await studio.getState().start();
    expect((client.sent('start')[0].body as RequestBody<'start'>).run.calibration).toEqual({ goal: { kind: 'psnr', forgetPsnr: 9.5 }, every: 5 });

    client.emit({ type: 'calibrationTarget', runId: 1, target: { forgetPsnr: 9.5, source: 'the level you set' }, original: { forgetPsnr: 13, retainPsnr: 12 } });
    client.emit({ type: 'calibration', runId: 1, point: { step: 0, forgetPsnr: 13, retainPsnr: 12 } });
    client.emit({ type: 'calibration', runId: 2, point: { step: 5, forgetPsnr: 1, retainPsnr: 1 } });
    client.emit({ type: 'calibration', runId: 1, point: { step: 5, forgetPsnr: 9.4, retainPsnr: 11.9 } });
    client.emit({ type: 'calibrationEnd', runId: 1, step: 5, reason: 'target reached' });
    const { calibration } = studio.getState();
    expect(calibration?.target?.forgetPsnr).toBe(9.5);
    expect(calibration?.curve.map((p) => p.step)).toEqual([0, 5]);
    expect(calibration?.end).toEqual({ step: 5, reason: 'target reached' });
    // The shown run was calibrated: turning it off marks the results as of other settings, and gives the plain values back.
    client.emit({ type: 'progress', runId: 1, report: report(1), tensors: 40 });
    expect(resultsStale(studio.getState())).toBe(false);
    studio.getState().setStopAtTarget({ on: false });
    expect(studio.getState().settings).toMatchObject({ alpha: DEFAULT_UNLEARN.alpha, learningRate: DEFAULT_UNLEARN.learningRate });
    expect(resultsStale(studio.getState())).toBe(true);
    // A level that is not a PSNR is refused on Start, before the worker is asked.
    studio.getState().setStopAtTarget({ on: true, forgetPsnr: -1 });
    client.emit({ type: 'status', runId: 1, status: 'finished' });
    await studio.getState().start();
    expect(studio.getState().error).toMatch(/positive number of dB/);
    expect(client.sent('start')).toHaveLength(1);
  });

  test('a run that diverged ends as diverged, not finished, with the reason shown', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    await studio.getState().start();
    client.emit({ type: 'status', runId: 1, status: 'diverged', reason: 'the run diverged at step 3: the loss became NaN' });
    expect(studio.getState().run.phase).toBe('diverged');
    expect(studio.getState().error).toBe('the run diverged at step 3: the loss became NaN');
  });

  test('refuses a run it cannot start, with the reason, and asks the worker nothing', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    studio.getState().toggleForgetClass(2);
    await studio.getState().start();
    expect(studio.getState().error).toMatch(/forget set is empty/);
    expect(client.sent('start')).toHaveLength(0);
  });

  test('refuses settings beyond their sane bounds on Start, naming the bound', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    studio.getState().updateSettings({ learningRate: 1e9 });
    await studio.getState().start();
    expect(studio.getState().error).toBe('learning rate must be in (0, 0.1]');
    expect(client.sent('start')).toHaveLength(0);
  });

  test('a lost worker interrupts the run; the replacement brings the backend and the model back', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    await studio.getState().start();
    client.lose({ cause: 'backendLost', backend: 'webgpu', reason: 'the WebGPU device was lost' }, { ready: { ...READY, backend: 'webgl' }, loaded: LOADED });
    const state = studio.getState();
    expect(state.run.phase).toBe('interrupted');
    expect(state.error).toMatch(/WebGPU device was lost/);
    expect(state.backend).toBe('webgl');
    expect(state.phase).toBe('ready');
    // The interrupted run hears nothing of the new worker's runs.
    client.emit({ type: 'status', runId: 1, status: 'finished' });
    expect(studio.getState().run.phase).toBe('interrupted');
  });

  test('the ETA of a resumed run counts only the steps run since it resumed, not the curve shown again', async () => {
    const { client, studio } = studioWith({ start: () => ({ type: 'runStarted', runId: 1, totalSteps: 200, counts: { forgetTrain: 1, retainTrain: 3, forgetTest: 1, retainTest: 3 } }) });
    await studio.getState().initialize();
    let now = 50_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const before = Array.from({ length: 100 }, (_, i) => report(i + 1));
    await studio.getState().start({ step: 100, files: {}, state: {} as UnlearnerState, curve: before });
    // Steps 101 to 110, one a second: 90 steps left at 1 s each.
    for (let step = 101; step <= 110; step++) {
      now += 1000;
      client.emit({ type: 'progress', runId: 1, report: report(step), tensors: 1 });
    }
    vi.restoreAllMocks();
    expect(estimateRemainingMs(studio.getState().run, studio.getState().curve)).toBeCloseTo(90_000);
  });

  test('cancelling a comparison stops the job in the worker', async () => {
    let answer!: (a: AnswerOf<'compare'>) => void;
    const { client, studio } = studioWith({ compare: () => new Promise((resolve) => (answer = resolve)) });
    await studio.getState().initialize();
    const comparing = studio.getState().compare();
    expect(studio.getState().comparison.phase).toBe('running');
    await studio.getState().cancelCompare();
    expect(client.sent('stop')).toHaveLength(1);
    answer({ type: 'compareCancelled' });
    await comparing;
    expect(studio.getState().comparison.phase).toBe('cancelled');
  });
});

describe('what the shown results are (issue 14)', () => {
  const WEIGHTS = { 'encoder.json': new Uint8Array([1]), 'encoder.weights.bin': new Uint8Array([2, 3]) };

  test('results of a past run keep its own sets and settings, and are marked once the settings change', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    await studio.getState().start();
    client.emit({ type: 'progress', runId: 1, report: report(1), tensors: 40 });
    client.emit({ type: 'status', runId: 1, status: 'finished' });
    expect(resultsStale(studio.getState())).toBe(false);
    studio.getState().toggleForgetClass(3);
    studio.getState().updateSettings({ alpha: 0.5 });
    expect(resultsStale(studio.getState())).toBe(true);
    expect(studio.getState().runSetup).toMatchObject({ forgetClasses: [2], settings: { alpha: DEFAULT_UNLEARN.alpha } });
    // A run brought back from history brings its own setup.
    studio.getState().showRun({ kind: 'unlearn', modelId: 'mnist-inpaint-ae', status: 'finished', savedAt: 1, ownData: false, forgetClasses: [1], retainClasses: [0, 2, 3], settings: SHARED.settings, evalImages: 8 });
    expect(studio.getState().runSetup).toMatchObject({ forgetClasses: [1], retainClasses: [0, 2, 3] });
  });

  test('the comparison refuses your own images, with the reason, and asks the worker nothing', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    studio.getState().setDataSource('own');
    await studio.getState().compare();
    expect(studio.getState().error).toMatch(/your own images/);
    expect(client.sent('compare')).toHaveLength(0);
  });

  test('the evaluation reports its progress and can be cancelled: the run ends stopped, without metrics, and says so', async () => {
    const { client, studio } = studioWith();
    await studio.getState().initialize();
    await studio.getState().start();
    client.emit({ type: 'status', runId: 1, status: 'evaluating' });
    client.emit({ type: 'evaluationProgress', runId: 1, done: 200, total: 2000 });
    expect(studio.getState().run.evaluation).toMatchObject({ done: 200, total: 2000 });
    await studio.getState().start();
    expect(studio.getState().error).toMatch(/being evaluated/);
    expect(client.sent('start')).toHaveLength(1);
    await studio.getState().cancelEvaluation();
    expect(client.sent('stop').at(-1)?.body).toEqual({ withoutMetrics: true });
    client.emit({ type: 'status', runId: 1, status: 'stopped' });
    expect(studio.getState().run).toMatchObject({ phase: 'stopped', metricsCancelled: true });
  });

  test('export sends the unlearned weights the run left, also for a run shown from history; without them it exports the original and says so', async () => {
    const { client, studio } = studioWith({ exportModel: ({ id, title }) => ({ type: 'modelFiles', model: { ...CARD, id, title }, files: {} }) as AnswerOf<'exportModel'> });
    const ownModel = createOwnModelStore(client, studio, memoryStorage().storage);
    await studio.getState().initialize();
    studio.getState().showRun({ kind: 'unlearn', modelId: 'mnist-inpaint-ae', status: 'finished', savedAt: 1, ownData: false, forgetClasses: [2], settings: SHARED.settings, weights: WEIGHTS });
    await ownModel.getState().exportModel();
    const sent = client.sent('exportModel').at(-1)?.body as RequestBody<'exportModel'>;
    expect(sent.weights).toEqual(WEIGHTS);
    expect(sent.title).toMatch(/unlearned/);
    studio.getState().showRun({ kind: 'unlearn', modelId: 'mnist-inpaint-ae', status: 'finished', savedAt: 2, ownData: false, forgetClasses: [2], settings: SHARED.settings });
    const { fileName } = await ownModel.getState().exportModel();
    const plain = client.sent('exportModel').at(-1)?.body as RequestBody<'exportModel'>;
    expect(plain.weights).toBeUndefined();
    expect(plain.title).not.toMatch(/unlearned/);
    expect(fileName).toMatch(/original/);
  });
});

describe('the resume store', () => {
  const checkpoint: RunCheckpoint = {
    kind: 'unlearn',
    modelId: 'mnist-inpaint-ae',
    ownData: false,
    settings: { ...DEFAULT_UNLEARN, steps: 10 },
    forgetClasses: [2],
    retainClasses: [0, 1, 3],
    evalImages: 8,
    curve: [report(1), report(2), report(3)],
    step: 3,
    files: { 'card.json': new Uint8Array([1]) },
    state: { step: 3, optimizer: { steps: 3, firstMoments: [], secondMoments: [] }, random: 9, forgetSampler: { order: new Uint32Array(1), cursor: 1 }, retainSampler: { order: new Uint32Array(3), cursor: 2 } },
    savedAt: 1,
  };

  function setup(saved?: RunCheckpoint) {
    const { client, studio } = studioWith();
    const memory = memoryStorage(saved);
    const ownModel = createOwnModelStore(client, studio, memory.storage);
    const resume = createResumeStore({ client, studio, ownModel, ownSets: useOwnSets, storage: memory.storage });
    resume.keepCheckpoints();
    return { client, studio, resume, memory };
  }

  test('after a lost GPU the run resumes by itself from the last checkpoint, with its trainer state and its curve', async () => {
    const { client, studio } = setup(checkpoint);
    await studio.getState().initialize();
    await studio.getState().start();
    client.lose({ cause: 'backendLost', backend: 'webgpu', reason: 'lost' }, { ready: READY, loaded: LOADED });
    await flush();
    await flush();
    const starts = client.sent('start');
    expect(starts).toHaveLength(2);
    expect((starts[1].body as RequestBody<'start'>).run.resume).toEqual({ step: 3, files: checkpoint.files, state: checkpoint.state });
    expect(studio.getState().curve).toHaveLength(3);
    expect(studio.getState().run.phase).toBe('running');
  });

  test('after a crash the checkpoint is offered, not resumed, and the run stays interrupted', async () => {
    const { client, studio, resume, memory } = setup(checkpoint);
    await studio.getState().initialize();
    await flush();
    // A reload finds the checkpoint: it is offered as cut short by a reload.
    expect(resume.getState()).toMatchObject({ offer: { step: 3 }, cause: 'reload' });
    await studio.getState().start();
    expect(resume.getState().offer).toBeUndefined();
    client.lose({ cause: 'unresponsive', reason: 'silent' }, { ready: READY, loaded: LOADED });
    await flush();
    expect(client.sent('start')).toHaveLength(1);
    expect(resume.getState()).toMatchObject({ offer: { step: 3 }, cause: 'unresponsive' });
    expect(studio.getState().run.phase).toBe('interrupted');
    // An interrupted run is not over: its checkpoint stays until it is resumed or discarded.
    expect(memory.current()).toBeDefined();
    await resume.getState().discard();
    expect(memory.current()).toBeUndefined();
  });
});

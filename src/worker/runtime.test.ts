/**
 * The client and the worker's dispatcher through a real message channel (structured clone,
 * transfer lists, its own event loop turns): the browser's Worker stands in as a MessagePort pair.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WorkerClient, WorkerLostError, type Restarted, type WorkerLike } from '../client/worker-client';
import type { CalibrationRequest, JobEvent, ResumeFrom, RunStatus, StartRequest, WorkerEvent, WorkerRequest } from '../shared/protocol';
import { DEFAULT_UNLEARN } from '../shared/settings';
import { transferables } from '../shared/transfer';
import { useBackend } from '../core/testing/fixtures';
import { WorkerRuntime } from './runtime';

beforeAll(() => useBackend('wasm'));

const folder = (base: string) => async (name: string) => new Uint8Array(await readFile(`public/${base}/${name}`));

/** A worker: the runtime on one end of a MessageChannel, heartbeats included. */
function channelWorker(): WorkerLike {
  const { port1, port2 } = new MessageChannel();
  const post = (event: WorkerEvent) => port2.postMessage(event, transferables(event));
  const runtime = new WorkerRuntime({
    post,
    folder,
    selectBackend: async () => ({ backend: 'wasm', attempts: [{ backend: 'wasm', ok: true, reason: '' }] }),
    wasmThreadCount: () => 1,
    loseBackend: (backend) => post({ type: 'backendLost', backend, reason: 'lost on purpose' }),
  });
  port2.onmessage = (message: MessageEvent<WorkerRequest>) => runtime.receive(message.data);
  const heartbeat = setInterval(() => post({ type: 'heartbeat' }), 50);
  const worker: WorkerLike = {
    postMessage: (message, transfer) => port1.postMessage(message, transfer),
    onmessage: null,
    onerror: null,
    terminate() {
      clearInterval(heartbeat);
      port1.close();
    },
  };
  port1.onmessage = (message: MessageEvent<WorkerEvent>) => worker.onmessage?.(message);
  return worker;
}

/** A worker that never says anything, as one stuck in a loop or gone. */
function silentWorker(): WorkerLike {
  return { postMessage: () => undefined, onmessage: null, onerror: null, terminate: () => undefined };
}

let clients: WorkerClient[] = [];
afterEach(() => {
  clients.forEach((c) => c.terminate());
  clients = [];
});

function client(spawn: () => WorkerLike = channelWorker, watchdogMs = 60_000): WorkerClient {
  const made = new WorkerClient({ spawn, watchdogMs });
  clients.push(made);
  return made;
}

const RUN: Omit<StartRequest, 'settings'> = { modelId: 'mnist-inpaint-ae', forgetClasses: [7], retainClasses: [0, 1, 2], evalImages: 8, previewImages: 2, previewIntervalMs: 0 };
const SETTINGS = { ...DEFAULT_UNLEARN, steps: 10, batchSize: 4 };

/** Every event of run `runId` until it reaches `status` (heard from before the start is answered: its first events may come first). */
function eventsUntil(worker: WorkerClient, status: RunStatus, runId: () => number | undefined): Promise<JobEvent[]> {
  return new Promise((resolve) => {
    const events: JobEvent[] = [];
    const stop = worker.listen((event) => {
      events.push(event);
      if (event.type === 'status' && event.status === status && event.runId === runId()) {
        stop();
        resolve(events.filter((e) => e.type !== 'compareProgress' && e.runId === runId()));
      }
    });
  });
}

async function run(worker: WorkerClient, resume?: ResumeFrom): Promise<{ events: JobEvent[]; weights: Uint8Array }> {
  let runId: number | undefined;
  const ended = eventsUntil(worker, 'finished', () => runId);
  runId = (await worker.request('start', { run: { ...RUN, settings: SETTINGS, resume } })).runId;
  const events = await ended;
  const { files } = await worker.request('exportModel', { id: 'own-test', title: 'test' });
  return { events, weights: files['encoder.weights.bin'] };
}

/** Runs the test run to its end, asking for a checkpoint once step `at` is reported (it comes a step or two later: the snapshot waits for the steps in flight). */
async function runTakingCheckpoint(worker: WorkerClient, at: number): Promise<{ runId: number; checkpoint: ResumeFrom }> {
  let runId: number | undefined;
  let taking: Promise<ResumeFrom> | undefined;
  const stop = worker.listen((event) => {
    if (event.type === 'progress' && event.runId === runId && event.report.step === at) {
      taking = worker.request('snapshot', {}).then((c) => {
        if (c.kind !== 'unlearn') throw new Error(`a checkpoint of kind ${c.kind}`);
        return { step: c.step, files: c.files, state: c.state };
      });
    }
  });
  const finished = eventsUntil(worker, 'finished', () => runId);
  runId = (await worker.request('start', { run: { ...RUN, settings: SETTINGS } })).runId;
  await finished;
  stop();
  return { runId, checkpoint: await taking! };
}

describe('the worker runtime through a message channel', () => {
  test('answers each request with its own answer type and runs a run to its metrics, in order, with the grid', async () => {
    const worker = client();
    expect((await worker.request('init', {})).backend).toBe('wasm');
    const loaded = await worker.request('load', { modelId: 'mnist-inpaint-ae' });
    expect(loaded.model.id).toBe('mnist-inpaint-ae');
    expect(loaded.dataset.classNames).toHaveLength(10);
    const { events } = await run(worker);
    const steps = events.flatMap((e) => (e.type === 'progress' ? [e.report.step] : []));
    expect(steps).toEqual(Array.from({ length: SETTINGS.steps }, (_, i) => i + 1));
    const statuses = events.flatMap((e) => (e.type === 'status' ? [e.status] : []));
    expect(statuses).toEqual(['running', 'evaluating', 'finished']);
    const grid = events.find((e) => e.type === 'reconstructions');
    expect(grid?.type === 'reconstructions' && grid.grid.forget.unlearned.pixels.length).toBe(2 * 28 * 28);
    expect(events.some((e) => e.type === 'metrics')).toBe(true);
    // A request the worker cannot answer is refused with the reason, and the worker goes on.
    await expect(worker.request('load', { modelId: 'no-such-model' })).rejects.toThrow(/unknown model "no-such-model"/);
    await expect(worker.request('pause', {})).rejects.toThrow(/nothing is running/);
  });

  test('two starts sent together: the second ends the first, which stops without metrics, and runs to its end', async () => {
    const worker = client();
    await worker.request('init', {});
    const firstEvents: JobEvent[] = [];
    worker.listen((event) => event.type !== 'compareProgress' && event.runId === 1 && firstEvents.push(event));
    let secondId: number | undefined;
    const secondEnded = eventsUntil(worker, 'finished', () => secondId);
    const [first, second] = await Promise.all([
      worker.request('start', { run: { ...RUN, settings: SETTINGS } }),
      worker.request('start', { run: { ...RUN, settings: SETTINGS } }),
    ]);
    secondId = second.runId;
    expect([first.runId, second.runId]).toEqual([1, 2]);
    await secondEnded;
    expect(firstEvents.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual(['running', 'stopped']);
    expect(firstEvents.some((e) => e.type === 'metrics')).toBe(false);
  });

  test('pause holds the run between steps, a checkpoint can be taken meanwhile, and resume goes on', async () => {
    const worker = client();
    await worker.request('init', {});
    let runId: number | undefined;
    const paused = eventsUntil(worker, 'paused', () => runId);
    runId = (await worker.request('start', { run: { ...RUN, settings: SETTINGS } })).runId;
    await worker.request('pause', {});
    const before = await paused;
    const checkpoint = await worker.request('snapshot', {});
    const stepsSoFar = before.filter((e) => e.type === 'progress').length;
    expect(checkpoint.kind === 'unlearn' && checkpoint.step).toBe(stepsSoFar);
    const ended = eventsUntil(worker, 'finished', () => runId);
    await worker.request('resume', {});
    const after = await ended;
    expect(after.flatMap((e) => (e.type === 'progress' ? [e.report.step] : []))[0]).toBe(stepsSoFar + 1);
  });

  test('a run resumed from a checkpoint taken mid-run ends with bitwise the weights of the same run uninterrupted', async () => {
    const worker = client();
    await worker.request('init', {});
    const uninterrupted = await run(worker);

    const { checkpoint } = await runTakingCheckpoint(worker, 4);
    // The snapshot waits for the steps in flight: it may come a step or two after the one that asked.
    expect(checkpoint.step).toBeGreaterThanOrEqual(4);
    expect(checkpoint.step).toBeLessThan(SETTINGS.steps);
    const resumed = await run(worker, checkpoint);
    const steps = resumed.events.flatMap((e) => (e.type === 'progress' ? [e.report.step] : []));
    expect(steps[0]).toBe(checkpoint.step + 1);
    expect(steps.at(-1)).toBe(SETTINGS.steps);
    expect(Buffer.from(resumed.weights).equals(Buffer.from(uninterrupted.weights))).toBe(true);
    const lastLoss = (events: JobEvent[]) => events.filter((e) => e.type === 'progress').at(-1);
    expect(lastLoss(resumed.events)).toMatchObject({ report: { total: (lastLoss(uninterrupted.events) as { report: { total: number } }).report.total } });
  });

  test('a run whose loss becomes NaN stops at the next report and says so: status diverged with the step and the reason, no metrics', async () => {
    const worker = client();
    await worker.request('init', {});
    const first = await runTakingCheckpoint(worker, 2);
    const { checkpoint } = first;
    let runId = first.runId;
    // Weights gone bad, as after an overflow: every step's loss is NaN.
    const weights = checkpoint.files['encoder.weights.bin'].slice();
    new Float32Array(weights.buffer, 0, weights.byteLength / 4).fill(NaN);
    const poisoned = { ...checkpoint, files: { ...checkpoint.files, 'encoder.weights.bin': weights } };

    const events: JobEvent[] = [];
    const ended = new Promise<void>((resolve) =>
      worker.listen((event) => {
        if (event.type === 'compareProgress' || event.runId !== runId) return;
        events.push(event);
        if (event.type === 'status' && ['finished', 'stopped', 'diverged'].includes(event.status)) resolve();
      }),
    );
    runId = (await worker.request('start', { run: { ...RUN, settings: SETTINGS, resume: poisoned } })).runId;
    await ended;
    const steps = events.flatMap((e) => (e.type === 'progress' ? [e.report.step] : []));
    // The step after the NaN was already in flight: it ends too, no further one starts.
    expect(steps.length).toBeLessThanOrEqual(2);
    expect(events.at(-1)).toEqual({ type: 'status', runId, status: 'diverged', reason: expect.stringMatching(`diverged at step ${checkpoint.step + 1}: the loss became NaN`) });
    expect(events.some((e) => e.type === 'metrics' || (e.type === 'status' && e.status === 'evaluating'))).toBe(false);
    // Nothing of the diverged run is left to export: the model is the original again, and no weights were kept with the run.
    expect(events.some((e) => e.type === 'unlearnedWeights')).toBe(false);
    const exported = await worker.request('exportModel', { id: 'after-divergence', title: 'after divergence' });
    const encoder = exported.files['encoder.weights.bin'];
    expect(new Float32Array(encoder.buffer, encoder.byteOffset, encoder.byteLength / 4).some(Number.isNaN)).toBe(false);
  });
});

describe('stop at target (calibrated runs)', () => {
  /** Runs to the end with `calibration`; returns its events. */
  async function calibratedRun(worker: WorkerClient, calibration: CalibrationRequest, settings = { ...SETTINGS, steps: 60, batchSize: 8 }, forgetClasses = [7]) {
    let runId: number | undefined;
    const ended = eventsUntil(worker, 'finished', () => runId);
    runId = (await worker.request('start', { run: { ...RUN, forgetClasses, settings, calibration } })).runId;
    const events = await ended;
    const of = <T extends JobEvent['type']>(type: T) => events.filter((e): e is Extract<JobEvent, { type: T }> => e.type === type);
    return { events, target: of('calibrationTarget')[0], points: of('calibration').map((e) => e.point), end: of('calibrationEnd')[0], steps: of('progress').length };
  }

  test('measures every k steps from the original, and stops at the first measurement at or below the target with the reason', async () => {
    const worker = client();
    await worker.request('init', {});
    // A target out of reach: the run measures every 5 steps to its budget and says so.
    const full = await calibratedRun(worker, { goal: { kind: 'psnr', forgetPsnr: 1 }, every: 5 });
    expect(full.steps).toBe(60);
    expect(full.end).toMatchObject({ step: 60, reason: 'step budget' });
    expect(full.points[0]).toEqual({ step: 0, ...full.target.original });
    // Every 5 steps at the least (more where a measurement costs over its share of the run).
    const measured = full.points.map((p) => p.step);
    expect(measured[0]).toBe(0);
    expect(measured.slice(1).every((step, i) => step - measured[i] >= 5)).toBe(true);
    expect(measured.length).toBeGreaterThan(2);
    const last = full.points.at(-1)!;
    expect(last.forgetPsnr).toBeLessThan(full.points[0].forgetPsnr - 0.5);

    // A target halfway down that curve: the same run (same seed) stops early, once it is reached.
    const halfway = (full.points[0].forgetPsnr + last.forgetPsnr) / 2;
    const early = await calibratedRun(worker, { goal: { kind: 'psnr', forgetPsnr: halfway }, every: 5 });
    expect(early.target.target).toEqual({ forgetPsnr: halfway, source: 'the level you set' });
    expect(early.end.reason).toBe('target reached');
    expect(early.end.step).toBeLessThan(60);
    expect(early.steps).toBe(early.end.step);
    expect(early.points.at(-1)!.step).toBe(early.end.step);
    expect(early.points.at(-1)!.forgetPsnr).toBeLessThanOrEqual(halfway);
    expect(early.points.slice(0, -1).every((p) => p.forgetPsnr > halfway)).toBe(true);
    // It still ends as a finished run, with its held-out metrics.
    expect(early.events.some((e) => e.type === 'metrics')).toBe(true);
  });

  test('targets from the retrained reference, or estimated from one for a class the model never saw; refused where none exists', async () => {
    const worker = client();
    await worker.request('init', {});
    const once = { ...SETTINGS, steps: 1, batchSize: 4 };
    const retrained = await calibratedRun(worker, { goal: { kind: 'retrained' }, every: 5 }, once);
    expect(retrained.target.target.source).toMatch(/^mnist-inpaint-ae-without-7, the model retrained without the forget set/);
    // The reference never saw a 7: it inpaints them worse than the original does.
    expect(retrained.target.target.forgetPsnr).toBeLessThan(retrained.target.original.forgetPsnr - 1);

    const unseen = await calibratedRun(worker, { goal: { kind: 'unseen-class' }, every: 5 }, once, [3]);
    expect(unseen.target.target.source).toMatch(/^estimated: .* mnist-inpaint-ae-without-7, retrained without 7/);
    expect(unseen.target.target.forgetPsnr).toBeLessThan(unseen.target.original.forgetPsnr - 1);

    await expect(worker.request('start', { run: { ...RUN, forgetClasses: [3], settings: once, calibration: { goal: { kind: 'retrained' }, every: 5 } } })).rejects.toThrow(
      /no retrained reference for forgetting 3 with mnist-inpaint-ae: train one in the method comparison/,
    );
    // Each refusal answers its own request: the one after it is refused for its own reason.
    await expect(worker.request('start', { run: { ...RUN, settings: once, calibration: { goal: { kind: 'psnr', forgetPsnr: -2 }, every: 5 } } })).rejects.toThrow(/positive number of dB/);
    expect((await worker.request('load', { modelId: 'mnist-inpaint-ae' })).model.id).toBe('mnist-inpaint-ae');
  });
});

describe('the evaluation and the unlearned weights', () => {
  test('a stop without metrics during the evaluation cuts it short: progress came, no metrics, the run ends stopped', async () => {
    const worker = client();
    await worker.request('init', {});
    let runId: number | undefined;
    const evaluating = new Promise<void>((resolve) => worker.listen((e) => e.type === 'status' && e.status === 'evaluating' && e.runId === runId && resolve()));
    const ended = eventsUntil(worker, 'stopped', () => runId);
    runId = (await worker.request('start', { run: { ...RUN, evalImages: 1000, settings: { ...SETTINGS, steps: 2 } } })).runId;
    await evaluating;
    await worker.request('stop', { withoutMetrics: true });
    const events = await ended;
    expect(events.some((e) => e.type === 'metrics')).toBe(false);
    const progress = events.flatMap((e) => (e.type === 'evaluationProgress' ? [e] : []));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.done).toBeLessThan(progress.at(-1)!.total);
    // The worker is free again: another run starts and finishes.
    await run(worker);
  });

  test('the weights a run streams at its end rebuild its unlearned model in a new worker (a reload), and weights that do not fit are refused', async () => {
    const first = client();
    await first.request('init', {});
    let runId: number | undefined;
    const ended = eventsUntil(first, 'finished', () => runId);
    runId = (await first.request('start', { run: { ...RUN, settings: SETTINGS } })).runId;
    const weights = (await ended).find((e) => e.type === 'unlearnedWeights');
    expect(weights?.type === 'unlearnedWeights' && Object.keys(weights.files).sort()).toEqual(['encoder.json', 'encoder.weights.bin']);
    const unlearned = (await first.request('exportModel', { id: 'own-a', title: 'a' })).files['encoder.weights.bin'];

    const reloaded = client();
    await reloaded.request('init', {});
    await reloaded.request('load', { modelId: 'mnist-inpaint-ae' });
    const original = (await reloaded.request('exportModel', { id: 'own-b', title: 'b' })).files['encoder.weights.bin'];
    expect(Buffer.from(original).equals(Buffer.from(unlearned))).toBe(false);
    const files = weights?.type === 'unlearnedWeights' ? weights.files : {};
    // Made first: the request transfers the files it carries.
    const cut = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, name === 'encoder.weights.bin' ? bytes.slice(8) : bytes.slice()]));
    const rebuilt = await reloaded.request('exportModel', { id: 'own-c', title: 'c', weights: files });
    expect(Buffer.from(rebuilt.files['encoder.weights.bin']).equals(Buffer.from(unlearned))).toBe(true);
    await expect(reloaded.request('exportModel', { id: 'own-d', title: 'd', weights: cut })).rejects.toThrow(/do not fit/);
  });
});

describe('the client replaces a lost worker', () => {
  test('one that goes silent: the watchdog replaces it, the pending request fails, the new worker gets the backend and the model back', async () => {
    const spawned: string[] = [];
    let silentFirst = true;
    const worker = client(() => {
      spawned.push(silentFirst ? 'silent' : 'channel');
      const next = silentFirst ? silentWorker() : channelWorker();
      silentFirst = false;
      return next;
    }, 300);
    const restarted = new Promise<Restarted>((resolve) => worker.onRestart(resolve));
    await expect(worker.request('init', { preferred: 'wasm' })).rejects.toBeInstanceOf(WorkerLostError);
    const { loss, ready } = await restarted;
    expect(loss.cause).toBe('unresponsive');
    expect(ready.backend).toBe('wasm');
    expect(spawned).toEqual(['silent', 'channel']);
    expect((await worker.request('load', { modelId: 'mnist-inpaint-ae' })).model.id).toBe('mnist-inpaint-ae');
  });

  test('one that loses its GPU: replaced at once, on the next backend in the order, with the model loaded again', async () => {
    const inits: (string | undefined)[] = [];
    const worker = client(() => {
      const real = channelWorker();
      const post = real.postMessage;
      real.postMessage = (message, transfer) => {
        if (message.type === 'init') inits.push(message.preferred);
        post(message, transfer);
      };
      return real;
    });
    await worker.request('init', { preferred: 'webgpu' });
    await worker.request('load', { modelId: 'mnist-inpaint-ae' });
    const restarted = new Promise<Restarted>((resolve) => worker.onRestart(resolve));
    await worker.request('loseBackend', {}).catch(() => undefined);
    const { loss, loaded } = await restarted;
    expect(loss).toMatchObject({ cause: 'backendLost', backend: 'wasm' });
    expect(inits).toEqual(['webgpu', 'cpu']);
    expect(loaded?.model.id).toBe('mnist-inpaint-ae');
  });

  test('one that fails: its onerror replaces it', async () => {
    const workers: WorkerLike[] = [];
    const worker = client(() => {
      const made = channelWorker();
      workers.push(made);
      return made;
    });
    await worker.request('init', {});
    const restarted = new Promise<Restarted>((resolve) => worker.onRestart(resolve));
    workers[0].onerror?.({ message: 'boom' } as ErrorEvent);
    expect((await restarted).loss).toEqual({ cause: 'crashed', reason: 'the training worker failed: boom' });
    expect(workers).toHaveLength(2);
  });
});

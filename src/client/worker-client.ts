/**
 * The studio's end of the training worker: typed requests (see Rpc) answered by id, job events
 * to listeners, and a worker that survives: one that fails, goes quiet past the watchdog, or
 * loses its GPU is terminated and replaced, and the replacement gets the backend and the model
 * back before any further request reaches it.
 */
import { BACKEND_ORDER } from '../shared/backend-order';
import type { AnswerOf, BackendName, JobEvent, RequestBody, RequestType, WorkerEvent, WorkerRequest } from '../shared/protocol';
import { transferables } from '../shared/transfer';

/** What the client needs of a worker: a browser Worker, or a message port in the unit tests. */
export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerEvent>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export type CompareProgressEvent = Extract<JobEvent, { type: 'compareProgress' }>;

/** Why the worker was replaced. */
export type WorkerLoss =
  | { cause: 'crashed' | 'unresponsive'; reason: string }
  | { cause: 'backendLost'; reason: string; backend: BackendName };

export interface Restarted {
  loss: WorkerLoss;
  ready: AnswerOf<'init'>;
  /** The model loaded again into the new worker (undefined when none was loaded, or it failed to load). */
  loaded?: AnswerOf<'load'>;
}

/** A request that was pending when its worker was lost. */
export class WorkerLostError extends Error {}

export interface ClientOptions {
  spawn: () => WorkerLike;
  /** A worker silent for this long (it sends a heartbeat every 2 s) is taken for dead. */
  watchdogMs: number;
}

interface Pending {
  type: RequestType;
  resolve: (answer: never) => void;
  reject: (error: Error) => void;
}

/** Replacements in a row, without a request answered in between, before the client gives up. */
const MAX_RESTARTS = 3;

export function browserWorker(): WorkerLike {
  return new Worker(new URL('../worker/unlearning.worker.ts', import.meta.url), { type: 'module', name: 'unlearning' });
}

/** The backend after `lost` in the order (the last one stays itself: cpu has nothing to lose). */
export function fallbackAfter(lost: BackendName): BackendName {
  const index = BACKEND_ORDER.indexOf(lost);
  return BACKEND_ORDER[Math.min(index + 1, BACKEND_ORDER.length - 1)];
}

export class WorkerClient {
  private worker: WorkerLike;
  private readonly pending = new Map<number, Pending>();
  private readonly compareListeners = new Map<number, (event: CompareProgressEvent) => void>();
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly restartListeners = new Set<(restarted: Restarted) => void>();
  private readonly lossListeners = new Set<(loss: WorkerLoss) => void>();
  private nextRequestId = 1;
  private lastHeard = Date.now();
  private readonly watchdog: ReturnType<typeof setInterval>;
  /** Resolves once a replacement worker has its backend and model back; requests wait for it. */
  private replacing?: Promise<void>;
  private restartsInARow = 0;
  /** What the next worker is set up with: the last init, and the last model loaded. */
  private initBody?: RequestBody<'init'>;
  private loadedModel?: string;
  private closed = false;

  constructor(private readonly options: ClientOptions) {
    this.worker = this.attach(options.spawn());
    this.watchdog = setInterval(() => {
      if (!this.replacing && Date.now() - this.lastHeard > options.watchdogMs) {
        void this.replace({ cause: 'unresponsive', reason: `the training worker did not answer for ${Math.round(options.watchdogMs / 1000)} s` });
      }
    }, Math.max(10, options.watchdogMs / 4));
  }

  private attach(worker: WorkerLike): WorkerLike {
    this.lastHeard = Date.now();
    worker.onmessage = (message) => {
      // A worker being replaced may still have sent something: it is not heard any more.
      if (worker !== this.worker) return;
      this.lastHeard = Date.now();
      this.receive(message.data);
    };
    worker.onerror = (event) => {
      if (worker !== this.worker) return;
      // The replacement failed too: its init is answered with the failure, and the client gives up.
      if (this.replacing) return this.rejectPending(new WorkerLostError(`the new training worker failed: ${event.message || 'unknown error'}`));
      void this.replace({ cause: 'crashed', reason: `the training worker failed: ${event.message || 'unknown error'}` });
    };
    return worker;
  }

  private receive(event: WorkerEvent): void {
    if ('requestId' in event) {
      const pending = this.pending.get(event.requestId);
      if (!pending) return;
      this.pending.delete(event.requestId);
      this.compareListeners.delete(event.requestId);
      // The replacement's own init and load do not count as the worker working again.
      if (!this.replacing) this.restartsInARow = 0;
      if (event.type === 'error') pending.reject(new Error(event.message));
      else {
        if (pending.type === 'load' && event.type === 'loaded') this.loadedModel = event.model.id;
        pending.resolve(event as never);
      }
      return;
    }
    switch (event.type) {
      case 'heartbeat':
        return;
      case 'backendLost':
        void this.replace({ cause: 'backendLost', reason: event.reason, backend: event.backend });
        return;
      case 'compareProgress':
        this.compareListeners.get(event.compareId)?.(event);
        return;
      default:
        this.listeners.forEach((listener) => listener(event));
    }
  }

  /** Sends a request to the worker as it is now (no waiting for a replacement). */
  private send<K extends RequestType>(type: K, body: RequestBody<K>, onCompareProgress?: (event: CompareProgressEvent) => void): Promise<AnswerOf<K>> {
    const requestId = this.nextRequestId++;
    if (onCompareProgress) this.compareListeners.set(requestId, onCompareProgress);
    return new Promise<AnswerOf<K>>((resolve, reject) => {
      this.pending.set(requestId, { type, resolve: resolve as (answer: never) => void, reject });
      const request = { ...body, type, requestId } as WorkerRequest;
      this.worker.postMessage(request, transferables(request));
    });
  }

  /**
   * Sends a request and resolves with its answer (the type Rpc maps it to). Every typed array in
   * `body` is transferred: pass buffers the caller does not keep.
   */
  async request<K extends RequestType>(type: K, body: RequestBody<K>, onCompareProgress?: (event: CompareProgressEvent) => void): Promise<AnswerOf<K>> {
    if (this.closed) throw new Error('the training worker was shut down');
    await this.replacing;
    if (type === 'init') this.initBody = body as RequestBody<'init'>;
    return this.send(type, body, onCompareProgress);
  }

  /** Hears every job event (runs, trainings); returns the unsubscribe. */
  listen(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hears a loss as soon as it is noticed (pending requests are rejected just after). */
  onLoss(listener: (loss: WorkerLoss) => void): () => void {
    this.lossListeners.add(listener);
    return () => this.lossListeners.delete(listener);
  }

  /** Hears each replacement, once the new worker has its backend and model. */
  onRestart(listener: (restarted: Restarted) => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /** Terminates the worker without a word, as a crash would: the watchdog has to notice (a test hook). */
  killWorker(): void {
    this.worker.onmessage = null;
    this.worker.terminate();
  }

  private async replace(loss: WorkerLoss): Promise<void> {
    if (this.replacing || this.closed) return;
    let done!: () => void;
    this.replacing = new Promise<void>((resolve) => (done = resolve));
    this.worker.terminate();
    this.lossListeners.forEach((listener) => listener(loss));
    this.rejectPending(new WorkerLostError(loss.reason));
    try {
      if (++this.restartsInARow > MAX_RESTARTS) throw new Error(`${loss.reason}; the worker was replaced ${this.restartsInARow - 1} times in a row, giving up`);
      this.worker = this.attach(this.options.spawn());
      const preferred = loss.cause === 'backendLost' ? fallbackAfter(loss.backend) : this.initBody?.preferred;
      this.initBody = { ...this.initBody, preferred };
      const ready = await this.send('init', this.initBody);
      const loaded = this.loadedModel === undefined ? undefined : await this.send('load', { modelId: this.loadedModel }).catch(() => undefined);
      this.replacing = undefined;
      done();
      this.restartListeners.forEach((listener) => listener({ loss, ready, loaded }));
    } catch (failure) {
      this.closed = true;
      this.replacing = undefined;
      done();
      const reason = failure instanceof Error ? failure.message : String(failure);
      this.lossListeners.forEach((listener) => listener({ cause: 'crashed', reason: `the training worker could not be restarted: ${reason}` }));
    }
  }

  private rejectPending(error: Error): void {
    this.pending.forEach((pending) => pending.reject(error));
    this.pending.clear();
    this.compareListeners.clear();
  }

  terminate(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    this.worker.terminate();
  }
}

import type { WorkerEvent, WorkerRequest } from './protocol';

type Answer<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;
/** Events that belong to a run rather than answer a request (runId -1: the worker itself failed). */
export type RunEvent = Extract<WorkerEvent, { type: 'progress' | 'reconstructions' | 'metrics' | 'status' | 'sampling' }> | { type: 'error'; runId: number; message: string };

export type CompareProgressEvent = Extract<WorkerEvent, { type: 'compareProgress' }>;

type RequestBody<T extends WorkerRequest['type']> = Omit<Extract<WorkerRequest, { type: T }>, 'requestId' | 'type'>;
type WithoutId<R> = R extends unknown ? Omit<R, 'requestId'> : never;

interface Pending {
  resolve: (event: WorkerEvent) => void;
  reject: (error: Error) => void;
}

/** The studio's handle on the training worker: request/answer pairs by id, plus a stream of run events. */
export class UnlearningWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  /** Progress listeners of running comparisons, by the compare request's id. */
  private readonly compareListeners = new Map<number, (event: CompareProgressEvent) => void>();
  private nextRequestId = 1;
  /** Further listeners of run events (the own-model store follows training runs). */
  private readonly runListeners = new Set<(event: WorkerEvent) => void>();

  constructor(private readonly onRunEvent: (event: RunEvent) => void) {
    this.worker = new Worker(new URL('./unlearning.worker.ts', import.meta.url), { type: 'module', name: 'unlearning' });
    this.worker.onmessage = (message: MessageEvent<WorkerEvent>) => this.receive(message.data);
    this.worker.onerror = (event) => {
      const error = new Error(`the training worker failed: ${event.message || 'unknown error'}`);
      this.pending.forEach((p) => p.reject(error));
      this.pending.clear();
      this.compareListeners.clear();
      this.onRunEvent({ type: 'error', runId: -1, message: error.message });
    };
  }

  private receive(event: WorkerEvent): void {
    if ('requestId' in event && event.requestId !== undefined) {
      const pending = this.pending.get(event.requestId);
      if (!pending) return;
      this.pending.delete(event.requestId);
      this.compareListeners.delete(event.requestId);
      if (event.type === 'error') pending.reject(new Error(event.message));
      else pending.resolve(event);
      return;
    }
    if (event.type === 'compareProgress') {
      this.compareListeners.get(event.compareId)?.(event);
      return;
    }
    if ('runId' in event && event.runId !== undefined) {
      this.onRunEvent(event as RunEvent);
      this.runListeners.forEach((listener) => listener(event));
    }
  }

  private request<T extends WorkerEvent['type']>(body: WithoutId<WorkerRequest>, onCompareProgress?: (event: CompareProgressEvent) => void): Promise<Answer<T>> {
    const requestId = this.nextRequestId++;
    if (onCompareProgress) this.compareListeners.set(requestId, onCompareProgress);
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (e: WorkerEvent) => void, reject });
      this.worker.postMessage({ ...body, requestId } as WorkerRequest);
    });
  }

  init(body: RequestBody<'init'>) {
    return this.request<'ready'>({ ...body, type: 'init' });
  }

  load(body: RequestBody<'load'>) {
    return this.request<'loaded'>({ ...body, type: 'load' });
  }

  start(body: RequestBody<'start'>) {
    return this.request<'runStarted'>({ ...body, type: 'start' });
  }

  pause() {
    return this.request<'ack'>({ type: 'pause' });
  }

  resume() {
    return this.request<'ack'>({ type: 'resume' });
  }

  stop() {
    return this.request<'ack'>({ type: 'stop' });
  }

  selfCheck() {
    return this.request<'selfCheckResult'>({ type: 'selfCheck' });
  }

  benchmark(body: RequestBody<'benchmark'>) {
    return this.request<'benchmarkResult'>({ ...body, type: 'benchmark' });
  }

  /** Resolves with the result, or `compareCancelled` after cancelCompare; progress goes to `onProgress` meanwhile. */
  compare(body: RequestBody<'compare'>, onProgress: (event: CompareProgressEvent) => void) {
    return this.request<'compareResult' | 'compareCancelled'>({ ...body, type: 'compare' }, onProgress);
  }

  cancelCompare() {
    return this.request<'ack'>({ type: 'cancelCompare' });
  }

  /** Also hears every run event (training runs included); returns the unsubscribe. */
  listen(listener: (event: WorkerEvent) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  trainOriginal(body: RequestBody<'trainOriginal'>) {
    return this.request<'trainStarted'>({ ...body, type: 'trainOriginal' });
  }

  exportModel(body: RequestBody<'exportModel'>) {
    return this.request<'modelFiles'>({ ...body, type: 'exportModel' });
  }

  snapshot() {
    return this.request<'modelFiles'>({ type: 'snapshot' });
  }

  preview(body: RequestBody<'preview'>) {
    return this.request<'previewResult'>({ ...body, type: 'preview' });
  }

  terminate(): void {
    this.worker.terminate();
  }
}

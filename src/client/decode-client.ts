import type { DecodeEvent, DecodeLimits, DecodeRequest, ImageFormat, SourceFile } from '../shared/decode-protocol';

type Batch = Extract<DecodeEvent, { type: 'batch' }>;

interface Pending {
  onBatch: (batch: Batch) => void;
  resolve: (result: { cancelled: boolean }) => void;
  reject: (error: Error) => void;
}

/** The studio's handle on the decode worker: one decode after another, each streaming batches. */
export class DecodeClient {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('../worker/decode.worker.ts', import.meta.url), { type: 'module', name: 'decode' });
    worker.onmessage = ({ data }: MessageEvent<DecodeEvent>) => {
      const pending = this.pending.get(data.requestId);
      if (!pending) return;
      if (data.type === 'batch') pending.onBatch(data);
      else {
        this.pending.delete(data.requestId);
        if (data.type === 'done') pending.resolve({ cancelled: data.cancelled });
        else pending.reject(new Error(data.message));
      }
    };
    worker.onerror = (event) => {
      const error = new Error(`the decode worker failed: ${event.message || 'unknown error'}`);
      this.pending.forEach((p) => p.reject(error));
      this.pending.clear();
    };
    return (this.worker = worker);
  }

  /** Resolves once every file is handled (or the decode is cancelled); results arrive in `onBatch` meanwhile. */
  decode(files: SourceFile[], format: ImageFormat, limits: DecodeLimits, onBatch: (batch: Batch) => void): { requestId: number; done: Promise<{ cancelled: boolean }> } {
    const worker = this.ensureWorker();
    const requestId = this.nextRequestId++;
    const done = new Promise<{ cancelled: boolean }>((resolve, reject) => {
      this.pending.set(requestId, { onBatch, resolve, reject });
      worker.postMessage({ type: 'decode', requestId, files, format, limits } satisfies DecodeRequest);
    });
    return { requestId, done };
  }

  cancel(requestId: number): void {
    this.worker?.postMessage({ type: 'cancel', requestId } satisfies DecodeRequest);
  }
}

/// <reference lib="webworker" />
/**
 * The decode worker: turns dropped files, folders' files and zip entries into model-ready pixels
 * (centre-cropped, resized, converted to the model's channels) off the main thread, and names
 * every file it skips and why. Duplicates are judged by the studio, which knows both sets.
 */
import { unzipSync } from 'fflate';
import {
  HEAD_BYTES,
  centreCrop,
  checkBeforeDecode,
  checkPixels,
  isZip,
  isZipImageCandidate,
  pixelHash,
  rgbaToChannels,
  type DecodeLimits,
  type ImageFormat,
  type SkippedFile,
} from '../shared/decode-plan';
import type { DecodeEvent, DecodeRequest, DecodedImage, SourceFile } from '../shared/decode-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/** Results go out in batches: one message per image would flood the main thread with 2,000 tasks. */
const BATCH_IMAGES = 64;
const BATCH_MS = 150;

const cancelled = new Set<number>();

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class Decoder {
  private readonly canvas: OffscreenCanvas;
  private readonly context: OffscreenCanvasRenderingContext2D;

  constructor(private readonly format: ImageFormat) {
    this.canvas = new OffscreenCanvas(format.width, format.height);
    this.context = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.context.imageSmoothingEnabled = true;
    this.context.imageSmoothingQuality = 'high';
  }

  async decode(blob: Blob, limits: DecodeLimits): Promise<Uint8Array | Omit<SkippedFile, 'name'>> {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none' });
    } catch (error) {
      return { reason: 'corrupt', detail: `could not be decoded (${describe(error)})` };
    }
    try {
      const refused = checkPixels(bitmap.width, bitmap.height, limits);
      if (refused) return refused;
      const { sx, sy, sw, sh } = centreCrop(bitmap.width, bitmap.height, this.format);
      const { width, height } = this.format;
      this.context.clearRect(0, 0, width, height);
      this.context.drawImage(bitmap, sx, sy, sw, sh, 0, 0, width, height);
      return rgbaToChannels(this.context.getImageData(0, 0, width, height).data, this.format.channels);
    } finally {
      bitmap.close();
    }
  }
}

async function decodeAll(request: Extract<DecodeRequest, { type: 'decode' }>): Promise<void> {
  const { requestId, limits } = request;
  const decoder = new Decoder(request.format);
  const queue: SourceFile[] = [...request.files];
  let images: DecodedImage[] = [];
  let skipped: SkippedFile[] = [];
  let seen = 0;
  let lastFlush = performance.now();
  const flush = () => {
    scope.postMessage({ type: 'batch', requestId, images, skipped, seen, known: seen + queue.length } satisfies DecodeEvent, images.map((i) => i.pixels.buffer));
    images = [];
    skipped = [];
    lastFlush = performance.now();
  };

  while (queue.length > 0) {
    if (cancelled.has(requestId)) break;
    const { name, file } = queue.shift()!;
    seen++;
    const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
    if (file.size > 0 && file.size <= limits.maxBytes && isZip(head)) {
      try {
        const entries = unzipSync(new Uint8Array(await file.arrayBuffer()), { filter: (entry) => isZipImageCandidate(entry.name) });
        // The zip itself is a container, not a file of the set: its entries take its place in the count.
        seen--;
        for (const [path, bytes] of Object.entries(entries)) queue.push({ name: `${name}/${path}`, file: new Blob([bytes]) });
      } catch (error) {
        skipped.push({ name, reason: 'corrupt', detail: `a zip that could not be read (${describe(error)})` });
      }
    } else {
      const verdict = checkBeforeDecode(file.size, head, limits);
      if (!verdict.ok) skipped.push({ name, ...verdict.skip });
      else {
        const result = await decoder.decode(file, limits);
        if (result instanceof Uint8Array) images.push({ name, hash: pixelHash(result), pixels: result });
        else skipped.push({ name, ...result });
      }
    }
    if (images.length >= BATCH_IMAGES || performance.now() - lastFlush >= BATCH_MS) flush();
  }
  flush();
  scope.postMessage({ type: 'done', requestId, cancelled: cancelled.delete(requestId) } satisfies DecodeEvent);
}

scope.onmessage = (message: MessageEvent<DecodeRequest>) => {
  const request = message.data;
  if (request.type === 'cancel') {
    cancelled.add(request.requestId);
    return;
  }
  decodeAll(request).catch((error) => scope.postMessage({ type: 'error', requestId: request.requestId, message: describe(error) } satisfies DecodeEvent));
};

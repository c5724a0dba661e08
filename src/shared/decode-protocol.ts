/** Messages between the studio and the decode worker: files in, model-ready pixels and skip reports out. */
import type { DecodeLimits, ImageFormat, SkippedFile } from './decode-plan';

export type { DecodeLimits, ImageFormat, SkippedFile };

/** A file as the studio found it (`name` is its path inside a dropped folder, when it came in one). */
export interface SourceFile {
  name: string;
  file: Blob;
}

/** One decoded image: HWC bytes in the requested format, plus a content hash for duplicate checks. */
export interface DecodedImage {
  name: string;
  hash: string;
  pixels: Uint8Array;
}

export type DecodeRequest =
  | { type: 'decode'; requestId: number; files: SourceFile[]; format: ImageFormat; limits: DecodeLimits }
  /** Stops a decode after its current batch; the images already sent stay. */
  | { type: 'cancel'; requestId: number };

export type DecodeEvent =
  /** A batch of results; `seen` counts files handled so far (zip entries included), `known` the files known so far. */
  | { type: 'batch'; requestId: number; images: DecodedImage[]; skipped: SkippedFile[]; seen: number; known: number }
  | { type: 'done'; requestId: number; cancelled: boolean }
  | { type: 'error'; requestId: number; message: string };

/**
 * Pure helpers for turning user files into model-ready images (no DOM, no tfjs): which files to
 * refuse before decoding them, how to crop, how to turn RGBA into the model's channels, and a
 * content hash for duplicates. The decode worker does the DOM part (createImageBitmap, OffscreenCanvas).
 */

/** What the model takes: images are centre-cropped and resized to this. */
export interface ImageFormat {
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface DecodeLimits {
  /** Files larger than this are refused unread. */
  maxBytes: number;
  /** Images with more pixels than this are refused before decoding (a 30k x 30k PNG would take gigabytes). */
  maxPixels: number;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxBytes: 25 * 1024 * 1024, maxPixels: 40_000_000 };

export type SkipReason = 'empty' | 'too-large' | 'not-an-image' | 'too-many-pixels' | 'corrupt' | 'duplicate' | 'in-other-set' | 'unreadable';

export const SKIP_REASONS: Record<SkipReason, string> = {
  empty: 'zero bytes',
  'too-large': 'too many bytes',
  'not-an-image': 'not an image',
  'too-many-pixels': 'too many pixels',
  corrupt: 'corrupt image',
  duplicate: 'a duplicate',
  'in-other-set': 'already in the other set',
  unreadable: 'not readable',
};

export interface SkippedFile {
  name: string;
  reason: SkipReason;
  detail: string;
}

export type ImageType = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';

export interface Sniffed {
  type: ImageType;
  /** From the header, when it says; otherwise known only after decoding. */
  width?: number;
  height?: number;
}

/** Bytes to read from a file's start: enough for every header below (a JPEG's frame header can sit after its EXIF). */
export const HEAD_BYTES = 64 * 1024;

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
const ascii = (b: Uint8Array, start: number, length: number) => String.fromCharCode(...b.subarray(start, start + length));

function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    i += 2 + u16be(b, i + 2);
  }
  return undefined;
}

/** The image type from the magic bytes (never the file name), and the size when the header holds it. */
export function sniffImage(head: Uint8Array): Sniffed | undefined {
  if (head.length >= 24 && u32be(head, 0) === 0x89504e47 && ascii(head, 12, 4) === 'IHDR') {
    return { type: 'png', width: u32be(head, 16), height: u32be(head, 20) };
  }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { type: 'jpeg', ...jpegSize(head) };
  if (head.length >= 10 && (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a')) {
    return { type: 'gif', width: u16le(head, 6), height: u16le(head, 8) };
  }
  if (head.length >= 26 && ascii(head, 0, 2) === 'BM') {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    return { type: 'bmp', width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  if (head.length >= 30 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') {
    const chunk = ascii(head, 12, 4);
    if (chunk === 'VP8X') return { type: 'webp', width: 1 + (head[24] | (head[25] << 8) | (head[26] << 16)), height: 1 + (head[27] | (head[28] << 8) | (head[29] << 16)) };
    if (chunk === 'VP8L') {
      const bits = head[21] | (head[22] << 8) | (head[23] << 16) | (head[24] << 24);
      return { type: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    }
    if (chunk === 'VP8 ') return { type: 'webp', width: u16le(head, 26) & 0x3fff, height: u16le(head, 28) & 0x3fff };
    return { type: 'webp' };
  }
  return undefined;
}

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

export type Verdict = { ok: true; sniffed: Sniffed } | { ok: false; skip: Omit<SkippedFile, 'name'> };

/** What can be judged before decoding: size in bytes, magic bytes, pixel count from the header. */
export function checkBeforeDecode(size: number, head: Uint8Array, limits: DecodeLimits): Verdict {
  if (size === 0) return { ok: false, skip: { reason: 'empty', detail: 'the file is empty' } };
  if (size > limits.maxBytes) {
    return { ok: false, skip: { reason: 'too-large', detail: `${formatBytes(size)}, more than the ${formatBytes(limits.maxBytes)} allowed` } };
  }
  const sniffed = sniffImage(head);
  if (!sniffed) return { ok: false, skip: { reason: 'not-an-image', detail: 'not a PNG, JPEG, GIF, BMP or WebP file' } };
  const pixels = checkPixels(sniffed.width, sniffed.height, limits);
  return pixels ? { ok: false, skip: pixels } : { ok: true, sniffed };
}

/** Refuses a decoded (or header-declared) size that is empty or too big; undefined when fine or unknown. */
export function checkPixels(width: number | undefined, height: number | undefined, limits: DecodeLimits): Omit<SkippedFile, 'name'> | undefined {
  if (width === undefined || height === undefined) return undefined;
  if (width === 0 || height === 0) return { reason: 'corrupt', detail: `the header says ${width}×${height}` };
  if (width * height > limits.maxPixels) {
    return { reason: 'too-many-pixels', detail: `${width}×${height}, more than ${(limits.maxPixels / 1e6).toFixed(0)} megapixels` };
  }
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

export interface CropRect {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

/** The largest centred region of the source with the target's aspect ratio: it is then resized to the target. */
export function centreCrop(sourceWidth: number, sourceHeight: number, format: Pick<ImageFormat, 'width' | 'height'>): CropRect {
  const targetAspect = format.width / format.height;
  if (sourceWidth / sourceHeight > targetAspect) {
    const sw = Math.max(1, Math.round(sourceHeight * targetAspect));
    return { sx: Math.floor((sourceWidth - sw) / 2), sy: 0, sw, sh: sourceHeight };
  }
  const sh = Math.max(1, Math.round(sourceWidth / targetAspect));
  return { sx: 0, sy: Math.floor((sourceHeight - sh) / 2), sw: sourceWidth, sh };
}

/**
 * RGBA (as canvases give it) to the model's channels, HWC bytes. Transparent pixels are composited
 * on black, the background of the task's masked hole; grey is Rec. 601 luma.
 */
export function rgbaToChannels(rgba: Uint8ClampedArray | Uint8Array, channels: 1 | 3): Uint8Array {
  const count = rgba.length / 4;
  const out = new Uint8Array(count * channels);
  for (let p = 0; p < count; p++) {
    const a = rgba[p * 4 + 3] / 255;
    const r = rgba[p * 4] * a;
    const g = rgba[p * 4 + 1] * a;
    const b = rgba[p * 4 + 2] * a;
    if (channels === 1) out[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out[p * 3] = Math.round(r);
      out[p * 3 + 1] = Math.round(g);
      out[p * 3 + 2] = Math.round(b);
    }
  }
  return out;
}

/** A 64-bit content hash (two FNV-1a lanes) of the model-ready pixels: equal images hash equal whatever their file. */
export function pixelHash(pixels: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ pixels.length;
  for (let i = 0; i < pixels.length; i++) {
    a = Math.imul(a ^ pixels[i], 0x01000193);
    b = Math.imul(b ^ pixels[i], 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Zip entries worth decoding: files, not folders, and not the metadata macOS adds. */
export function isZipImageCandidate(path: string): boolean {
  return !path.endsWith('/') && !path.split('/').some((part) => part === '__MACOSX' || part.startsWith('._') || part === '.DS_Store');
}

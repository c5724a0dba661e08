import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, centreCrop, checkBeforeDecode, isZip, isZipImageCandidate, pixelHash, rgbaToChannels, sniffImage } from './decode-plan';

function pngHead(width: number, height: number): Uint8Array {
  const head = new Uint8Array(33);
  head.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(head.buffer).setUint32(16, width);
  new DataView(head.buffer).setUint32(20, height);
  return head;
}

describe('sniffImage', () => {
  it('reads the type and size from headers, not names', () => {
    expect(sniffImage(pngHead(640, 480))).toEqual({ type: 'png', width: 640, height: 480 });
    const gif = new Uint8Array([...'GIF89a'].map((c) => c.charCodeAt(0)).concat([0x40, 0x01, 0xf0, 0x00]));
    expect(sniffImage(gif)).toEqual({ type: 'gif', width: 320, height: 240 });
    // SOI, an APP0 segment of 16 bytes, then SOF0 with height 100, width 200.
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...new Array(14).fill(0), 0xff, 0xc0, 0, 17, 8, 0, 100, 0, 200, 3, 0, 0, 0]);
    expect(sniffImage(jpeg)).toEqual({ type: 'jpeg', width: 200, height: 100 });
    expect(sniffImage(new TextEncoder().encode('hello, this is not an image at all'))).toBeUndefined();
  });

  it('knows a zip', () => {
    expect(isZip(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0]))).toBe(true);
    expect(isZip(pngHead(1, 1))).toBe(false);
  });
});

describe('checkBeforeDecode', () => {
  const limits = { maxBytes: 1000, maxPixels: 10_000 };
  it('names each reason before any decoding', () => {
    expect(checkBeforeDecode(0, new Uint8Array(), limits)).toMatchObject({ ok: false, skip: { reason: 'empty' } });
    expect(checkBeforeDecode(1001, pngHead(10, 10), limits)).toMatchObject({ ok: false, skip: { reason: 'too-large' } });
    expect(checkBeforeDecode(50, new TextEncoder().encode('plain text'), limits)).toMatchObject({ ok: false, skip: { reason: 'not-an-image' } });
    expect(checkBeforeDecode(50, pngHead(200, 51), limits)).toMatchObject({ ok: false, skip: { reason: 'too-many-pixels' } });
    expect(checkBeforeDecode(50, pngHead(0, 10), limits)).toMatchObject({ ok: false, skip: { reason: 'corrupt' } });
    expect(checkBeforeDecode(50, pngHead(100, 100), limits)).toEqual({ ok: true, sniffed: { type: 'png', width: 100, height: 100 } });
  });

  it('has generous defaults', () => {
    expect(checkBeforeDecode(5_000_000, pngHead(4000, 3000), DEFAULT_LIMITS).ok).toBe(true);
  });
});

describe('centreCrop', () => {
  it('takes the largest centred square of a landscape or portrait image', () => {
    expect(centreCrop(400, 200, { width: 32, height: 32 })).toEqual({ sx: 100, sy: 0, sw: 200, sh: 200 });
    expect(centreCrop(200, 400, { width: 32, height: 32 })).toEqual({ sx: 0, sy: 100, sw: 200, sh: 200 });
    expect(centreCrop(64, 64, { width: 32, height: 32 })).toEqual({ sx: 0, sy: 0, sw: 64, sh: 64 });
  });
});

describe('rgbaToChannels', () => {
  const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 10, 20, 30, 0]);
  it('keeps RGB and composites transparency on black', () => {
    expect([...rgbaToChannels(rgba, 3)]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 0]);
  });
  it('turns colour into luma', () => {
    expect([...rgbaToChannels(rgba, 1)]).toEqual([76, 150, 0]);
  });
});

describe('pixelHash', () => {
  it('is equal for equal pixels and differs when one byte does', () => {
    const a = Uint8Array.from({ length: 3072 }, (_, i) => (i * 7) % 256);
    const b = a.slice();
    expect(pixelHash(a)).toBe(pixelHash(b));
    b[1500] ^= 1;
    expect(pixelHash(a)).not.toBe(pixelHash(b));
  });
});

it('skips folders and macOS metadata inside zips', () => {
  expect(isZipImageCandidate('cats/1.png')).toBe(true);
  expect(isZipImageCandidate('cats/')).toBe(false);
  expect(isZipImageCandidate('__MACOSX/cats/._1.png')).toBe(false);
  expect(isZipImageCandidate('cats/.DS_Store')).toBe(false);
});

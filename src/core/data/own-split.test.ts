import { expect, it } from 'vitest';
import { ownSplit, ownTrainingSet } from './own-split';

/** `count` 2x2 grey images whose every byte is the image's index. */
const images = (count: number, offset = 0) => Uint8Array.from({ length: count * 4 }, (_, i) => offset + Math.floor(i / 4));
const own = (forget: number, retain: number, proxy?: number) => ({
  height: 2,
  width: 2,
  channels: 1,
  forget: images(forget),
  retain: images(retain, 100),
  ...(proxy ? { proxy: images(proxy, 200) } : {}),
});
const firstBytes = (pixels: Uint8Array) => Array.from({ length: pixels.length / 4 }, (_, i) => pixels[i * 4]);

it('holds out every tenth image of each set, and one of a small set', () => {
  const split = ownSplit(own(20, 3));
  expect(firstBytes(split.forgetTest.pixels)).toEqual([9, 19]);
  expect(split.forgetTrain.count).toBe(18);
  expect(firstBytes(split.retainTest.pixels)).toEqual([102]);
  expect(firstBytes(split.retainTrain.pixels)).toEqual([100, 101]);
});

it('trains the retain term on a proxy while the retain set judges', () => {
  const split = ownSplit(own(4, 4, 3));
  expect(firstBytes(split.retainTrain.pixels)).toEqual([200, 201, 202]);
  expect(firstBytes(split.retainTest.pixels)).toEqual([103]);
});

it('refuses sets too small to hold one out, and bytes that are not whole images', () => {
  expect(() => ownSplit(own(1, 5))).toThrow(/forget set needs at least 2/);
  expect(() => ownSplit({ ...own(4, 4), retain: new Uint8Array(7) })).toThrow(/not a whole number/);
});

it('trains an original on every training image and never on a held-out one', () => {
  const set = ownTrainingSet(own(10, 10, 2));
  expect(firstBytes(set.pixels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 102, 103, 104, 105, 106, 107, 108, 200, 201]);
  expect(set.count).toBe(20);
});

import { describe, expect, test } from 'vitest';
import { encodeIdx, parseIdx } from './idx';
import { filterByLabel, imageSetFromIdx } from './image-set';
import { splitByClass } from './splits';

function tinySet(labels: number[]) {
  const pixels = Uint8Array.from(labels.flatMap((l) => [l, l, l, l]));
  return imageSetFromIdx(parseIdx(encodeIdx([labels.length, 2, 2], pixels)), parseIdx(encodeIdx([labels.length], Uint8Array.from(labels))));
}

describe('IDX files', () => {
  test('round-trip dims and bytes', () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
    const parsed = parseIdx(encodeIdx([2, 3, 4], data));
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  test('reject a bad magic number, another element type, and truncated data', () => {
    const good = encodeIdx([2, 2], Uint8Array.from([1, 2, 3, 4]));
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1]))).toThrow(/magic/);
    const float = good.slice();
    float[2] = 0x0d;
    expect(() => parseIdx(float)).toThrow(/not supported/);
    expect(() => parseIdx(good.subarray(0, good.length - 1))).toThrow(/expected 4 values/);
  });
});

describe('class splits', () => {
  const train = tinySet([0, 1, 2, 1, 0, 2]);
  const test_ = tinySet([2, 1, 0]);

  test('forget classes vs the rest, for train and held-out test', () => {
    const split = splitByClass(train, test_, [1]);
    expect(Array.from(split.forgetTrain.labels)).toEqual([1, 1]);
    expect(Array.from(split.retainTrain.labels)).toEqual([0, 2, 0, 2]);
    expect(Array.from(split.forgetTest.labels)).toEqual([1]);
    expect(Array.from(split.retainTest.labels)).toEqual([2, 0]);
    // pixels travel with their labels
    expect(Array.from(split.forgetTrain.pixels)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  test('a proxy retain set trains on its classes but is judged on every class not forgotten', () => {
    const split = splitByClass(train, test_, [1], [2]);
    expect(Array.from(split.retainTrain.labels)).toEqual([2, 2]);
    expect(Array.from(split.retainTest.labels)).toEqual([2, 0]);
  });

  test('a class in both sets, an empty forget set and an empty split are refused', () => {
    expect(() => splitByClass(train, test_, [1], [1, 2])).toThrow(/both the forget and the retain set/);
    expect(() => splitByClass(train, test_, [])).toThrow(/at least one class/);
    expect(() => splitByClass(train, test_, [7])).toThrow(/forget train set is empty/);
  });

  test('filterByLabel keeps order', () => {
    expect(Array.from(filterByLabel(train, (l) => l !== 1).labels)).toEqual([0, 2, 0, 2]);
  });
});

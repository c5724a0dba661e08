import { expect, it } from 'vitest';
import { admit, type SetIndex } from './own-sets-store';

const image = (hash: string, name = `${hash}.png`) => ({ hash, name, pixels: new Uint8Array(1) });
const emptyIndex = (): SetIndex => ({ forget: new Map(), retain: new Map(), proxy: new Map() });

it('refuses duplicates within a set, by content, and names the first copy', () => {
  const index = emptyIndex();
  const { accepted, skipped } = admit(index, 'forget', { images: [image('a'), image('b'), image('a', 'copy.png')], skipped: [] });
  expect(accepted.map((i) => i.name)).toEqual(['a.png', 'b.png']);
  expect(skipped).toEqual([{ name: 'copy.png', set: 'forget', reason: 'duplicate', detail: 'the same image as a.png' }]);
  expect(admit(index, 'forget', { images: [image('b', 'later.png')], skipped: [] }).skipped[0].reason).toBe('duplicate');
});

it('keeps the forget set apart from the kept sets, but lets retain and proxy share', () => {
  const index = emptyIndex();
  admit(index, 'forget', { images: [image('f')], skipped: [] });
  admit(index, 'retain', { images: [image('r')], skipped: [] });
  expect(admit(index, 'retain', { images: [image('f', 'x.png')], skipped: [] }).skipped).toEqual([
    { name: 'x.png', set: 'retain', reason: 'in-other-set', detail: 'already in the forget set as f.png' },
  ]);
  expect(admit(index, 'forget', { images: [image('r', 'y.png')], skipped: [] }).skipped[0]).toMatchObject({ reason: 'in-other-set', detail: 'already in the retain set as r.png' });
  expect(admit(index, 'proxy', { images: [image('r')], skipped: [] }).accepted).toHaveLength(1);
  expect(admit(index, 'proxy', { images: [image('f')], skipped: [] }).skipped[0].reason).toBe('in-other-set');
});

it('carries the decoder skips over with their set', () => {
  const { skipped } = admit(emptyIndex(), 'proxy', { images: [], skipped: [{ name: 'n.txt', reason: 'not-an-image', detail: 'd' }] });
  expect(skipped).toEqual([{ name: 'n.txt', reason: 'not-an-image', detail: 'd', set: 'proxy' }]);
});

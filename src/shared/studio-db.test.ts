import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, expect, it } from 'vitest';
import { StorageFullError, StudioStorage, type StoredImage } from './studio-db';

let dbCount = 0;
let storage: StudioStorage;
const open = async () => (storage = await StudioStorage.open(`test-${dbCount++}`));
afterEach(() => storage.close());

const image = (set: StoredImage['set'], hash: string, order: number): StoredImage => ({ set, hash, name: `${hash}.png`, pixels: new Uint8Array([order, 1, 2]), order });

it('keeps image sets apart and in insertion order across a reopen', async () => {
  await open();
  await storage.addImages([image('forget', 'b', 1), image('forget', 'a', 0), image('retain', 'c', 2)]);
  // The same image may be in the retain and the proxy set.
  await storage.addImages([image('proxy', 'c', 3)]);
  storage.close();
  storage = await StudioStorage.open(`test-${dbCount - 1}`);
  expect((await storage.images('forget')).map((i) => i.hash)).toEqual(['a', 'b']);
  expect((await storage.images('retain')).map((i) => i.hash)).toEqual(['c']);
  expect((await storage.images('proxy'))[0].pixels).toEqual(new Uint8Array([3, 1, 2]));
  await storage.clearSet('forget');
  expect(await storage.images('forget')).toEqual([]);
  expect(await storage.images('retain')).toHaveLength(1);
});

it('saves runs and settings and finds the last run of a kind', async () => {
  await open();
  await storage.putRun({ kind: 'train-original', modelId: 'own-1', status: 'finished', savedAt: 1, ownData: true });
  const id = await storage.putRun({ kind: 'unlearn', modelId: 'own-1', status: 'running', savedAt: 2, ownData: true });
  await storage.putRun({ id, kind: 'unlearn', modelId: 'own-1', status: 'finished', savedAt: 3, ownData: true });
  await storage.putSetting('format', 'rgb32');
  expect((await storage.lastRun())?.status).toBe('finished');
  expect((await storage.lastRun('train-original'))?.savedAt).toBe(1);
  expect(await storage.runs()).toHaveLength(2);
  expect(await storage.setting('format')).toBe('rgb32');
});

it('turns a full quota into a StorageFullError and loses nothing saved before, nor half a batch', async () => {
  await open();
  await storage.addImages([image('forget', 'kept', 0)]);
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: StoredImage, key?: IDBValidKey) {
    if (value.hash === 'too-much') throw new DOMException('quota exceeded', 'QuotaExceededError');
    return put.call(this, value, key);
  };
  try {
    const failing = storage.addImages([image('forget', 'first-half', 1), image('forget', 'too-much', 2)]);
    await expect(failing).rejects.toBeInstanceOf(StorageFullError);
    await expect(failing).rejects.toThrow(/storage for this site is full.*everything saved before is kept/);
  } finally {
    IDBObjectStore.prototype.put = put;
  }
  expect((await storage.images('forget')).map((i) => i.hash)).toEqual(['kept']);
  // Once there is room again, saving works.
  await storage.addImages([image('forget', 'later', 3)]);
  expect((await storage.images('forget')).map((i) => i.hash)).toEqual(['kept', 'later']);
});

it('upgrades a database of the first version without losing its images, and keeps one checkpoint', async () => {
  const name = `test-${dbCount++}`;
  const v1 = await openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('images', { keyPath: ['set', 'hash'] }).createIndex('bySet', 'set');
      db.createObjectStore('models', { keyPath: 'id' });
      db.createObjectStore('runs', { keyPath: 'id', autoIncrement: true });
      db.createObjectStore('settings');
    },
  });
  await v1.put('images', image('forget', 'old', 0));
  v1.close();
  storage = await StudioStorage.open(name);
  expect((await storage.images('forget')).map((i) => i.hash)).toEqual(['old']);
  const checkpoint = { kind: 'train-original' as const, modelId: 'own-1', step: 5, files: { 'card.json': new Uint8Array([1]) }, savedAt: 1, trainSettings: { steps: 10, batchSize: 4, learningRate: 1e-3, seed: 1 }, curve: [], state: { step: 5, optimizer: { steps: 5, firstMoments: [new Float32Array(2)], secondMoments: [new Float32Array(2)] }, random: 3, sampler: { order: Uint32Array.from([1, 0]), cursor: 1 } } };
  await storage.putCheckpoint(checkpoint);
  await storage.putCheckpoint({ ...checkpoint, step: 7 });
  expect((await storage.checkpoint())?.step).toBe(7);
  await storage.clearCheckpoint();
  expect(await storage.checkpoint()).toBeUndefined();
});

/**
 * The user's own image sets: decoded off the main thread, checked for duplicates and overlap,
 * kept in IndexedDB so that a reload brings them back. The training worker gets them as one
 * ImageSet per set when a run starts.
 */
import { create } from 'zustand';
import { DecodeClient } from '../client/decode-client';
import { DEFAULT_LIMITS, type DecodeLimits, type ImageFormat, type SkippedFile } from '../shared/decode-plan';
import type { SourceFile } from '../shared/decode-protocol';
import { StorageFullError, storageUsage, requestPersistence, type SetName, type StorageUsage, type StoredImage } from '../shared/studio-db';
import { studioStorage } from './storage-handle';
import type { OwnSets } from '../shared/own';

export type { SetName };
export const SET_NAMES: readonly SetName[] = ['forget', 'retain', 'proxy'];
export const SET_TITLES: Record<SetName, string> = { forget: 'Forget set', retain: 'Retain set', proxy: 'Proxy retain set' };

export interface OwnFormat {
  id: string;
  title: string;
  format: ImageFormat;
}

export const OWN_FORMATS: readonly OwnFormat[] = [
  { id: 'rgb32', title: '32×32 colour', format: { height: 32, width: 32, channels: 3 } },
  { id: 'grey28', title: '28×28 grey (fits the shipped MNIST model)', format: { height: 28, width: 28, channels: 1 } },
];

export interface OwnImage {
  hash: string;
  name: string;
  pixels: Uint8Array;
}

export interface ReportedSkip extends SkippedFile {
  set: SetName;
}

export interface DecodeProgress {
  set: SetName;
  seen: number;
  known: number;
  added: number;
}

/** The forget set may share no image with the sets that are kept; retain and proxy may share (a proxy is often part of the retain set). */
const CONFLICTS: Record<SetName, SetName[]> = { forget: ['retain', 'proxy'], retain: ['forget'], proxy: ['forget'] };

export interface OwnSetsState {
  formatId: string;
  sets: Record<SetName, OwnImage[]>;
  skipped: ReportedSkip[];
  decoding?: DecodeProgress;
  /** Decodes waiting for the current one (drops are handled in order). */
  queued: number;
  /** The saved sets have been read back (or there was nothing to read). */
  restored: boolean;
  storage?: StorageUsage;
  /** Why the sets are not being saved, when they are not. */
  storageProblem?: string;
  /** Shown in the sets panel; nothing loaded is lost when it appears. */
  error?: string;

  addFiles(set: SetName, files: SourceFile[], limits?: DecodeLimits): Promise<void>;
  /** Lists files the browser would not hand over (they never reach the decoder). */
  reportUnreadable(set: SetName, files: SkippedFile[]): void;
  clearSet(set: SetName): Promise<void>;
  /** Stops the running decode after its current batch; the images already in stay. */
  cancelDecode(): void;
  setFormat(id: string): void;
  clearReport(): void;
  dismissError(): void;
  restore(): Promise<void>;
  refreshStorage(): Promise<void>;
  askPersistence(): Promise<void>;
}

export type SetIndex = Record<SetName, Map<string, string>>;

/**
 * Which decoded images join `target`: not one already in it (a duplicate, by content), nor one in a
 * set it may not share images with. Accepted images are added to `index` (content hash -> file name).
 */
export function admit(index: SetIndex, target: SetName, batch: { images: OwnImage[]; skipped: SkippedFile[] }): { accepted: OwnImage[]; skipped: ReportedSkip[] } {
  const accepted: OwnImage[] = [];
  const skipped: ReportedSkip[] = batch.skipped.map((s) => ({ ...s, set: target }));
  for (const image of batch.images) {
    const twin = index[target].get(image.hash);
    const other = CONFLICTS[target].find((s) => index[s].has(image.hash));
    if (twin !== undefined) skipped.push({ name: image.name, set: target, reason: 'duplicate', detail: `the same image as ${twin}` });
    else if (other) skipped.push({ name: image.name, set: target, reason: 'in-other-set', detail: `already in the ${other} set as ${index[other].get(image.hash)}` });
    else {
      index[target].set(image.hash, image.name);
      accepted.push(image);
    }
  }
  return { accepted, skipped };
}

export function formatOf(id: string): ImageFormat {
  return (OWN_FORMATS.find((f) => f.id === id) ?? OWN_FORMATS[0]).format;
}

const FORMAT_KEY = 'ownFormat';
const EMPTY_SETS: Record<SetName, OwnImage[]> = { forget: [], retain: [], proxy: [] };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const useOwnSets = create<OwnSetsState>()((set, get) => {
  const decoder = new DecodeClient();
  /** Per set: content hash -> file name, for duplicate and overlap checks in O(1). */
  const index: SetIndex = { forget: new Map(), retain: new Map(), proxy: new Map() };
  let nextOrder = 0;
  /** Drops decode one after another; saves go one after another too, so their order is the sets' order. */
  let decodes: Promise<void> = Promise.resolve();
  let saves: Promise<void> = Promise.resolve();
  let restoring: Promise<void> | undefined;
  let cancelCurrent: (() => void) | undefined;

  const save = (images: StoredImage[]) => {
    saves = saves.then(async () => {
      if (get().storageProblem) return;
      try {
        await (await studioStorage()).addImages(images);
      } catch (error) {
        // The images stay in this session; only their saving failed, and what was saved before stays.
        set({ error: message(error), ...(error instanceof StorageFullError ? {} : { storageProblem: message(error) }) });
      }
    });
    return saves;
  };

  const accept = (target: SetName, batch: { images: OwnImage[]; skipped: SkippedFile[] }) => {
    const { accepted, skipped } = admit(index, target, batch);
    const { sets } = get();
    set({
      sets: accepted.length ? { ...sets, [target]: [...sets[target], ...accepted] } : sets,
      skipped: skipped.length ? [...get().skipped, ...skipped] : get().skipped,
    });
    if (accepted.length) void save(accepted.map((image) => ({ ...image, set: target, order: nextOrder++ })));
    return accepted.length;
  };

  const restoreSaved = async () => {
    try {
      const storage = await studioStorage();
      const formatId = (await storage.setting<string>(FORMAT_KEY)) ?? get().formatId;
      const sets = { ...EMPTY_SETS };
      for (const name of SET_NAMES) {
        const stored = await storage.images(name);
        sets[name] = stored.map(({ hash, name: file, pixels }) => ({ hash, name: file, pixels }));
        stored.forEach((image) => {
          index[name].set(image.hash, image.name);
          nextOrder = Math.max(nextOrder, image.order + 1);
        });
      }
      set({ formatId, sets, restored: true });
      } catch (error) {

      set({ restored: true, storageProblem: `your images will not be kept after a reload: ${message(error)}` });
    }
    void get().refreshStorage();
  };

  return {
    formatId: OWN_FORMATS[0].id,
    sets: EMPTY_SETS,
    skipped: [],
    queued: 0,
    restored: false,

    addFiles(target, files, limits = DEFAULT_LIMITS) {
      if (files.length === 0) return decodes;
      set({ queued: get().queued + 1 });
      decodes = decodes.then(async () => {
        set({ queued: get().queued - 1, decoding: { set: target, seen: 0, known: files.length, added: 0 } });
        try {
          const { requestId, done } = decoder.decode(files, formatOf(get().formatId), limits, (batch) => {
            const added = accept(target, batch);
            const progress = get().decoding!;
            set({ decoding: { ...progress, seen: batch.seen, known: batch.known, added: progress.added + added } });
          });
          cancelCurrent = () => decoder.cancel(requestId);
          await done;
          await saves;
        } catch (error) {
          set({ error: message(error) });
        } finally {
          cancelCurrent = undefined;
          set({ decoding: undefined });
          void get().refreshStorage();
        }
      });
      return decodes;
    },

    reportUnreadable(target, files) {
      if (files.length) set({ skipped: [...get().skipped, ...files.map((s) => ({ ...s, set: target }))] });
    },

    async clearSet(target) {
      await decodes;
      index[target].clear();
      set({ sets: { ...get().sets, [target]: [] }, skipped: get().skipped.filter((s) => s.set !== target) });
      try {
        await saves;
        await (await studioStorage()).clearSet(target);
      } catch (error) {
        set({ error: message(error) });
      }
      void get().refreshStorage();
    },

    setFormat(id) {
      if (SET_NAMES.some((s) => get().sets[s].length > 0)) {
        set({ error: 'clear the image sets before changing the image format: they were decoded for the current one' });
        return;
      }
      set({ formatId: id });
      void studioStorage().then((storage) => storage.putSetting(FORMAT_KEY, id)).catch(() => undefined);
    },

    cancelDecode: () => cancelCurrent?.(),
    clearReport: () => set({ skipped: [] }),
    dismissError: () => set({ error: undefined }),

    restore() {
      // Once (StrictMode mounts twice), and queued like a drop, so that images dropped while the saved ones load are not overwritten.
      restoring ??= decodes = decodes.then(() => restoreSaved());
      return restoring;
    },

    async refreshStorage() {
      const storage = await storageUsage().catch(() => undefined);
      if (storage) set({ storage });
    },

    async askPersistence() {
      const granted = await requestPersistence().catch(() => false);
      if (!granted) set({ error: 'the browser did not grant persistent storage: it may clear the saved sets and models under storage pressure' });
      await get().refreshStorage();
    },
  };
});

function concat(images: OwnImage[]): Uint8Array {
  const size = images[0]?.pixels.length ?? 0;
  const out = new Uint8Array(images.length * size);
  images.forEach((image, i) => out.set(image.pixels, i * size));
  return out;
}

/** The sets as the training worker takes them (copies: the worker gets them transferred or cloned, the studio keeps its own). */
export function ownSetsForWorker(): OwnSets {
  const { sets, formatId, decoding } = useOwnSets.getState();
  if (decoding) throw new Error('images are still being decoded: wait until they are in');
  if (sets.forget.length < 2) throw new Error(`the forget set needs at least 2 of your images (one is held out), it has ${sets.forget.length}: drop images onto it`);
  if (sets.retain.length < 2) throw new Error(`the retain set needs at least 2 of your images (one is held out), it has ${sets.retain.length}: drop images onto it`);
  const format = formatOf(formatId);
  return { ...format, forget: concat(sets.forget), retain: concat(sets.retain), ...(sets.proxy.length ? { proxy: concat(sets.proxy) } : {}) };
}

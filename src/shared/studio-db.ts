/**
 * The studio's IndexedDB, through `idb`: image sets, models (their tfjs files), run history and
 * settings. Every write is one transaction, so a write the quota refuses leaves everything saved
 * before it as it was; it surfaces as a StorageFullError with a message fit for the UI.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { TrainOriginalSettings, TrainReport } from './own';
import type { MetricsReport, ModelCard, ModelFiles, NoiseLevels, PretrainerState, ReconstructionGrid, StepReport, UnlearnSettings, UnlearnerState } from './protocol';
import type { CalibrationRequest, RunCalibration } from './calibration';

export type SetName = 'forget' | 'retain' | 'proxy';

export interface StoredImage {
  set: SetName;
  hash: string;
  name: string;
  pixels: Uint8Array;
  /** Insertion order, so a reload shows the sets as they were built. */
  order: number;
}

export interface StoredModel {
  id: string;
  card: ModelCard;
  /** What saveModel wrote: card.json, encoder.json, encoder.weights.bin, decoder.json, decoder.weights.bin. */
  files: Record<string, Uint8Array>;
  savedAt: number;
}

export interface TrainPoint {
  step: number;
  loss: number;
  ms: number;
}

export interface RunRecord {
  id?: number;
  kind: 'unlearn' | 'train-original';
  modelId: string;
  status: string;
  savedAt: number;
  settings?: UnlearnSettings;
  forgetClasses?: number[];
  retainClasses?: number[];
  evalImages?: number;
  ownData: boolean;
  curve?: StepReport[];
  trainCurve?: TrainPoint[];
  metrics?: MetricsReport;
  grid?: ReconstructionGrid;
  gridStep?: number;
  /** The files of the parts the run trained (its `unlearnedWeights`): its model is exported from them after a reload. */
  weights?: ModelFiles;
  /** A calibrated run's target, measurements and reason for stopping. */
  calibration?: RunCalibration;
  /** A diffusion model's run: its per-noise-level diagnostics. */
  noiseLevels?: NoiseLevels;
}

/** The latest checkpoint of the run in progress (unlearning, or training an original): what a reload offers to resume. */
export type RunCheckpoint = {
  modelId: string;
  /** Steps done: the weights in `files` are those after them. */
  step: number;
  files: ModelFiles;
  savedAt: number;
} & (
  | {
      kind: 'unlearn';
      ownData: boolean;
      settings: UnlearnSettings;
      forgetClasses: number[];
      retainClasses: number[];
      evalImages: number;
      /** Stop at target, as the run was started with (a resumed run measures again from where it resumes). */
      calibration?: CalibrationRequest;
      curve: StepReport[];
      state: UnlearnerState;
    }
  | { kind: 'train-original'; trainSettings: TrainOriginalSettings; curve: TrainReport[]; state: PretrainerState }
);

interface StudioDb extends DBSchema {
  images: { key: [SetName, string]; value: StoredImage; indexes: { bySet: SetName } };
  models: { key: string; value: StoredModel };
  runs: { key: number; value: RunRecord };
  settings: { key: string; value: unknown };
  checkpoints: { key: string; value: RunCheckpoint };
}

export const DB_NAME = 'unlearning-studio';
const DB_VERSION = 2;
const CHECKPOINT_KEY = 'run';

export class StorageFullError extends Error {
  constructor(what: string) {
    super(`the browser's storage for this site is full, so ${what} could not be saved; everything saved before is kept. Free space (clear a set) or allow more storage, then try again`);
    this.name = 'StorageFullError';
  }
}

function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || (name === 'AbortError' && /quota/i.test(String((error as Error).message)));
}

/** Runs a write; a refused quota becomes a StorageFullError naming what was being saved. */
async function write<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw isQuotaError(error) ? new StorageFullError(what) : error;
  }
}

export class StudioStorage {
  private constructor(private readonly db: IDBPDatabase<StudioDb>) {}

  static async open(name = DB_NAME): Promise<StudioStorage> {
    const db = await openDB<StudioDb>(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('images', { keyPath: ['set', 'hash'] }).createIndex('bySet', 'set');
          db.createObjectStore('models', { keyPath: 'id' });
          db.createObjectStore('runs', { keyPath: 'id', autoIncrement: true });
          db.createObjectStore('settings');
        }
        if (oldVersion < 2) db.createObjectStore('checkpoints');
      },
    });
    return new StudioStorage(db);
  }

  close(): void {
    this.db.close();
  }

  /** Adds a batch of images in one transaction: all of it is saved, or none. */
  addImages(images: StoredImage[]): Promise<void> {
    return write(`${images.length} image(s)`, async () => {
      const tx = this.db.transaction('images', 'readwrite');
      const done = tx.done;
      done.catch(() => undefined);
      try {
        const puts: Promise<unknown>[] = [];
        for (const image of images) {
          const put = tx.store.put(image);
          // Aborting rejects the puts already queued: they are handled here, the cause is thrown below.
          put.catch(() => undefined);
          puts.push(put);
        }
        await Promise.all([...puts, done]);
      } catch (error) {
        // A put refused part-way must not leave the first half of the batch committed.
        try {
          tx.abort();
        } catch {
          // already finished: it was the commit itself that failed
        }
        throw error;
      }
    });
  }

  async images(set: SetName): Promise<StoredImage[]> {
    const images = await this.db.getAllFromIndex('images', 'bySet', set);
    return images.sort((a, b) => a.order - b.order);
  }

  async clearSet(set: SetName): Promise<void> {
    const tx = this.db.transaction('images', 'readwrite');
    let cursor = await tx.store.index('bySet').openCursor(set);
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  putModel(model: StoredModel): Promise<void> {
    return write(`the model ${model.id}`, async () => void (await this.db.put('models', model)));
  }

  model(id: string): Promise<StoredModel | undefined> {
    return this.db.get('models', id);
  }

  async models(): Promise<StoredModel[]> {
    return (await this.db.getAll('models')).sort((a, b) => a.savedAt - b.savedAt);
  }

  deleteModel(id: string): Promise<void> {
    return this.db.delete('models', id);
  }

  /** Saves a run (a new one, or the same id again as it goes on) and returns its id. */
  putRun(run: RunRecord): Promise<number> {
    return write('the run', () => this.db.put('runs', run));
  }

  async lastRun(kind?: RunRecord['kind']): Promise<RunRecord | undefined> {
    let cursor = await this.db.transaction('runs').store.openCursor(null, 'prev');
    while (cursor && kind && cursor.value.kind !== kind) cursor = await cursor.continue();
    return cursor?.value;
  }

  async runs(): Promise<RunRecord[]> {
    return this.db.getAll('runs');
  }

  /** Replaces the checkpoint: only the latest one of the run in progress is kept. */
  putCheckpoint(checkpoint: RunCheckpoint): Promise<void> {
    return write('the checkpoint', async () => void (await this.db.put('checkpoints', checkpoint, CHECKPOINT_KEY)));
  }

  /** The saved checkpoint; one from before checkpoints held the trainer's state cannot resume exactly and is not offered. */
  async checkpoint(): Promise<RunCheckpoint | undefined> {
    const saved = await this.db.get('checkpoints', CHECKPOINT_KEY);
    return saved?.state ? saved : undefined;
  }

  clearCheckpoint(): Promise<void> {
    return this.db.delete('checkpoints', CHECKPOINT_KEY);
  }

  putSetting(key: string, value: unknown): Promise<void> {
    return write(`the setting ${key}`, async () => void (await this.db.put('settings', value, key)));
  }

  async setting<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('settings', key)) as T | undefined;
  }
}

export interface StorageUsage {
  usage: number;
  quota: number;
  persisted: boolean;
}

/** navigator.storage's view of this site's usage; undefined where the browser does not say. */
export async function storageUsage(): Promise<StorageUsage | undefined> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return undefined;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  return { usage, quota, persisted: (await navigator.storage.persisted?.()) ?? false };
}

/** Asks the browser not to evict the studio's data under storage pressure; true when granted. */
export async function requestPersistence(): Promise<boolean> {
  return (await navigator.storage?.persist?.()) ?? false;
}

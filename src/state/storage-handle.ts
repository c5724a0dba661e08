import { StudioStorage } from '../shared/studio-db';

let opening: Promise<StudioStorage> | undefined;

/** The studio's one database connection, opened on first use; rejects where IndexedDB is unavailable. */
export function studioStorage(): Promise<StudioStorage> {
  opening ??= typeof indexedDB === 'undefined' ? Promise.reject(new Error('this browser offers no IndexedDB')) : StudioStorage.open();
  return opening;
}

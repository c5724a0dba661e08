import type { SourceFile } from '../shared/decode-protocol';
import type { SkippedFile } from '../shared/decode-plan';

/** What a drop handed over: the files to decode, and those the browser would not give, with the reason. */
export interface DroppedFiles {
  files: SourceFile[];
  unreadable: SkippedFile[];
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Every entry of a directory: readEntries answers in chunks (100 at a time in Chromium) until it answers none. */
async function readAll(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const entries: FileSystemEntry[] = [];
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) return entries;
    entries.push(...chunk);
  }
}

/** `fallback`: the drop item's own File, for a file dropped by itself whose entry cannot be read. */
async function walk(entry: FileSystemEntry, out: DroppedFiles, fallback?: File | null): Promise<void> {
  const name = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    try {
      out.files.push({ name, file: await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)) });
    } catch (error) {
      if (fallback) out.files.push({ name, file: fallback });
      else out.unreadable.push({ name, reason: 'unreadable', detail: `the browser would not hand the file over (${describe(error)})` });
    }
  } else if (entry.isDirectory) {
    let children: FileSystemEntry[];
    try {
      children = await readAll(entry as FileSystemDirectoryEntry);
    } catch (error) {
      out.unreadable.push({ name, reason: 'unreadable', detail: `the browser would not list the folder (${describe(error)})` });
      return;
    }
    for (const child of children) await walk(child, out);
  }
}

/**
 * The files of a drop, folders walked through their entries (webkitGetAsEntry). Not through file
 * system handles (getAsFileSystemHandle): Chromium's FileSystemDirectoryHandle.entries() silently
 * leaves out names that are not portable (holding < > : ? * | " or ending in a dot or a space),
 * which its entries list and read. Entries and files must be taken during the drop event itself
 * (the DataTransfer empties after it), so call this synchronously from the handler.
 */
export function droppedFiles(data: DataTransfer): Promise<DroppedFiles> {
  const taken = [...data.items].filter((item) => item.kind === 'file').map((item) => ({ entry: item.webkitGetAsEntry?.(), file: item.getAsFile() }));
  return (async () => {
    const out: DroppedFiles = { files: [], unreadable: [] };
    for (const { entry, file } of taken) {
      if (entry) await walk(entry, out, file);
      else if (file) out.files.push({ name: file.name, file });
    }
    return out;
  })();
}

/** Files from a file input; a folder picker gives each its path inside the folder. */
export function pickedFiles(list: FileList): SourceFile[] {
  return [...list].map((file) => ({ name: file.webkitRelativePath || file.name, file }));
}

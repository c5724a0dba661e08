import type { SourceFile } from '../shared/decode-protocol';

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

async function walk(entry: FileSystemEntry, out: SourceFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ name: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory) {
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, out);
  }
}

type WithHandle = DataTransferItem & { getAsFileSystemHandle?(): Promise<FileSystemHandle | null> };

/**
 * The files of a drop. Where the browser offers file system handles (Chromium), folders go to the
 * decode worker as handles, to be walked there; elsewhere they are walked here through entries.
 * Either must be taken during the drop event itself (the DataTransfer empties after it), so call
 * this synchronously from the handler.
 */
export function droppedFiles(data: DataTransfer): Promise<SourceFile[]> {
  const items = [...data.items].filter((item) => item.kind === 'file') as WithHandle[];
  if (items.length > 0 && items.every((item) => item.getAsFileSystemHandle)) {
    const handles = items.map((item) => item.getAsFileSystemHandle!());
    return Promise.all(handles).then((found) =>
      Promise.all(
        found
          .filter((handle) => handle !== null)
          .map(async (handle): Promise<SourceFile> =>
            handle.kind === 'directory' ? { name: handle.name, directory: handle as FileSystemDirectoryHandle } : { name: handle.name, file: await (handle as FileSystemFileHandle).getFile() },
          ),
      ),
    );
  }
  const entries = [...data.items].filter((item) => item.kind === 'file').map((item) => item.webkitGetAsEntry?.() ?? item.getAsFile());
  const files = [...data.files];
  return (async () => {
    const out: SourceFile[] = [];
    for (const [i, entry] of entries.entries()) {
      if (entry instanceof File) out.push({ name: entry.name, file: entry });
      else if (entry) await walk(entry, out);
      else if (files[i]) out.push({ name: files[i].name, file: files[i] });
    }
    return out;
  })();
}

/** Files from a file input; a folder picker gives each its path inside the folder. */
export function pickedFiles(list: FileList): SourceFile[] {
  return [...list].map((file) => ({ name: file.webkitRelativePath || file.name, file }));
}

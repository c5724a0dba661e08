/**
 * A drop's DataTransfer played by fakes shaped as Chromium's: a directory reader that answers in
 * chunks until an empty one, and file entries whose file() calls its error callback, as the
 * browser does for a file it will not hand over.
 */
import { describe, expect, test } from 'vitest';
import { droppedFiles } from './dropped-files';

const readable = (fullPath: string) => ({ isFile: true, isDirectory: false, fullPath, file: (ok: (f: File) => void) => ok(new File(['x'], fullPath.split('/').pop()!)) });
const refused = (fullPath: string) => ({
  isFile: true,
  isDirectory: false,
  fullPath,
  file: (_ok: unknown, fail: (e: Error) => void) => fail(Object.assign(new Error('A requested file or directory could not be found'), { name: 'NotFoundError' })),
});
const folder = (fullPath: string, chunks: object[][]) => ({
  isFile: false,
  isDirectory: true,
  fullPath,
  createReader: () => {
    const left = [...chunks, []];
    return { readEntries: (ok: (entries: object[]) => void) => ok(left.shift()!) };
  },
});

const dataTransfer = (items: { entry: object; file: File | null }[]) =>
  ({ items: items.map(({ entry, file }) => ({ kind: 'file', webkitGetAsEntry: () => entry, getAsFile: () => file })), files: [] }) as unknown as DataTransfer;

describe('the files of a drop', () => {
  test('a folder: every chunk of its entries is read, and a file the browser will not hand over is named with the reason', async () => {
    const photos = folder('/photos', [[readable('/photos/a.png'), refused('/photos/b?.png')], [readable('/photos/c.png')]]);
    const { files, unreadable } = await droppedFiles(dataTransfer([{ entry: photos, file: new File([], 'photos') }]));
    expect(files.map((f) => f.name)).toEqual(['photos/a.png', 'photos/c.png']);
    expect(unreadable).toEqual([{ name: 'photos/b?.png', reason: 'unreadable', detail: expect.stringContaining('NotFoundError') }]);
  });

  test('a file dropped by itself whose entry cannot be read comes through the drop item instead', async () => {
    const own = new File(['x'], 'odd:name.png');
    const { files, unreadable } = await droppedFiles(dataTransfer([{ entry: refused('/odd:name.png'), file: own }]));
    expect(files).toEqual([{ name: 'odd:name.png', file: own }]);
    expect(unreadable).toEqual([]);
  });
});

import type { ImageStack, ReconstructionGrid } from '../shared/protocol';
import { toImageData } from './ImageCanvas';

const SCALE = 4;
const GAP = 6;
const TITLE_HEIGHT = 36;
const SETS = [
  { name: 'forget', title: 'forget (held-out)' },
  { name: 'retain', title: 'retain (held-out)' },
] as const;
const COLUMNS = [
  { key: 'input', title: 'input' },
  { key: 'original', title: 'original' },
  { key: 'unlearned', title: 'unlearned' },
  { key: 'truth', title: 'truth' },
] as const;

/** The reconstruction grid as one PNG: both sets side by side, four labelled columns each, pixels scaled without smoothing. */
export function gridPng(grid: ReconstructionGrid, step: number): Promise<Blob> {
  const sample: ImageStack = grid.forget.input;
  const cell = sample.width * SCALE;
  const blockWidth = COLUMNS.length * (cell + GAP);
  const rows = Math.max(grid.forget.input.count, grid.retain.input.count);
  const canvas = document.createElement('canvas');
  canvas.width = SETS.length * blockWidth + GAP;
  canvas.height = TITLE_HEIGHT + rows * (cell + GAP) + GAP;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingEnabled = false;
  context.fillStyle = '#111';
  context.font = '12px sans-serif';
  const tile = document.createElement('canvas');
  tile.width = sample.width;
  tile.height = sample.height;
  SETS.forEach(({ name, title }, s) => {
    const left = GAP + s * blockWidth;
    context.fillText(`${title}, step ${step}`, left, 14);
    COLUMNS.forEach(({ key, title: column }, c) => {
      const x = left + c * (cell + GAP);
      context.fillText(column, x, 30);
      const stack = grid[name][key];
      for (let r = 0; r < stack.count; r++) {
        tile.getContext('2d')!.putImageData(toImageData(stack, r), 0, 0);
        context.drawImage(tile, x, TITLE_HEIGHT + r * (cell + GAP), cell, cell);
      }
    });
  });
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the grid could not be encoded as PNG'))), 'image/png'));
}

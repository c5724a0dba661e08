/**
 * The README's family x method table from the committed `npm run evaluate` results:
 *   npm run results-table [-- --forget 7]
 * One row per model judged (sweep points left out: each file's Markdown lists them), in the order
 * of FAMILIES below; a family without results is skipped.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exists, parseOptions } from './node/files';

const options = parseOptions(process.argv.slice(2), { forget: '7' });
const FAMILIES = [
  { model: 'mnist-inpaint-ae', title: 'conv AE' },
  { model: 'mnist-mae', title: 'MAE' },
  { model: 'mnist-mage', title: 'MAGE' },
  { model: 'mnist-palette', title: 'Palette' },
];

interface Result {
  rows: { method: string; set: string; fid: number; cosine: number; psnr: number }[];
  audit: { method: string; auc: number }[];
  costs: { method: string; seconds: number }[];
  settings: { steps: number };
}

const lines = [
  '| family | method | forget FID | forget cosine | forget PSNR | retain FID | retain cosine | retain PSNR | audit AUC | seconds |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const { model, title } of FAMILIES) {
  const file = resolve(import.meta.dirname, `../results/evaluate-${model}-forget-${options.forget.split(',').join('-')}.json`);
  if (!(await exists(file))) continue;
  const result = JSON.parse(await readFile(file, 'utf8')) as Result;
  const methods = result.rows.map((r) => r.method).filter((m, i, all) => all.indexOf(m) === i && !m.startsWith('sweep '));
  for (const method of methods) {
    const row = (set: string) => result.rows.find((r) => r.method === method && r.set === set)!;
    const [f, r] = [row('forget'), row('retain')];
    const auc = result.audit.find((a) => a.method === method)?.auc;
    const seconds = result.costs.find((c) => c.method === method)?.seconds;
    const cells = [f.fid.toFixed(2), f.cosine.toFixed(3), f.psnr.toFixed(2), r.fid.toFixed(2), r.cosine.toFixed(3), r.psnr.toFixed(2), auc?.toFixed(3) ?? '–', seconds === undefined ? '–' : seconds.toFixed(0)];
    lines.push(`| ${title} | ${method} | ${cells.join(' | ')} |`);
  }
}
console.log(lines.join('\n'));

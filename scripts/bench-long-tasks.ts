/**
 * The main thread's longest task while the studio decodes a dropped folder of 2,000 images (the
 * decode worker does the work; the page should stay responsive: target at most 50 ms). A bench
 * figure, not a test bound: a busy machine stretches tasks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { writeSet } from '../e2e/fixtures/images';
import { dropPaths, longTasksBetween, watchLongTasks } from '../e2e/fixtures/page';

const IMAGES = 2000;

/** A type, not an interface: it fits the bench's row type, which has an index signature. */
export type LongTaskRow = {
  where: 'browser-main-thread';
  metric: 'longest-task-ms';
  /** 0 when no task reached the browser's long-task threshold (50 ms). */
  scenario: 'decode-2000-images';
  value: number;
  /** Main-thread tasks over 50 ms while decoding. */
  longTasks: number;
  /** Wall time from the drop to the last image in, for context. */
  decodeSeconds: number;
};

export async function benchLongTasks(browser: Browser, baseUrl: string): Promise<LongTaskRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-long-tasks-'));
  const folder = join(dir, 'photos');
  writeSet(folder, 'discs', IMAGES);
  // A fresh context: no image sets saved by an earlier page.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await watchLongTasks(page);
    await page.goto(`${baseUrl}/?backend=wasm`);
    await page.getByTestId('data-source-own').click();
    await page.locator('[data-testid="own-sets"][data-restored="true"]').waitFor();
    const from = await page.evaluate(() => performance.now());
    await dropPaths(page, 'drop-forget', [folder]);
    await page.locator(`[data-testid="count-forget"][data-count="${IMAGES}"]`).waitFor({ timeout: 300_000 });
    await page.getByTestId('decode-progress').waitFor({ state: 'detached', timeout: 60_000 });
    const to = await page.evaluate(() => performance.now());
    const tasks = await longTasksBetween(page, from, to);
    return [
      {
        where: 'browser-main-thread',
        metric: 'longest-task-ms',
        scenario: 'decode-2000-images',
        value: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
        longTasks: tasks.length,
        decodeSeconds: Math.round(to - from) / 1000,
      },
    ];
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

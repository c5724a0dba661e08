/**
 * The main thread's longest task in the moments a user waits on: while the studio decodes a
 * dropped folder of 2,000 images, while a run starts and runs, and when a method comparison's
 * results appear (the workers do the work; the page should stay responsive: target at most
 * 50 ms). Bench figures, not test bounds: a busy machine stretches tasks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { writeSet } from '../e2e/fixtures/images';
import { dropPaths, longTasksBetween, watchLongTasks } from '../e2e/fixtures/page';

const IMAGES = 2000;
/** Steps of the run scenario: long enough for the chart and the grid to update many times. */
const RUN_STEPS = 60;

type Scenario = 'decode-2000-images' | 'run-60-steps' | 'comparison-results';

/** A type, not an interface: it fits the bench's row type, which has an index signature. */
export type LongTaskRow = {
  where: 'browser-main-thread';
  metric: 'longest-task-ms';
  scenario: Scenario;
  /** 0 when no task reached the browser's long-task threshold (50 ms). */
  value: number;
  /** Main-thread tasks over 50 ms during the scenario. */
  longTasks: number;
  /** Wall time of the scenario, for context. */
  seconds: number;
};

/** Runs `act` on a fresh page (no sets or runs saved by an earlier one) and times the page's long tasks during it. */
async function measure(browser: Browser, url: string, scenario: Scenario, prepare: (page: Page) => Promise<void>, act: (page: Page) => Promise<void>): Promise<LongTaskRow> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await watchLongTasks(page);
    await page.goto(url);
    await prepare(page);
    const from = await page.evaluate(() => performance.now());
    await act(page);
    const to = await page.evaluate(() => performance.now());
    const tasks = await longTasksBetween(page, from, to);
    return {
      where: 'browser-main-thread',
      metric: 'longest-task-ms',
      scenario,
      value: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
      longTasks: tasks.length,
      seconds: Math.round(to - from) / 1000,
    };
  } finally {
    await context.close();
  }
}

const whenReady = async (page: Page) => {
  await page.getByTestId('start-button').and(page.locator(':enabled')).waitFor({ timeout: 180_000 });
};

export async function benchLongTasks(browser: Browser, baseUrl: string): Promise<LongTaskRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-long-tasks-'));
  const folder = join(dir, 'photos');
  writeSet(folder, 'discs', IMAGES);
  try {
    const decode = await measure(
      browser,
      `${baseUrl}/?backend=wasm`,
      'decode-2000-images',
      async (page) => {
        await page.getByTestId('data-source-own').click();
        await page.locator('[data-testid="own-sets"][data-restored="true"]').waitFor();
      },
      async (page) => {
        await dropPaths(page, 'drop-forget', [folder]);
        await page.locator(`[data-testid="count-forget"][data-count="${IMAGES}"]`).waitFor({ timeout: 300_000 });
        await page.getByTestId('decode-progress').waitFor({ state: 'detached', timeout: 60_000 });
      },
    );
    const run = await measure(browser, `${baseUrl}/?backend=wasm&forget=7&steps=${RUN_STEPS}&batch=16&eval=24`, 'run-60-steps', whenReady, async (page) => {
      await page.getByTestId('start-button').click();
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="metric-forget-delta"]')?.textContent ?? ''), null, { timeout: 300_000 });
    });
    const comparison = await measure(browser, `${baseUrl}/?backend=wasm&forget=7&steps=3&batch=8&eval=24`, 'comparison-results', whenReady, async (page) => {
      await page.getByTestId('compare-button').click();
      await page.getByTestId('projection-scatter').waitFor({ timeout: 300_000 });
    });
    return [decode, run, comparison];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { collectErrors, recordTexts } from './console';
import { longTasksBetween, watchLongTasks } from './fixtures/page';

const METHODS = ['paper', 'max-loss', 'noisy-label', 'retain-label', 'random-encoder'];
const SWEEP = ['sweep α=0, 3 steps', 'sweep α=2, 3 steps'];
const MODELS = ['original', 'retrained', ...METHODS, 'paper-calibrated', ...SWEEP];
const SETS = ['forget', 'forget-unseen', 'retain'];
const COLUMNS = ['fid', 'is', 'cosine', 'psnr', 'ssim'];

test('compares every method, the calibrated run and an α sweep with the original and the retrained reference: table, best cells, audit, trade-off, CSV export', async ({ page }) => {
  const errors = collectErrors(page);
  await watchLongTasks(page);
  await page.goto('/?backend=wasm&forget=7&steps=3&batch=8&eval=24');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  await expect(page.getByTestId('compare-button')).toBeEnabled();

  await page.getByTestId('compare-sweep-alpha').fill('0, 2');
  const from = await page.evaluate(() => performance.now());
  await page.getByTestId('compare-button').click();
  await expect(page.getByTestId('compare-progress')).toBeVisible();
  await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 200_000 });
  await expect(page.getByTestId('projection-scatter')).toBeVisible();
  // A freeze bound only: the results mount part by part; the 50 ms figure is the bench's (longest-task-ms, comparison-results).
  const tasks = await longTasksBetween(page, from, await page.evaluate(() => performance.now()));
  expect(tasks.filter((t) => t.duration > 1000), JSON.stringify(tasks)).toEqual([]);

  const value = async (testId: string) => Number(await page.getByTestId(testId).getAttribute('data-value'));
  for (const model of MODELS) {
    for (const set of SETS) {
      for (const column of COLUMNS) expect(Number.isFinite(await value(`compare-${model}-${set}-${column}`)), `${model} ${set} ${column}`).toBe(true);
    }
  }
  // On the retain set every column is ranked: each has a best method.
  for (const column of COLUMNS) {
    await expect(page.locator(`[data-testid^="compare-"][data-testid$="-retain-${column}"][data-best="true"]`).first()).toBeVisible();
  }

  for (const model of MODELS) {
    const auc = await value(`audit-${model}-auc`);
    expect(auc).toBeGreaterThanOrEqual(0);
    expect(auc).toBeLessThanOrEqual(1);
  }
  await expect(page.getByTestId('audit-histogram').locator('.recharts-bar-rectangle').first()).toBeAttached();

  const scatter = page.getByTestId('projection-scatter');
  await expect(scatter).toBeVisible();
  const points = Number(await scatter.getAttribute('data-points'));
  expect(points).toBeGreaterThan(0);
  await expect(scatter.locator('.recharts-symbols').first()).toBeAttached();
  // Every model shows the same images: another model moves the points, not their count.
  await page.getByTestId('projection-select').selectOption('original');
  await expect(scatter).toHaveAttribute('data-method', 'original');
  await expect(scatter).toHaveAttribute('data-points', String(points));
  await expect(scatter).toBeVisible();

  // The trade-off view: one point per model, the references included, with the Pareto front through some of them.
  const tradeOff = page.getByTestId('tradeoff-chart');
  await expect(tradeOff).toHaveAttribute('data-points', String(MODELS.length));
  const front = (await tradeOff.getAttribute('data-front'))!.split('|');
  expect(front.length).toBeGreaterThan(0);
  expect(MODELS).toEqual(expect.arrayContaining(front));
  // α = 2 pushes the forget set harder than α = 0 in the same 3 steps.
  expect(await value(`compare-${SWEEP[1]}-forget-psnr`)).toBeLessThan(await value(`compare-${SWEEP[0]}-forget-psnr`));
  // A sweep point's settings load into the studio.
  await page.getByTestId(`compare-${SWEEP[1]}-forget-psnr`).click();
  await expect(page.getByTestId('tradeoff-selected')).toContainText('Paper (Eq. 10), α=2, 3 steps');
  await page.getByTestId('tradeoff-load').click();
  await expect(page.getByTestId('setting-alpha')).toHaveValue('2');
  await expect(page.getByTestId('setting-steps')).toHaveValue('3');
  // A point of the chart picks its model too: the first drawn is the original's.
  const firstPoint = await tradeOff.locator('.recharts-scatter-symbol .recharts-symbols').first().boundingBox();
  await page.mouse.click(firstPoint!.x + firstPoint!.width / 2, firstPoint!.y + firstPoint!.height / 2);
  await expect(page.getByTestId('tradeoff-selected')).toContainText('Original: forget PSNR 0.00 dB, retain PSNR 0.00 dB');
  await expect(page.getByTestId('tradeoff-load')).toHaveCount(0);
  // The calibrated row's turn stop at target on.
  await page.getByTestId('compare-paper-calibrated-forget-psnr').click();
  await page.getByTestId('tradeoff-load').click();
  await expect(page.getByTestId('setting-stop-at-target')).toBeChecked();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-export-csv').click()]);
  const csv = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n');
  expect(csv).toHaveLength(1 + MODELS.length * SETS.length);
  expect(csv[0]).toBe('method,set,images,fid,is,cosine,psnr_hole,ssim_hole,membership_auc,seconds');

  expect(errors).toEqual([]);
});

test('a run cannot start while comparing; cancel stops the comparison and the studio can compare again', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=wasm&forget=7&steps=400&batch=8&eval=24');
  await expect(page.getByTestId('compare-button')).toBeEnabled();
  await page.getByTestId('compare-button').click();
  await expect(page.getByTestId('compare-progress')).toContainText(/unlearning, step \d+ of 400/, { timeout: 120_000 });

  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('method comparison is running');
  await page.getByTestId('error-dismiss').click();

  await page.getByTestId('compare-cancel').click();
  await expect(page.getByText('Comparison cancelled.')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('compare-progress')).toHaveCount(0);
  await expect(page.getByTestId('compare-table')).toHaveCount(0);
  await expect(page.getByTestId('compare-button')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('without a shipped retrained reference, the studio trains one from scratch and compares against it', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=wasm&forget=3&steps=2&batch=8&eval=16');
  await expect(page.getByTestId('compare-button')).toBeEnabled();
  await page.getByTestId('compare-button').click();
  await expect(page.getByTestId('compare-no-retrained')).toBeVisible({ timeout: 200_000 });
  await expect(page.getByTestId('compare-retrained-forget-fid')).toHaveCount(0);

  await page.getByTestId('compare-retrain-steps').fill('6');
  // Six steps can pass between two polls: every progress text shown is recorded.
  const progressTexts = await recordTexts(page, 'compare-progress');
  await page.getByTestId('compare-retrain').click();
  await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 200_000 });
  expect((await progressTexts()).some((text) => /training from scratch without the forget classes, step \d of 6/.test(text))).toBe(true);
  await expect(page.getByTestId('compare-no-retrained')).toHaveCount(0);
  for (const set of SETS) expect(Number.isFinite(Number(await page.getByTestId(`compare-retrained-${set}-fid`).getAttribute('data-value')))).toBe(true);
  expect(errors).toEqual([]);
});

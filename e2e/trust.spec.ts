import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { collectErrors } from './console';

/** Clicks `testId` and returns the downloaded file's bytes. */
async function save(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
}

const encoderOf = (zip: Buffer) => Buffer.from(unzipSync(zip)['encoder.weights.bin']);

test('a shipped model exports unlearned, with its run report, and the same encoder after a reload', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=wasm&forget=7&steps=20&batch=8&eval=16');
  await expect(page.getByTestId('start-button')).toBeEnabled();
  const exportButton = page.getByTestId('export-model');
  await expect(exportButton).toHaveText(/original/i);
  const original = encoderOf((await save(page, 'export-model')).bytes);

  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 120_000 });
  await expect(exportButton).toHaveText(/unlearned/i);
  const first = await save(page, 'export-model');
  expect(first.name).toMatch(/^own-unlearned-.*\.zip$/);
  const report = JSON.parse((await save(page, 'export-report-json')).bytes.toString('utf8'));
  expect(report).toMatchObject({ model: 'mnist-inpaint-ae', data: { forgetClasses: [7] }, steps: 20 });
  expect((await save(page, 'export-report-csv')).bytes.toString('utf8').split('\n')[0]).toBe('kind,step,set,model,name,value');

  await page.reload();
  await expect(page.getByTestId('run-phase')).toHaveText('finished');
  await expect(exportButton).toHaveText(/unlearned/i);
  const again = encoderOf((await save(page, 'export-model')).bytes);
  expect(again.equals(encoderOf(first.bytes))).toBe(true);
  expect(again.equals(original)).toBe(false);
  expect(errors).toEqual([]);
});

test("results under changed sets are marked as a past run's, with its own sets", async ({ page }) => {
  await page.goto('/?backend=wasm&forget=7&steps=4&batch=8&eval=16');
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 120_000 });
  await expect(page.getByTestId('recon-caption-forget')).toContainText('class 7');
  await expect(page.getByTestId('past-run-note')).toHaveCount(0);
  await page.getByTestId('class-forget-3').click();
  const note = page.getByTestId('past-run-note');
  await expect(note).toContainText('from a past run: forget 7');
  await expect(note).toContainText('4 steps');
  await expect(page.getByTestId('recon-caption-forget')).toContainText('class 7');
  await expect(page.getByTestId('recon-caption-forget')).not.toContainText('3');
});

test('the evaluation shows its progress, holds Start, and Cancel ends the run stopped without metrics', async ({ page }) => {
  await page.goto('/?backend=wasm&forget=7&steps=2&batch=8&eval=16');
  await page.getByTestId('setting-eval').fill('8000');
  await expect(page).toHaveURL(/eval=8000/);
  await page.getByTestId('start-button').click();
  const progress = page.getByTestId('evaluation-progress');
  await expect.poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 120_000 }).toBeGreaterThan(0);
  await expect(progress).toContainText(/\d+ \/ \d+ reconstructions judged/);
  await expect(page.getByTestId('start-button')).toBeDisabled();
  await page.getByTestId('cancel-evaluation').click();
  await expect(page.getByTestId('run-phase')).toHaveText('stopped');
  await expect(page.getByTestId('metrics-table').locator('..')).toContainText('the evaluation was cancelled');
  await expect(page.getByTestId('metric-forget-unlearned-psnr')).toHaveText('—');
  await expect(page.getByTestId('start-button')).toBeEnabled();
});

test('the method comparison refuses your own images and says why', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await page.getByTestId('data-source-own').click();
  await expect(page.getByTestId('compare-button')).toBeDisabled();
  await expect(page.getByTestId('compare-own-refused')).toContainText('not on your own images');
});

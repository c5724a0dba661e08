import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectErrors } from './console';
import { checkpointStep } from './fixtures/page';
import { writeSet } from './fixtures/images';

test('a reload during a run offers to resume from the last checkpoint, and the run goes on from there to its end', async ({ page }) => {
  const errors = collectErrors(page);
  // Long enough to outlast the first checkpoint (5 s of running) on a fast machine.
  const steps = 600;
  await page.goto(`/?backend=wasm&forget=7&steps=${steps}&batch=8&eval=16`);
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await page.getByTestId('start-button').click();
  await expect.poll(() => page.evaluate(checkpointStep), { timeout: 120_000 }).toBeGreaterThan(0);
  const saved = await page.evaluate(checkpointStep);
  expect(saved).toBeLessThan(steps);

  await page.reload();
  const offer = page.getByTestId('resume-offer');
  await expect(offer).toBeVisible();
  const step = Number(await offer.getAttribute('data-step'));
  expect(step).toBeGreaterThanOrEqual(saved);
  await page.getByTestId('resume-run').click();
  await expect(offer).toHaveCount(0);
  // The curve shows the steps before the checkpoint again, then goes on from there.
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 180_000 });
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(steps));
  await expect(page.getByTestId('step-counter')).toHaveText(`step ${steps} / ${steps}`);
  // A finished run leaves no checkpoint: the next reload offers nothing.
  expect(await page.evaluate(checkpointStep)).toBe(0);
  await page.reload();
  await expect(page.getByTestId('run-phase')).toHaveText('finished');
  await expect(page.getByTestId('resume-offer')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a reload while an original trains offers to resume that training from its checkpoint', async ({ page }) => {
  const errors = collectErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'studio-resume-'));
  await page.goto('/?backend=wasm');
  await page.getByTestId('data-source-own').click();
  await page.getByTestId('pick-files-forget').setInputFiles(writeSet(join(dir, 'f'), 'discs', 30));
  await page.getByTestId('pick-files-retain').setInputFiles(writeSet(join(dir, 'r'), 'stripes', 30));
  await expect(page.getByTestId('count-retain')).toHaveAttribute('data-count', '30');
  await expect(page.getByTestId('train-original')).toBeEnabled();
  await page.getByTestId('train-steps').fill('300');
  await page.getByTestId('train-batchSize').fill('8');
  await page.getByTestId('train-original').click();
  await expect.poll(() => page.evaluate(checkpointStep), { timeout: 120_000 }).toBeGreaterThan(0);

  await page.reload();
  await expect(page.getByTestId('resume-offer')).toContainText('The training of own-');
  await expect(page.getByTestId('resume-run')).toBeEnabled();
  await page.getByTestId('resume-run').click();
  const progress = page.getByTestId('train-progress');
  await expect(progress).toHaveAttribute('data-phase', 'finished', { timeout: 180_000 });
  await expect(progress).toHaveAttribute('data-step', '300');
  await expect(page.getByTestId('model-select')).toHaveValue(/^own-/);
  expect(await page.evaluate(checkpointStep)).toBe(0);
  expect(errors).toEqual([]);
});

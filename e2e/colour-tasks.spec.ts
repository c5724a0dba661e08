import { expect, test } from '@playwright/test';
import { collectErrors, colouredFraction } from './console';

test('the colour emoji model unlearns a category under a task picked in the settings', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=wasm&model=emoji-inpaint-ae&forget=7&steps=4&batch=8&eval=16');
  await expect(page.getByTestId('start-button')).toBeEnabled({ timeout: 60_000 });
  await expect(page.getByTestId('class-forget-7')).toHaveAttribute('aria-pressed', 'true');

  // The model was trained on all four tasks; the select offers exactly those, and the choice goes into the URL.
  const task = page.getByTestId('setting-task');
  await expect(task.locator('option')).toHaveText([
    'centre hole, 50% of the side',
    'centre hole, 25% of the side',
    'outpainting (centre half kept)',
    'random patches (50% of 4x4 patches)',
  ]);
  await task.selectOption('patches');
  await expect(page).toHaveURL(/task=patches/);

  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 120_000 });
  for (const set of ['forget', 'retain']) {
    for (const column of ['original', 'unlearned', 'truth']) expect(await colouredFraction(page, `recon-${set}-${column}-0`)).toBeGreaterThan(0.02);
    for (const model of ['original', 'unlearned']) {
      const psnr = Number(await page.getByTestId(`metric-${set}-${model}-psnr`).textContent());
      expect(psnr).toBeGreaterThan(5);
      expect(psnr).toBeLessThan(60);
    }
  }
  expect(errors).toEqual([]);
});

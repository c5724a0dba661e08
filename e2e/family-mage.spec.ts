import { expect, test } from '@playwright/test';
import { collectErrors, inkedFraction } from './console';

test('MAGE (VQ tokenizer + masked-token transformer) unlearns digit 7 in the browser on wasm', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?model=mnist-mage&backend=wasm&forget=7&steps=12&batch=8&eval=16');

  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  await expect(page.getByTestId('start-button')).toBeEnabled({ timeout: 120_000 });
  await expect(page.getByTestId('setting-steps')).toHaveValue('12');

  await page.getByTestId('start-button').click();
  const chart = page.getByTestId('loss-chart');
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 180_000 }).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 180_000 });

  // The grid shows MaskGIT reconstructions (frozen VQ decoder) for both sets.
  const grid = page.getByTestId('recon-grid');
  await expect.poll(async () => Number(await grid.getAttribute('data-step')), { timeout: 120_000 }).toBeGreaterThan(0);
  for (const set of ['forget', 'retain']) {
    for (const column of ['input', 'original', 'unlearned', 'truth']) {
      expect(await inkedFraction(page, `recon-${set}-${column}-0`)).toBeGreaterThan(0.02);
    }
  }
  for (const set of ['forget', 'retain']) {
    for (const model of ['original', 'unlearned']) {
      const psnr = Number(await page.getByTestId(`metric-${set}-${model}-psnr`).textContent());
      expect(psnr).toBeGreaterThan(5);
      expect(psnr).toBeLessThan(60);
    }
  }
  expect(errors).toEqual([]);
});

import { expect, test } from '@playwright/test';
import { collectErrors, inkedFraction } from './console';

test('the MAE unlearns in the browser on wasm, on the random-patches task', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?model=mnist-mae&backend=wasm&task=patches&forget=7&steps=6&batch=8&eval=16');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  await expect(page.getByTestId('model-select')).toHaveValue('mnist-mae');
  await expect(page.getByTestId('setting-task')).toHaveValue('patches');
  await expect(page.getByTestId('start-button')).toBeEnabled({ timeout: 60_000 });

  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 180_000 });
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(6);

  for (const set of ['forget', 'retain']) {
    for (const column of ['input', 'original', 'unlearned', 'truth']) {
      expect(await inkedFraction(page, `recon-${set}-${column}-0`)).toBeGreaterThan(0.02);
    }
    for (const model of ['original', 'unlearned']) {
      const psnr = Number(await page.getByTestId(`metric-${set}-${model}-psnr`).textContent());
      expect(psnr).toBeGreaterThan(5);
      expect(psnr).toBeLessThan(60);
    }
  }
  expect(errors).toEqual([]);
});

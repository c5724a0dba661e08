import { expect, test } from '@playwright/test';
import { collectErrors } from './console';

test('stop at target: a wasm run stops early once the forget set reaches the retrained model, says why, and charts the measurements', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=wasm&model=mnist-inpaint-ae&forget=7&steps=300&batch=16&eval=32');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  await expect(page.getByTestId('start-button')).toBeEnabled();

  // Turning it on switches α and the learning rate to the recipe's calibrated values.
  const alpha = page.getByTestId('setting-alpha');
  await expect(alpha).toHaveValue('0.25');
  await page.getByTestId('setting-stop-at-target').check();
  await expect(alpha).toHaveValue('0.1');
  await expect(page.getByTestId('setting-lr')).toHaveValue('0.0003');
  // The recipe's own values, faster to the target, keep this test short.
  await alpha.fill('0.25');
  await page.getByTestId('setting-lr').fill('0.001');
  await expect(page.getByTestId('setting-target')).toHaveValue('retrained');
  await page.getByTestId('setting-calibrate-every').fill('5');

  await page.getByTestId('start-button').click();
  const status = page.getByTestId('calibration-status');
  await expect(status).toContainText('target', { timeout: 60_000 });
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 200_000 });
  await expect(status).toHaveAttribute('data-reason', 'target reached');
  const said = (await status.textContent())!;
  const stoppedAt = Number(said.match(/Stopped at step (\d+): the forget set reached its target/)![1]);
  expect(stoppedAt).toBeGreaterThan(0);
  expect(stoppedAt).toBeLessThan(300);
  expect(said).toContain('mnist-inpaint-ae-without-7');
  // The loss curve ends where the run stopped, and the chart holds the measurements from step 0 to the stop.
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(stoppedAt));
  expect(Number(await page.getByTestId('calibration-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('calibration-chart').locator('.recharts-line').first()).toBeAttached();
  // It finished with its held-out metrics, which show the forgetting.
  await expect(page.getByTestId('metric-forget-delta')).toHaveText(/-\d/);

  // Turning it off gives the recipe's plain values back.
  await page.getByTestId('setting-stop-at-target').uncheck();
  await expect(alpha).toHaveValue('0.25');
  await expect(page.getByTestId('setting-lr')).toHaveValue('0.001');
  expect(errors).toEqual([]);
});

test('stop at target refuses a goal it cannot measure against, and keeps what is loaded', async ({ page }) => {
  await page.goto('/?backend=wasm&model=mnist-inpaint-ae&forget=3&steps=20&batch=8&eval=16');
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await page.getByTestId('setting-stop-at-target').check();
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('no retrained reference for forgetting 3 with mnist-inpaint-ae');
  // A level the user sets needs no reference.
  await page.getByTestId('setting-target').selectOption('psnr');
  await page.getByTestId('setting-target-psnr').fill('30');
  await page.getByTestId('start-button').click();
  // 30 dB is above the original's quality: the forget set is there before the first step.
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 120_000 });
  await expect(page.getByTestId('calibration-status')).toHaveAttribute('data-reason', 'target reached');
  await expect(page.getByTestId('calibration-status')).toContainText('Stopped at step 0');
});

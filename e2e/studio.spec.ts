import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { collectErrors, inkedFraction } from './console';

test('unlearns digit 7 live on WebGPU: chart, grid, metrics, pause, resume, stop', async ({ page }) => {
  const errors = collectErrors(page);
  // A short run; settings come from the URL, as a shared link would give them. WebGPU is asked
  // for: on this machine its adapter is SwiftShader, which the studio would otherwise pass over.
  await page.goto('/?backend=webgpu&forget=7&steps=400&batch=16&eval=16');

  await expect(page.getByTestId('backend-badge')).toHaveText('webgpu');
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await expect(page.getByTestId('class-forget-7')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('class-retain-7')).toBeDisabled();
  await expect(page.getByTestId('forget-count')).toContainText(/\d/);
  await expect(page.getByTestId('setting-steps')).toHaveValue('400');

  await page.getByTestId('start-button').click();
  const chart = page.getByTestId('loss-chart');
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);

  // The grid renders the four columns for both sets, and the unlearned column refreshes live.
  const grid = page.getByTestId('recon-grid');
  await expect.poll(async () => Number(await grid.getAttribute('data-step')), { timeout: 120_000 }).toBeGreaterThan(0);
  for (const set of ['forget', 'retain']) {
    for (const column of ['input', 'original', 'unlearned', 'truth']) {
      expect(await inkedFraction(page, `recon-${set}-${column}-0`)).toBeGreaterThan(0.02);
    }
  }

  // Pause holds the step count; resume moves it on.
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('paused');
  const pausedAt = Number(await chart.getAttribute('data-points'));
  await page.waitForTimeout(1500);
  expect(Number(await chart.getAttribute('data-points'))).toBe(pausedAt);
  await page.getByTestId('resume-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('running');
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(pausedAt);

  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('stopped');
  const stoppedAt = Number(await chart.getAttribute('data-points'));
  expect(stoppedAt).toBeLessThan(400);

  // Metrics of the original and the unlearned model on held-out images.
  for (const set of ['forget', 'retain']) {
    for (const model of ['original', 'unlearned']) {
      const psnr = Number(await page.getByTestId(`metric-${set}-${model}-psnr`).textContent());
      expect(psnr).toBeGreaterThan(5);
      expect(psnr).toBeLessThan(60);
    }
  }
  expect(errors).toEqual([]);
});

test('on a software WebGPU adapter the studio picks wasm itself and says why', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  const fallback = page.getByTestId('backend-fallback');
  await expect(fallback).toContainText(/webgpu: a software adapter \(.*swiftshader.*\)/i);
  await expect(fallback).toContainText('?backend=webgpu uses it anyway');
  await expect(page.getByTestId('start-button')).toBeEnabled();
});

test('one unlearning step on webgpu matches cpu within 1e-4', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend-badge')).toHaveText('webgpu');
  await expect(page.getByTestId('software-adapter')).toContainText(/swiftshader/i);
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await page.getByTestId('self-check-button').click();
  const result = page.getByTestId('self-check-result');
  await expect(result).toHaveAttribute('data-passed', /true|false/, { timeout: 180_000 });
  const diff = Number(await result.getAttribute('data-max-relative-diff'));
  expect(diff).toBeLessThanOrEqual(1e-4);
  expect(await result.getAttribute('data-passed')).toBe('true');
  expect(errors).toEqual([]);
});

test('the wasm backend trains in the browser when asked for', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=wasm&steps=4&batch=8&eval=16');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 120_000 });
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(4);
  // The grid exports as one PNG.
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recon-export-png').click()]);
  expect(png.suggestedFilename()).toBe('reconstructions-step-4.png');
  const bytes = readFileSync((await png.path())!);
  expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
  expect(bytes.length).toBeGreaterThan(2000);
  expect(errors).toEqual([]);
});

test('a baseline method runs from the studio, chosen in the URL, and its metrics use the untouched original', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=wasm&method=max-loss&steps=6&batch=8&eval=16');
  await expect(page.getByTestId('setting-method')).toHaveValue('max-loss');
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 120_000 });
  // Max Loss trains the decoder too: the original's numbers must still be the original model's.
  const originalPsnr = Number(await page.getByTestId('metric-retain-original-psnr').textContent());
  await page.goto('/?backend=wasm&method=paper&steps=1&batch=8&eval=16');
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 120_000 });
  expect(Number(await page.getByTestId('metric-retain-original-psnr').textContent())).toBe(originalPsnr);
  expect(errors).toEqual([]);
});

test('bad settings and an empty forget set get a clear message and lose nothing', async ({ page }) => {
  await page.goto('/?forget=7');
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await page.getByTestId('class-forget-7').click();
  await expect(page.getByTestId('class-forget-7')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('forget set is empty');
  await page.getByTestId('error-dismiss').click();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  // The model and data stay loaded: picking a class again makes the studio ready to run.
  await page.getByTestId('class-forget-3').click();
  await expect(page.getByTestId('forget-count')).toContainText(/\d/);
  // Fewer retain classes than all that are kept make a proxy retain set, and the studio says so.
  await expect(page.getByTestId('proxy-retain')).toHaveCount(0);
  await page.getByTestId('class-retain-0').click();
  await expect(page.getByTestId('proxy-retain')).toBeVisible();
  await expect(page.getByTestId('start-button')).toBeEnabled();
});

test('a link with bad parameters: one message names each and what was used instead, and the studio stays usable', async ({ page }) => {
  await page.goto('/?model=nope&backend=tpu&alpha=abc&forget=42&steps=-5&lr=1e9&batch=16&eval=16');
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('model=nope: no such model; used mnist-inpaint-ae');
  await expect(banner).toContainText('forget=42: MNIST digits has no class 42 (0 to 9); used 7');
  for (const text of ['backend=tpu: not a backend', 'alpha=abc: not a number; used 0.25', 'steps=-5: steps must be a whole number in [1, 100000]; used 500', 'lr=1e9: learning rate must be in (0, 0.1]; used 0.001']) {
    await expect(banner).toContainText(text);
  }
  await expect(page.getByTestId('model-select')).toBeEnabled();
  await expect(page.getByTestId('model-select')).toHaveValue('mnist-inpaint-ae');
  await expect(page.getByTestId('setting-steps')).toHaveValue('500');
  await expect(page.getByTestId('class-forget-7')).toHaveAttribute('aria-pressed', 'true');
  // The settings panel refuses a value beyond its bound, naming the bound.
  await page.getByTestId('setting-lr').fill('1e9');
  await expect(page.locator('.settings .hint')).toHaveText('learning rate must be in (0, 0.1]');
  await page.getByTestId('setting-lr').fill('0.001');

  // The URL now holds what is used: a reload starts clean, and Start runs.
  await page.reload();
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('running');
  await page.getByTestId('stop-button').click();
});

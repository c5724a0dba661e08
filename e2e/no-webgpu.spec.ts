import { expect, test } from '@playwright/test';

test('without a WebGPU adapter, and with WebGL only emulated, the studio runs on wasm and says why', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  const fallback = page.getByTestId('backend-fallback');
  await expect(fallback).toContainText('webgpu');
  await expect(fallback).toContainText(/webgl: a software adapter \(.*swiftshader.*\)/i);
  await expect(page.getByTestId('start-button')).toBeEnabled();
});

test('WebGL still runs when asked for', async ({ page }) => {
  await page.goto('/?backend=webgl');
  await expect(page.getByTestId('backend-badge')).toHaveText('webgl');
  await expect(page.getByTestId('start-button')).toBeEnabled();
});

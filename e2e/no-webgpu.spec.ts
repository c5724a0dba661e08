import { expect, test } from '@playwright/test';

test('without a WebGPU adapter the studio falls back to WebGL and says why', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-badge')).toHaveText('webgl');
  await expect(page.getByTestId('backend-fallback')).toContainText('webgpu');
  await expect(page.getByTestId('start-button')).toBeEnabled();
});

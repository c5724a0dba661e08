import { expect, test } from '@playwright/test';

// tfjs 4.22's threaded binary caps its pool at half the cores it is told of (one thread on two
// cores); the worker lifts that cap while wasm starts (src/worker/backends.ts).
test('threaded wasm runs on every core the browser reports and still matches cpu', async ({ page }) => {
  await page.goto('/?backend=wasm&threads=1');
  await page.waitForFunction(() => (globalThis as any).unlearningStudio?.getState().phase === 'ready', null, { timeout: 180_000 });
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const result = await page.evaluate(() =>
    (globalThis as any).unlearningStudio.getState().benchmark('unlearn', 4, { warmupSteps: 1, maxSteps: 2, budgetMs: 0 }),
  );
  expect(result.backend).toBe('wasm');
  // The binary's own ceiling is its pool of 8 workers.
  expect(result.wasmThreads).toBe(Math.min(Math.max(1, cores), 8));

  await page.getByTestId('self-check-button').click();
  const check = page.getByTestId('self-check-result');
  await expect(check).toHaveAttribute('data-passed', /true|false/, { timeout: 180_000 });
  expect(Number(await check.getAttribute('data-max-relative-diff'))).toBeLessThanOrEqual(1e-4);
  expect(await check.getAttribute('data-passed')).toBe('true');
});

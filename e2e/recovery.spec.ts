import { expect, test, type Page } from '@playwright/test';
import { collectErrors } from './console';
import { checkpointStep } from './fixtures/page';

interface Ending {
  total: number;
  points: number;
  metrics: unknown;
  backend: string;
}

/** The run on screen, as the store has it: the last step's loss, the curve's length, the metrics, the backend. */
const ending = (page: Page): Promise<Ending> =>
  page.evaluate(() => {
    const state = (globalThis as any).unlearningStudio.getState();
    return { total: state.curve.at(-1)?.total, points: state.curve.length, metrics: state.metrics, backend: state.backend };
  });

async function runToEnd(page: Page): Promise<Ending> {
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 180_000 });
  return ending(page);
}

async function expectNothingLost(page: Page, steps: number): Promise<void> {
  await expect(page.getByTestId('model-select')).toHaveValue('mnist-inpaint-ae');
  await expect(page.getByTestId('class-forget-7')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('setting-steps')).toHaveValue(String(steps));
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(steps));
  await expect(page.getByTestId('step-counter')).toHaveText(`step ${steps} / ${steps}`);
  for (const set of ['forget', 'retain']) expect(Number(await page.getByTestId(`metric-${set}-unlearned-psnr`).textContent())).toBeGreaterThan(5);
}

test('a worker killed mid-run is replaced; resumed from its checkpoint, the run ends bitwise as one never interrupted', async ({ page }) => {
  const errors = collectErrors(page);
  // Long enough to outlast the first checkpoint (5 s of running) on a fast machine: 120 steps
  // once ended in 3.5 s here, before any checkpoint, and the test waited for one in vain.
  const steps = 600;
  // A short watchdog: the killed worker says nothing, so only the silence tells.
  await page.goto(`/?backend=wasm&forget=7&steps=${steps}&batch=8&eval=16&watchdog=3`);
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await page.getByTestId('start-button').click();
  await expect.poll(() => page.evaluate(checkpointStep), { timeout: 120_000 }).toBeGreaterThan(0);
  await page.evaluate(() => (globalThis as any).unlearningWorker.killWorker());

  await expect(page.getByTestId('error-banner')).toContainText('did not answer');
  await expect(page.getByTestId('run-phase')).toHaveText('interrupted');
  const offer = page.getByTestId('resume-offer');
  await expect(offer).toHaveAttribute('data-cause', 'unresponsive');
  await expect(page.getByTestId('resume-run')).toBeEnabled();
  const step = Number(await offer.getAttribute('data-step'));
  expect(step).toBeGreaterThan(0);
  expect(step).toBeLessThan(steps);
  await page.getByTestId('resume-run').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 180_000 });
  await expectNothingLost(page, steps);
  const resumed = await ending(page);

  // The same run, uninterrupted, in the new worker: the same losses and metrics to the last bit.
  const uninterrupted = await runToEnd(page);
  expect(resumed).toEqual(uninterrupted);
  expect(errors).toEqual([]);
});

test('a GPU lost mid-run: the studio says so, goes on from the last checkpoint on the next backend, and ends within parity of an uninterrupted run', async ({ page }) => {
  test.setTimeout(420_000);
  const steps = 24;
  await page.goto(`/?backend=webgpu&forget=7&steps=${steps}&batch=4&eval=16`);
  await expect(page.getByTestId('backend-badge')).toHaveText('webgpu');
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await page.getByTestId('start-button').click();
  await expect.poll(() => page.evaluate(checkpointStep), { timeout: 300_000 }).toBeGreaterThan(0);
  // Destroys the WebGPU device, as a driver reset or the browser reclaiming it would.
  await page.evaluate(() => (globalThis as any).unlearningWorker.request('loseBackend', {}).catch(() => undefined));

  await expect(page.getByTestId('error-banner')).toContainText('WebGPU device was lost');
  await expect(page.getByTestId('backend-badge')).toHaveText('webgl');
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 300_000 });
  await expectNothingLost(page, steps);
  const recovered = await ending(page);
  expect(recovered.backend).toBe('webgl');

  // The same run uninterrupted, on the backend it finished on.
  const uninterrupted = await runToEnd(page);
  expect(Math.abs(recovered.total - uninterrupted.total) / Math.abs(uninterrupted.total)).toBeLessThanOrEqual(1e-4);
});

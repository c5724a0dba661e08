import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { collectErrors, inkedFraction, recordTexts } from './console';

test('the Palette diffusion model unlearns in the browser on wasm, its grid sampled with progress shown', async ({ page }) => {
  const errors = collectErrors(page);
  // Few sampling steps (`sample`) and few held-out images keep the sampled grid and metrics quick on wasm.
  await page.goto('/?model=mnist-palette&backend=wasm&task=centre-50&forget=7&steps=4&batch=8&eval=16&sample=4');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  await expect(page.getByTestId('model-select')).toHaveValue('mnist-palette');
  await expect(page.getByTestId('setting-task')).toHaveValue('centre-50');
  // The task's held-out quality beside the mean fill, one draw's and the mean of draws', as the card measured it, for the task chosen.
  const card = JSON.parse(readFileSync('public/models/mnist-palette/card.json', 'utf8'));
  for (const task of ['centre-25', 'centre-50']) {
    await page.getByTestId('setting-task').selectOption(task);
    const { holePsnr, meanImageHolePsnr, draws } = card.evaluation.perTask[task];
    const quality = page.getByTestId('task-quality');
    const { sampler, sampleSteps } = card.architecture;
    await expect(quality).toContainText(`${holePsnr.toFixed(1)} dB in the hole (one draw, ${sampler} sampler, ${sampleSteps} steps; the mean of ${draws.count} draws ${draws.meanOfDrawsHolePsnr.toFixed(1)} dB)`);
    await expect(quality).toHaveAttribute('data-below-mean-fill', String(holePsnr < meanImageHolePsnr));
    // Red only where nothing shows the model knows more than the mean: not where its mean of draws beats it.
    await expect(quality).toHaveClass(holePsnr < meanImageHolePsnr && draws.meanOfDrawsHolePsnr <= meanImageHolePsnr ? /warning/ : /help/);
  }
  await expect(page.getByTestId('setting-sample-steps')).toHaveValue('4');
  // The sampler starts at the card's own; a choice goes into the URL, so that a shared run samples alike.
  const sampler = page.getByTestId('setting-sampler');
  await expect(sampler).toHaveValue(card.architecture.sampler);
  await sampler.selectOption('ddim');
  await expect(page).toHaveURL(/[?&]sampler=ddim(&|$)/);
  await sampler.selectOption(card.architecture.sampler);
  await expect(page).toHaveURL(new RegExp(`[?&]sampler=${card.architecture.sampler}(&|$)`));
  await expect(page.getByTestId('start-button')).toBeEnabled({ timeout: 60_000 });

  // The sampler reports its steps while the grid is drawn.
  const samplingTexts = await recordTexts(page, 'recon-sampling');
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 180_000 });
  const samplingShown = await samplingTexts();
  expect(samplingShown.length).toBeGreaterThan(0);
  for (const text of samplingShown) {
    const [, done, total] = text.match(/^sampling (\d+)\/(\d+)$/) ?? [];
    expect(Number(done), text).toBeGreaterThan(0);
    expect(Number(done), text).toBeLessThanOrEqual(Number(total));
  }
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(4);

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
  // Where along the noise levels it forgot: five buckets, original and unlearned, on both measures.
  const levels = page.getByTestId('noise-levels-chart');
  await expect(levels).toHaveAttribute('data-buckets', '5', { timeout: 60_000 });
  await expect(levels.locator('.recharts-bar-rectangle').first()).toBeAttached();
  await page.getByTestId('noise-levels-measure').selectOption('distance');
  await expect(levels.locator('.recharts-bar-rectangle').first()).toBeAttached();
  expect(errors).toEqual([]);
});

import type { Page } from '@playwright/test';

/** Collects console errors and uncaught page errors, workers included (Playwright routes worker console messages to the page). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Fraction of a canvas's pixels that are not pure black: a blank canvas reads 0. */
export async function inkedFraction(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 30) inked++;
    return inked / (data.length / 4);
  });
}

/** Fraction of a canvas's pixels whose red, green and blue differ (a grey image reads 0). */
export async function colouredFraction(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 40) coloured++;
    return coloured / (data.length / 4);
  });
}

/**
 * Records every text the element `testId` shows from now on, as the DOM changes: a progress line
 * can be on screen for less than a polling interval. Returns a reader of the texts seen so far.
 */
export async function recordTexts(page: Page, testId: string): Promise<() => Promise<string[]>> {
  const key = `texts:${testId}`;
  await page.evaluate(
    ([key, testId]) => {
      const seen: string[] = [];
      Object.assign(window, { [key]: seen });
      new MutationObserver(() => {
        const text = document.querySelector(`[data-testid="${testId}"]`)?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    },
    [key, testId],
  );
  return () => page.evaluate((key) => (window as unknown as Record<string, string[]>)[key], key);
}

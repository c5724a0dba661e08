import { defineConfig } from '@playwright/test';

// Playwright cannot download its own browser here: use the system Chromium (Debian's package).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const quietChromium = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// E2E_PORT lets two checkouts run their end-to-end tests side by side.
const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 240_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /no-webgpu/,
      use: { launchOptions: { executablePath, args: ['--enable-unsafe-webgpu', ...quietChromium] } },
    },
    {
      // Without the flag headless Chromium offers no WebGPU adapter: the studio must fall back and say why.
      name: 'no-webgpu',
      testMatch: /no-webgpu/,
      use: { launchOptions: { executablePath, args: quietChromium } },
    },
  ],
  webServer: {
    command: `npm run build && npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 300_000,
  },
});

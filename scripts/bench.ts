/**
 * Unlearning-step speed per backend: Node (wasm, cpu) and the studio's worker in headless
 * Chromium (webgpu, webgl, wasm, cpu), at batch 16 and 64. Writes machine-readable rows.
 *   npm run bench -- [--json bench-results/bench.json] [--model mnist-inpaint-ae] [--skip-browser]
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { benchmarkUnlearning, type BenchmarkResult } from '../src/core/benchmark';
import { loadBuiltInDataset, type BuiltInDatasetId } from '../src/core/data/builtin';
import { splitByClass } from '../src/core/data/splits';
import { loadModel } from '../src/core/models/io';
import { useNodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderReader, parseOptions } from './node/files';

const options = parseOptions(process.argv.slice(2), {
  json: 'bench-results/bench.json',
  model: 'mnist-inpaint-ae',
  skipBrowser: false,
  port: 4317,
});
const BATCHES = [16, 64];
/** Timed steps per row: the cpu backend is ~100x slower, so it gets fewer. */
const stepsFor = (backend: string) => (backend === 'cpu' ? 3 : 20);

interface Row extends BenchmarkResult {
  where: 'node' | 'browser-worker';
  backend: string;
  model: string;
}
const rows: Row[] = [];
const report = (row: Row) => {
  rows.push(row);
  console.log(`${row.where.padEnd(14)} ${row.backend.padEnd(7)} batch ${String(row.batchSize).padStart(3)}  ${row.msPerStep.toFixed(1).padStart(8)} ms/step  ${row.imagesPerSecond.toFixed(0).padStart(6)} img/s`);
};

async function benchNode() {
  const model = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
  const data = await loadBuiltInDataset(model.card.dataset as BuiltInDatasetId, folderReader(resolve(import.meta.dirname, '../public/data', model.card.dataset)));
  const split = splitByClass(data.train, data.test, [7]);
  for (const backend of ['wasm', 'cpu'] as const) {
    await useNodeBackend(backend);
    // Models live on the backend that created them: reload after switching.
    const onBackend = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
    for (const batchSize of BATCHES) {
      report({ where: 'node', backend: tf.getBackend(), model: options.model, ...(await benchmarkUnlearning(onBackend, split, batchSize, stepsFor(backend))) });
    }
    onBackend.dispose();
  }
  model.dispose();
}

async function benchBrowser() {
  const server = spawn('npx', ['vite', 'preview', '--port', String(options.port), '--strictPort'], { stdio: 'ignore' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
      const page = await browser.newPage();
      for (let attempt = 0; ; attempt++) {
        try {
          await page.goto(`http://localhost:${options.port}/?backend=${backend}`);
          break;
        } catch (error) {
          if (attempt > 30) throw error;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      await page.waitForFunction(() => (globalThis as any).unlearningStudio?.getState().phase === 'ready', null, { timeout: 120_000 });
      for (const batchSize of BATCHES) {
        const result = await page.evaluate(
          ([b, s]) => (globalThis as any).unlearningStudio.getState().benchmark(b, s),
          [batchSize, stepsFor(backend)] as const,
        );
        // A backend that failed to start falls back silently in tfjs: record the one that really ran.
        report({ where: 'browser-worker', model: options.model, ...result });
      }
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill();
  }
}

await benchNode();
if (!options.skipBrowser) await benchBrowser();
await mkdir(dirname(resolve(options.json)), { recursive: true });
await writeFile(options.json, JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
console.log(`wrote ${options.json}`);

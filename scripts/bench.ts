/**
 * Training-step speed per backend, for the shipped model: unlearning steps (encoder only) and
 * whole-model training steps, at batch 16 and 64, in Node (wasm, cpu) and in the studio's worker
 * in headless Chromium (webgpu, webgl, wasm single-threaded and threaded build, cpu). Writes JSON rows.
 *   npm run bench -- [--json bench-results/bench.json] [--model mnist-inpaint-ae] [--skip-browser] [--skip-node]
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { benchmarkPretraining, benchmarkUnlearning, type BenchmarkBudget, type BenchmarkResult } from '../src/core/benchmark';
import { loadBuiltInDataset, type BuiltInDatasetId } from '../src/core/data/builtin';
import { splitByClass } from '../src/core/data/splits';
import { loadModel } from '../src/core/models/families';
import { useNodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderReader, parseOptions } from './node/files';

const options = parseOptions(process.argv.slice(2), {
  json: 'bench-results/bench.json',
  model: 'mnist-inpaint-ae',
  skipBrowser: false,
  skipNode: false,
  port: 4317,
});
const BATCHES = [16, 64];
const TASKS: BenchmarkResult['task'][] = ['unlearn', 'pretrain'];
/** Slow backends (cpu; SwiftShader's emulated GPU) get a time budget instead of many steps. */
const BUDGET: BenchmarkBudget = { warmupSteps: 2, maxSteps: 20, budgetMs: 15_000 };

interface Row extends BenchmarkResult {
  where: 'node' | 'browser-worker';
  backend: string;
  wasmThreads?: number;
  /** The page asked for wasm's threaded build (`threads=1`). */
  threadedBuild?: boolean;
  model: string;
}
const rows: Row[] = [];
const report = (row: Row) => {
  rows.push(row);
  const threads = row.threadedBuild ? ` (threaded build, ${row.wasmThreads} thread${row.wasmThreads === 1 ? '' : 's'})` : '';
  console.log(
    `${row.where.padEnd(14)} ${(row.backend + threads).padEnd(19)} ${row.task.padEnd(8)} batch ${String(row.batchSize).padStart(3)}` +
      `  ${row.msPerStep.toFixed(1).padStart(8)} ms/step  ${row.imagesPerSecond.toFixed(0).padStart(6)} img/s  (${row.steps} steps)`,
  );
};

async function benchNode() {
  const read = (dataset: string) => folderReader(resolve(import.meta.dirname, '../public/data', dataset));
  for (const backend of ['wasm', 'cpu'] as const) {
    await useNodeBackend(backend);
    // Models live on the backend that created them: load one per backend.
    const model = await loadModel(folderReader(join(PUBLIC_MODELS, options.model)));
    const data = await loadBuiltInDataset(model.card.dataset as BuiltInDatasetId, read(model.card.dataset));
    const split = splitByClass(data.train, data.test, [7]);
    for (const task of TASKS) {
      for (const batchSize of BATCHES) {
        const measure = task === 'unlearn' ? benchmarkUnlearning : benchmarkPretraining;
        const budget = backend === 'cpu' ? { ...BUDGET, warmupSteps: 1 } : BUDGET;
        report({ where: 'node', backend: tf.getBackend(), model: options.model, ...(await measure(model, split, batchSize, budget)) });
      }
    }
    model.dispose();
  }
}

async function benchBrowser() {
  const server = spawn('npx', ['vite', 'preview', '--port', String(options.port), '--strictPort'], { stdio: 'ignore' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    for (const query of ['backend=webgpu', 'backend=webgl', 'backend=wasm', 'backend=wasm&threads=1', 'backend=cpu']) {
      const page = await browser.newPage();
      for (let attempt = 0; ; attempt++) {
        try {
          await page.goto(`http://localhost:${options.port}/?${query}`);
          break;
        } catch (error) {
          if (attempt > 30) throw error;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      await page.waitForFunction(() => (globalThis as any).unlearningStudio?.getState().phase === 'ready', null, { timeout: 120_000 });
      for (const task of TASKS) {
        for (const batchSize of BATCHES) {
          const result = await page.evaluate(
            ([t, b, budget]) => (globalThis as any).unlearningStudio.getState().benchmark(t, b, budget),
            [task, batchSize, BUDGET] as const,
          );
          // The worker reports the backend that really ran (tfjs can fall back silently).
          report({ where: 'browser-worker', model: options.model, threadedBuild: query.includes('threads=1'), ...result });
        }
      }
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill();
  }
}

if (!options.skipNode) await benchNode();
if (!options.skipBrowser) await benchBrowser();
await mkdir(dirname(resolve(options.json)), { recursive: true });
await writeFile(options.json, JSON.stringify({ date: new Date().toISOString(), model: options.model, rows }, null, 2) + '\n');
console.log(`wrote ${options.json}`);

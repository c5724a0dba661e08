/**
 * Training-step speed and traffic per family and backend: unlearning steps (encoder only) and
 * whole-model training steps on the same task, in Node (wasm, cpu) and in the studio's worker in
 * headless Chromium (webgpu, webgl, wasm single-threaded and threaded, cpu). Each row has ms/step
 * and what a step dispatches, uploads and reads back. `--peer torch` times PyTorch twins of the
 * same models (bench/peers/) next to the Node wasm rows, interleaved; `--node-backends webgpu` runs
 * tfjs's webgpu backend in Node through Dawn (`npm install --no-save webgpu`; a GPU machine's
 * Vulkan driver, or SwiftShader's); `--memory-steps N` checks
 * that tensors and backend bytes stay flat over N unlearning steps. Writes JSON.
 *   npm run bench -- [--json bench-results/bench.json] [--families mnist-inpaint-ae,mnist-mae]
 *     [--batches 16,64] [--tasks unlearn,pretrain (none: memory rows only)] [--peer torch] [--skip-browser] [--skip-node] [--memory-steps 1000]
 *     [--tfjs-flags NAME=value,... (Node rows)] [--node-backends wasm,cpu] [--browser-backends webgpu,webgl,wasm,wasm-threads,cpu] [--skip-long-tasks]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { benchmarkPretraining, benchmarkUnlearning, unlearningMemoryDrift, type BenchmarkBudget, type BenchmarkResult, type MemoryDrift } from '../src/core/benchmark';
import { splitByClass } from '../src/core/data/splits';
import { loadModel } from '../src/core/models/families';
import { nodeWebGpuAdapter, setTfjsFlags, useNodeBackend, type NodeBackend } from './node/backend';
import { PUBLIC_MODELS, folderReader, loadStudioDataset, parseOptions } from './node/files';

const options = parseOptions(process.argv.slice(2), {
  json: 'bench-results/bench.json',
  families: 'mnist-inpaint-ae,mnist-mae,mnist-mage,mnist-palette',
  batches: '16,64',
  tasks: 'unlearn,pretrain',
  peer: '',
  skipBrowser: false,
  skipNode: false,
  nodeBackends: 'wasm,cpu',
  browserBackends: 'webgpu,webgl,wasm,wasm-threads,cpu',
  skipLongTasks: false,
  memorySteps: 1000,
  tfjsFlags: '',
  port: 4317,
});
const MODELS = options.families.split(',');
const BATCHES = options.batches.split(',').map(Number);
const TASKS = options.tasks.split(',').filter(Boolean) as BenchmarkResult['task'][];
/** Fast backends: up to 20 timed steps in 15 s. */
const BUDGET: BenchmarkBudget = { warmupSteps: 2, maxSteps: 20, budgetMs: 15_000 };
/** Slow ones (cpu; GPUs emulated by SwiftShader): the smallest batch, two timed steps. */
const SLOW_BUDGET: BenchmarkBudget = { warmupSteps: 1, maxSteps: 2, budgetMs: 0 };
const TORCH_STEPS = { warmup: 2, steps: 10 };

interface Row extends Partial<BenchmarkResult> {
  where: 'node' | 'browser-worker' | 'pytorch' | 'browser-main-thread';
  backend?: string;
  model?: string;
  wasmThreads?: number;
  /** The page asked for wasm's threaded build (`threads=1`). */
  threadedBuild?: boolean;
  /** PyTorch's intra-op threads. */
  threads?: number;
  memory?: MemoryDrift;
  [extra: string]: unknown;
}
const rows: Row[] = [];
const notes: string[] = [];
/** Written after every row: a bench cut short (a crash, a session's end) keeps what it measured. */
async function saveRows() {
  await mkdir(dirname(resolve(options.json)), { recursive: true });
  await writeFile(options.json, JSON.stringify({ date: new Date().toISOString(), rows, notes }, null, 2) + '\n');
}

let saving = Promise.resolve();

function report(row: Row) {
  rows.push(row);
  saving = saving.then(saveRows);
  if (row.memory) {
    const m = row.memory;
    console.log(`${row.where.padEnd(14)} ${String(row.backend).padEnd(8)} ${String(row.model).padEnd(18)} memory over ${m.steps} steps: tensors ${m.tensorsAtStart} -> ${m.tensorsAtEnd}, bytes ${m.bytesAtStart} -> ${m.bytesAtEnd}`);
    return;
  }
  if (row.msPerStep === undefined) return console.log(JSON.stringify(row));
  const threads = row.threadedBuild ? ` (threads ${row.wasmThreads})` : row.threads ? ` (${row.threads} thr)` : '';
  const traffic = row.kernels === undefined ? '' : `  kernels ${row.kernels}, uploads ${row.uploads} (${((row.uploadBytes ?? 0) / 1024).toFixed(1)} KiB), reads ${row.blockingReads} blocking / ${row.asyncReads} async`;
  console.log(
    `${row.where.padEnd(14)} ${(String(row.backend) + threads).padEnd(20)} ${String(row.model).padEnd(18)} ${String(row.task).padEnd(8)} batch ${String(row.batchSize).padStart(3)}` +
      `  ${row.msPerStep.toFixed(1).padStart(8)} ms/step${traffic}`,
  );
}

/** The python3 that has torch, if any (Debian's python3-torch installs it for /usr/bin/python3), and whether it sees a CUDA GPU. */
function torchPeer(): { python: string; cuda: boolean } | undefined {
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[]) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, cuda: probe.stdout.trim() === 'True' };
  }
  return undefined;
}

/** PyTorch twin rows for `modelId`: one process for every task and batch given (a GPU's start costs seconds). */
function torchRows(python: string, modelId: string, tasks: string[], batches: number[], threads: number, device: 'cpu' | 'cuda'): Row[] {
  const args = ['bench/peers/twin.py', '--card', join(PUBLIC_MODELS, modelId, 'card.json'), '--task', tasks.join(','), '--batch', batches.join(','),
    '--warmup', String(TORCH_STEPS.warmup), '--steps', String(TORCH_STEPS.steps), '--threads', String(threads), '--device', device];
  const run = spawnSync(python, args, { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n').filter((line) => line.startsWith('{'));
  if (run.status !== 0) notes.push(`PyTorch twin of ${modelId} (${tasks.join(', ')}, batch ${batches.join(', ')}, ${device}) failed: ${run.stderr.trim().split('\n').at(-1)}`);
  return lines.map((line) => {
    const result = JSON.parse(line);
    return { where: 'pytorch', backend: `torch ${result.torch}`, device: result.device, model: modelId, task: result.task, batchSize: result.batchSize, threads, msPerStep: result.msPerStep, steps: result.steps };
  });
}

async function benchNode() {
  const peer = options.peer === 'torch' ? torchPeer() : undefined;
  if (options.peer === 'torch' && !peer) notes.push('--peer torch: no python3 with torch here (Debian: apt-get install python3-torch); PyTorch rows skipped');
  for (const backend of options.nodeBackends.split(',') as NodeBackend[]) {
    await useNodeBackend(backend);
    const tfjsFlags = options.tfjsFlags ? setTfjsFlags(options.tfjsFlags) : undefined;
    // Dawn's adapter: a GPU's, or SwiftShader's Vulkan emulating one on the CPU (slow, like cpu).
    const gpu = backend === 'webgpu' ? await nodeWebGpuAdapter() : undefined;
    const slow = backend === 'cpu' || Boolean(gpu?.software);
    const gpuPeer = gpu && !gpu.software && peer?.cuda ? peer : undefined;
    if (gpu && !gpu.software && peer && !peer.cuda) notes.push(`--peer torch: torch sees no CUDA GPU; no PyTorch rows beside webgpu on ${gpu.adapter}`);
    for (const modelId of MODELS) {
      // Models live on the backend that created them: load one per backend.
      const model = await loadModel(folderReader(join(PUBLIC_MODELS, modelId)));
      const data = await loadStudioDataset(model.card.dataset);
      const split = splitByClass(data.train, data.test, [7]);
      const batches = slow ? BATCHES.slice(0, 1) : BATCHES;
      for (const batchSize of batches) {
        for (const task of TASKS) {
          const measure = task === 'unlearn' ? benchmarkUnlearning : benchmarkPretraining;
          report({ where: 'node', backend: tf.getBackend(), model: modelId, ...(gpu && { adapter: gpu.adapter, softwareAdapter: Boolean(gpu.software) }), ...(tfjsFlags && { tfjsFlags }), ...(await measure(model, split, batchSize, slow ? SLOW_BUDGET : BUDGET)) });
          // The twin runs right after its row, so both meet the same machine load.
          if (backend === 'wasm' && peer) {
            for (const threads of [1, 2]) torchRows(peer.python, modelId, [task], [batchSize], threads, 'cpu').forEach(report);
          }
        }
      }
      // A GPU's peer is PyTorch on the same GPU, all of the model's rows in one process.
      if (gpuPeer) torchRows(gpuPeer.python, modelId, TASKS, batches, 1, 'cuda').forEach(report);
      if (!slow && options.memorySteps > 0) {
        report({ where: 'node', backend: tf.getBackend(), model: modelId, batchSize: 4, memory: await unlearningMemoryDrift(model, split, 4, options.memorySteps) });
      }
      model.dispose();
    }
  }
}

async function benchBrowser() {
  // Loaded only here: a GPU machine's bench runs the Node rows alone, without Playwright.
  const { chromium } = await import('@playwright/test');
  // Its own process group: npx starts vite as a child, and the whole group must go at the end.
  const server = spawn('npx', ['vite', 'preview', '--port', String(options.port), '--strictPort'], { stdio: 'ignore', detached: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  const base = `http://localhost:${options.port}`;
  try {
    const queries = options.browserBackends.split(',').filter(Boolean).map((b) => (b === 'wasm-threads' ? 'backend=wasm&threads=1' : `backend=${b}`));
    for (const query of queries) {
      for (const modelId of MODELS) {
        const page = await browser.newPage();
        for (let attempt = 0; ; attempt++) {
          try {
            // A cpu step of Palette takes over 30 s: the worker's watchdog must not take it for a hang.
            await page.goto(`${base}/?${query}&model=${modelId}&watchdog=900`);
            break;
          } catch (error) {
            if (attempt > 30) throw error;
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
        await page.waitForFunction(() => (globalThis as any).unlearningStudio?.getState().phase === 'ready', null, { timeout: 180_000 });
        const software = await page.evaluate(() => (globalThis as any).unlearningStudio.getState().backendAttempts.some((a: { ok: boolean; software?: boolean }) => a.ok && a.software));
        const slow = software || query === 'backend=cpu';
        for (const batchSize of slow ? BATCHES.slice(0, 1) : BATCHES) {
          for (const task of TASKS) {
            const result = await page.evaluate(
              ([t, b, budget]) => (globalThis as any).unlearningStudio.getState().benchmark(t, b, budget),
              [task, batchSize, slow ? SLOW_BUDGET : BUDGET] as const,
            );
            // The worker reports the backend that really ran (tfjs can fall back silently).
            report({ where: 'browser-worker', model: modelId, threadedBuild: query.includes('threads=1'), softwareAdapter: software, ...result });
          }
        }
        await page.close();
      }
    }
    if (!options.skipLongTasks) {
      const { benchLongTasks } = await import('./bench-long-tasks');
      for (const row of await benchLongTasks(browser, base)) report(row as Row);
    }
  } finally {
    await browser.close();
    process.kill(-server.pid!);
  }
}

if (!options.skipNode) await benchNode();
if (!options.skipBrowser) await benchBrowser();
notes.forEach((note) => console.log(`note: ${note}`));
await saving.then(saveRows);
console.log(`wrote ${options.json}`);

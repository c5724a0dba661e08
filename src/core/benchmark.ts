import * as tf from '@tensorflow/tfjs';
import type { ClassSplit } from './data/splits';
import type { I2IModel } from './models/types';
import { DEFAULT_PRETRAIN, Pretrainer } from './training/pretrain';
import { DEFAULT_UNLEARN } from '../shared/settings';
import { Unlearner } from './unlearning/unlearner';

export interface BenchmarkBudget {
  /** Untimed first steps (shader compilation, memory pools). */
  warmupSteps: number;
  maxSteps: number;
  /** Stop timing once this much time has passed (at least two timed steps always run). */
  budgetMs: number;
}

export const DEFAULT_BUDGET: BenchmarkBudget = { warmupSteps: 2, maxSteps: 20, budgetMs: 20_000 };

/** What one step asks of the backend: on a GPU a small model's step is bound by these, not by arithmetic. */
export interface StepTraffic {
  /** Kernels the engine dispatched. */
  kernels: number;
  /** Tensors written from the host (uploads to a GPU), and their bytes. */
  uploads: number;
  uploadBytes: number;
  /** Blocking read-backs (dataSync): the host waits for the device. */
  blockingReads: number;
  /** Asynchronous read-backs (data()): the step's losses, read while the next step runs. */
  asyncReads: number;
}

export interface BenchmarkResult extends StepTraffic {
  task: 'unlearn' | 'pretrain';
  batchSize: number;
  steps: number;
  msPerStep: number;
  imagesPerSecond: number;
  warmupMs: number;
}

type Step = () => Promise<unknown>;

/**
 * Times steps the way the studio runs them: the next step is dispatched before the previous
 * one's numbers are awaited, so a GPU never idles on a read-back.
 */
async function timeSteps(step: Step, budget: BenchmarkBudget): Promise<{ steps: number; msPerStep: number; warmupMs: number }> {
  const warmupStart = performance.now();
  for (let i = 0; i < budget.warmupSteps; i++) await step();
  const start = performance.now();
  let steps = 0;
  let inFlight: Promise<unknown> | undefined;
  while (steps < 2 || (steps < budget.maxSteps && performance.now() - start < budget.budgetMs)) {
    const next = step();
    if (inFlight) await inFlight;
    inFlight = next;
    steps++;
  }
  await inFlight;
  return { steps, msPerStep: (performance.now() - start) / steps, warmupMs: start - warmupStart };
}

/**
 * Counts what one step dispatches, uploads and reads back, by wrapping the engine's entry points:
 * kernels run, tensors made from host values (what a GPU backend must upload; kernel outputs
 * are not counted), and synchronous and asynchronous reads.
 */
export async function measureTraffic(step: Step): Promise<StepTraffic> {
  type Entry = (...args: unknown[]) => unknown;
  const engine = tf.engine() as unknown as Record<'runKernel' | 'readSync' | 'read' | 'makeTensor', Entry>;
  const traffic: StepTraffic = { kernels: 0, uploads: 0, uploadBytes: 0, blockingReads: 0, asyncReads: 0 };
  const saved = { runKernel: engine.runKernel, readSync: engine.readSync, read: engine.read, makeTensor: engine.makeTensor };
  engine.runKernel = (...args) => (traffic.kernels++, saved.runKernel.apply(engine, args));
  engine.readSync = (...args) => (traffic.blockingReads++, saved.readSync.apply(engine, args));
  engine.read = (...args) => (traffic.asyncReads++, saved.read.apply(engine, args));
  engine.makeTensor = (...args) => {
    const [, shape, dtype = 'float32'] = args as [unknown, number[], tf.DataType | undefined];
    traffic.uploads++;
    traffic.uploadBytes += dtype === 'string' ? 0 : tf.util.sizeFromShape(shape) * tf.util.bytesPerElement(dtype);
    return saved.makeTensor.apply(engine, args);
  };
  try {
    await step();
  } finally {
    Object.assign(engine, saved);
  }
  return traffic;
}

async function benchmark(task: BenchmarkResult['task'], batchSize: number, step: Step, budget: BenchmarkBudget): Promise<BenchmarkResult> {
  const timing = await timeSteps(step, budget);
  const traffic = await measureTraffic(step);
  return { task, batchSize, ...timing, imagesPerSecond: (1000 * batchSize) / timing.msPerStep, ...traffic };
}

/** Enough steps for the timing and the traffic count, so the schedule never runs out. */
const stepsFor = (budget: BenchmarkBudget) => budget.warmupSteps + budget.maxSteps + 1;

/** Times unlearning steps of `model` on the active backend; the encoder is restored afterwards. */
export async function benchmarkUnlearning(model: I2IModel, split: ClassSplit, batchSize: number, budget = DEFAULT_BUDGET): Promise<BenchmarkResult> {
  const unlearner = new Unlearner(model, split.forgetTrain, split.retainTrain, { ...DEFAULT_UNLEARN, batchSize, steps: stepsFor(budget) });
  try {
    return await benchmark('unlearn', batchSize, () => unlearner.step(), budget);
  } finally {
    unlearner.dispose();
  }
}

/**
 * Times whole-model training steps (encoder and decoder) on the model's first task, the one an
 * unlearning run defaults to, so the two compare like for like. The weights are put back afterwards.
 */
export async function benchmarkPretraining(model: I2IModel, split: ClassSplit, batchSize: number, budget = DEFAULT_BUDGET): Promise<BenchmarkResult> {
  const saved = [model.encoder, model.decoder].map((part) => part.getWeights().map((w) => w.clone()));
  const trainer = new Pretrainer(model, split.retainTrain, { ...DEFAULT_PRETRAIN, batchSize, steps: stepsFor(budget), tasks: [model.card.tasks[0]] });
  try {
    return await benchmark('pretrain', batchSize, () => trainer.step(), budget);
  } finally {
    trainer.dispose();
    model.encoder.setWeights(saved[0]);
    model.decoder.setWeights(saved[1]);
    saved.flat().forEach((w) => w.dispose());
  }
}

export interface MemoryDrift {
  steps: number;
  /** Tensors and backend bytes after the first `settle` steps and after the last. */
  tensorsAtStart: number;
  tensorsAtEnd: number;
  bytesAtStart: number;
  bytesAtEnd: number;
}

/** Runs `steps` unlearning steps and reports whether tensors or backend memory grew after the first few. */
export async function unlearningMemoryDrift(model: I2IModel, split: ClassSplit, batchSize: number, steps: number, settle = 5): Promise<MemoryDrift> {
  const unlearner = new Unlearner(model, split.forgetTrain, split.retainTrain, { ...DEFAULT_UNLEARN, batchSize, steps });
  try {
    let start = tf.memory();
    for (let i = 1; i <= steps; i++) {
      await unlearner.step();
      if (i === settle) start = tf.memory();
    }
    const end = tf.memory();
    return { steps, tensorsAtStart: start.numTensors, tensorsAtEnd: end.numTensors, bytesAtStart: start.numBytes, bytesAtEnd: end.numBytes };
  } finally {
    unlearner.dispose();
  }
}

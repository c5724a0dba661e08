import type { ClassSplit } from './data/splits';
import type { I2IModel } from './models/types';
import { DEFAULT_PRETRAIN, Pretrainer } from './training/pretrain';
import { DEFAULT_UNLEARN } from './unlearning/settings';
import { Unlearner } from './unlearning/unlearner';

export interface BenchmarkBudget {
  /** Untimed first steps (shader compilation, memory pools). */
  warmupSteps: number;
  maxSteps: number;
  /** Stop timing once this much time has passed (at least two timed steps always run). */
  budgetMs: number;
}

export const DEFAULT_BUDGET: BenchmarkBudget = { warmupSteps: 2, maxSteps: 20, budgetMs: 20_000 };

export interface BenchmarkResult {
  task: 'unlearn' | 'pretrain';
  batchSize: number;
  steps: number;
  msPerStep: number;
  imagesPerSecond: number;
  warmupMs: number;
}

async function timeSteps(step: () => Promise<unknown>, task: BenchmarkResult['task'], batchSize: number, budget: BenchmarkBudget): Promise<BenchmarkResult> {
  const warmupStart = performance.now();
  for (let i = 0; i < budget.warmupSteps; i++) await step();
  const start = performance.now();
  let steps = 0;
  while (steps < 2 || (steps < budget.maxSteps && performance.now() - start < budget.budgetMs)) {
    await step();
    steps++;
  }
  const msPerStep = (performance.now() - start) / steps;
  return { task, batchSize, steps, msPerStep, imagesPerSecond: (1000 * batchSize) / msPerStep, warmupMs: start - warmupStart };
}

/** Times unlearning steps of `model` on the active backend; the encoder is restored afterwards. */
export async function benchmarkUnlearning(model: I2IModel, split: ClassSplit, batchSize: number, budget = DEFAULT_BUDGET): Promise<BenchmarkResult> {
  const unlearner = new Unlearner(model, split.forgetTrain, split.retainTrain, { ...DEFAULT_UNLEARN, batchSize, steps: budget.warmupSteps + budget.maxSteps });
  try {
    return await timeSteps(() => unlearner.step(), 'unlearn', batchSize, budget);
  } finally {
    unlearner.dispose();
  }
}

/**
 * Times whole-model training steps (encoder and decoder): what pretraining, or training an
 * original on one's own images, costs. The model's weights are put back afterwards.
 */
export async function benchmarkPretraining(model: I2IModel, split: ClassSplit, batchSize: number, budget = DEFAULT_BUDGET): Promise<BenchmarkResult> {
  const saved = [model.encoder, model.decoder].map((part) => part.getWeights().map((w) => w.clone()));
  const trainer = new Pretrainer(model, split.retainTrain, { ...DEFAULT_PRETRAIN, batchSize, steps: budget.warmupSteps + budget.maxSteps });
  try {
    return await timeSteps(() => trainer.step(), 'pretrain', batchSize, budget);
  } finally {
    trainer.dispose();
    model.encoder.setWeights(saved[0]);
    model.decoder.setWeights(saved[1]);
    saved.flat().forEach((w) => w.dispose());
  }
}

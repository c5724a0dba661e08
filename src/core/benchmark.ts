import type { ClassSplit } from './data/splits';
import type { I2IModel } from './models/types';
import { DEFAULT_UNLEARN } from './unlearning/settings';
import { Unlearner } from './unlearning/unlearner';

export interface BenchmarkResult {
  batchSize: number;
  steps: number;
  msPerStep: number;
  imagesPerSecond: number;
  /** The first steps, which compile shaders and grow memory pools, timed apart. */
  warmupMs: number;
}

/** Times unlearning steps of `model` on the active backend; the encoder is restored afterwards. */
export async function benchmarkUnlearning(model: I2IModel, split: ClassSplit, batchSize: number, steps: number, warmupSteps = 2): Promise<BenchmarkResult> {
  const unlearner = new Unlearner(model, split.forgetTrain, split.retainTrain, { ...DEFAULT_UNLEARN, batchSize, steps: steps + warmupSteps });
  try {
    const warmupStart = performance.now();
    for (let i = 0; i < warmupSteps; i++) await unlearner.step();
    const start = performance.now();
    for (let i = 0; i < steps; i++) await unlearner.step();
    const msPerStep = (performance.now() - start) / steps;
    return { batchSize, steps, msPerStep, imagesPerSecond: (1000 * batchSize) / msPerStep, warmupMs: start - warmupStart };
  } finally {
    unlearner.dispose();
  }
}

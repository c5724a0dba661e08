import { benchmarkPretraining, benchmarkUnlearning } from '../core/benchmark';
import { splitByClass } from '../core/data/splits';
import type { AnswerOf, BackendName, RequestOf } from '../shared/protocol';
import type { Job } from './jobs';
import type { Loaded } from './workspace';

/** Times steps on the active backend (`npm run bench`). The core's benchmark has no step hooks: a stop takes effect when it ends. */
export class BenchmarkJob implements Job {
  readonly busyMessage = 'a benchmark is running';
  readonly yields = false;

  constructor(
    private readonly request: RequestOf<'benchmark'>,
    private readonly loaded: Loaded,
    private readonly backend: BackendName,
    private readonly wasmThreads: () => number,
    private readonly answer: (answer: AnswerOf<'benchmark'>) => void,
  ) {}

  async run(): Promise<void> {
    const { request, loaded } = this;
    const split = splitByClass(loaded.dataset.train, loaded.dataset.test, request.forgetClasses);
    const measure = request.task === 'pretrain' ? benchmarkPretraining : benchmarkUnlearning;
    const result = await measure(loaded.model, split, request.batchSize, request.budget);
    this.answer({ type: 'benchmarkResult', backend: this.backend, wasmThreads: this.wasmThreads(), result });
  }
}

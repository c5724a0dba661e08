import * as tf from '@tensorflow/tfjs';
import { DivergenceWatch } from '../core/unlearning/divergence';
import type { UnlearningRun } from '../core/unlearning/run';
import type { Checkpoint, JobEvent, StartRequest } from '../shared/protocol';
import { driveSteps, type Job, type JobControl } from './jobs';
import { modelFiles } from './own-models';

/** An unlearning run: its steps, the live grid, then the held-out metrics; a run whose loss diverges ends at once, without them. */
export class RunJob implements Job {
  readonly busyMessage = 'an unlearning run is active';
  readonly yields = true;

  constructor(
    readonly runId: number,
    private readonly unlearning: UnlearningRun,
    private readonly request: Pick<StartRequest, 'previewIntervalMs'>,
    private readonly emit: (event: JobEvent) => void,
    /** Takes the run once it has ended: its model stays unlearned (export, preview) until a request needs the original. */
    private readonly onEnd: (run: UnlearningRun) => void,
  ) {}

  async run(control: JobControl): Promise<void> {
    try {
      await this.steps(control);
    } finally {
      this.onEnd(this.unlearning);
    }
  }

  private async steps(control: JobControl): Promise<void> {
    const { unlearning: run, runId } = this;
    const sampling = (done: number, total: number) => this.emit({ type: 'sampling', runId, done, total });
    const grid = async () => this.emit({ type: 'reconstructions', runId, step: run.unlearner.completedSteps, grid: await run.grid(sampling) });
    this.emit({ type: 'status', runId, status: 'running' });
    await grid();
    let lastPreview = performance.now();
    // Judged on the reports as they come in, a step or so behind the steps dispatched: no read-back waits for it.
    const watch = new DivergenceWatch();
    let diverged: string | undefined;
    try {
      await driveSteps(run.unlearner, control, {
        onReport: (report) => {
          this.emit({ type: 'progress', runId, report, tensors: tf.memory().numTensors });
          const why = diverged ? undefined : watch.observe(report.total);
          if (!why) return;
          diverged = `the run diverged at step ${report.step}: ${why}. Its result is not usable; lower the learning rate or α and start again`;
          control.stop('diverged');
        },
        wantsBoundary: () => performance.now() - lastPreview >= this.request.previewIntervalMs,
        atBoundary: async () => {
          if (performance.now() - lastPreview < this.request.previewIntervalMs) return;
          await grid();
          lastPreview = performance.now();
        },
        onPause: (paused) => this.emit({ type: 'status', runId, status: paused ? 'paused' : 'running' }),
      });
    } catch (error) {
      if (control.stopReason === 'diverged') {
        this.emit({ type: 'status', runId, status: 'diverged', reason: diverged });
        return;
      }
      // Making room for another request: end now, the metrics would cost minutes on a slow adapter.
      if (control.stopReason === 'preempt') this.emit({ type: 'status', runId, status: 'stopped' });
      if (control.stopReason !== 'stop') throw error;
    }
    // Metrics wait for the end: on a slow adapter they cost minutes the user would rather spend training.
    this.emit({ type: 'status', runId, status: 'evaluating' });
    await grid();
    this.emit({ type: 'metrics', runId, step: run.unlearner.completedSteps, metrics: await run.metrics() });
    this.emit({ type: 'status', runId, status: control.stopReason ? 'stopped' : 'finished' });
  }

  async checkpoint(): Promise<Checkpoint> {
    const { model, unlearner } = this.unlearning;
    return { type: 'checkpoint', kind: 'unlearn', model: model.card, files: await modelFiles(model), step: unlearner.completedSteps, state: await unlearner.checkpoint() };
  }
}

import * as tf from '@tensorflow/tfjs';
import type { UnlearningRun } from '../core/unlearning/run';
import { METHODS } from '../shared/methods';
import type { Checkpoint, JobEvent, MetricsReport, ModelFiles, StartRequest } from '../shared/protocol';
import { JobStopped, driveSteps, yieldToMessages, type Job, type JobControl } from './jobs';
import { modelFiles } from './own-models';

/** An unlearning run: its steps, the live grid, then the held-out metrics. */
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
    this.emit({ type: 'status', runId, status: 'running' });
    await this.grid();
    let lastPreview = performance.now();
    try {
      await driveSteps(run.unlearner, control, {
        onReport: (report) => this.emit({ type: 'progress', runId, report, tensors: tf.memory().numTensors }),
        wantsBoundary: () => performance.now() - lastPreview >= this.request.previewIntervalMs,
        atBoundary: async () => {
          if (performance.now() - lastPreview < this.request.previewIntervalMs) return;
          await this.grid();
          lastPreview = performance.now();
        },
        onPause: (paused) => this.emit({ type: 'status', runId, status: paused ? 'paused' : 'running' }),
      });
    } catch (error) {
      if (!(error instanceof JobStopped)) throw error;
    }
    // Kept with the run, so that its model can still be exported after a reload.
    this.emit({ type: 'unlearnedWeights', runId, step: run.unlearner.completedSteps, files: await this.trainedFiles() });
    // Metrics wait for the end: on a slow adapter they cost minutes the user would rather spend training.
    const metrics = control.skipsMetrics ? undefined : await this.evaluate(control);
    if (metrics) this.emit({ type: 'metrics', runId, step: run.unlearner.completedSteps, metrics });
    this.emit({ type: 'status', runId, status: control.stopReason ? 'stopped' : 'finished' });
  }

  private async grid(): Promise<void> {
    const { unlearning: run, runId } = this;
    const grid = await run.grid((done, total) => this.emit({ type: 'sampling', runId, done, total }));
    this.emit({ type: 'reconstructions', runId, step: run.unlearner.completedSteps, grid });
  }

  /** The last grid and the held-out metrics, with their progress; undefined once a stop without metrics (or a request needing the worker) cuts them short. */
  private async evaluate(control: JobControl): Promise<MetricsReport | undefined> {
    const { unlearning: run, runId } = this;
    this.emit({ type: 'status', runId, status: 'evaluating' });
    try {
      await this.grid();
      return await run.metrics(async (done, total) => {
        this.emit({ type: 'evaluationProgress', runId, done, total });
        // Lets a stop in between two batches: on cpu and wasm nothing else would until the end.
        await yieldToMessages();
        if (control.skipsMetrics) throw new JobStopped(control.stopReason!);
      });
    } catch (error) {
      if (error instanceof JobStopped) return undefined;
      throw error;
    }
  }

  /** The files of the parts the run's method trained; the rest of its model is the original's. */
  private async trainedFiles(): Promise<ModelFiles> {
    const parts = METHODS.find((m) => m.id === this.unlearning.unlearner.settings.method)?.trains === 'encoder' ? ['encoder'] : ['encoder', 'decoder'];
    const files = await modelFiles(this.unlearning.model);
    return Object.fromEntries(Object.entries(files).filter(([name]) => parts.includes(name.split('.')[0])));
  }

  async checkpoint(): Promise<Checkpoint> {
    const { model, unlearner } = this.unlearning;
    return { type: 'checkpoint', kind: 'unlearn', model: model.card, files: await modelFiles(model), step: unlearner.completedSteps, state: await unlearner.checkpoint() };
  }
}

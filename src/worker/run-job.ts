import * as tf from '@tensorflow/tfjs';
import { CalibrationMeter, StopAtTarget } from '../core/unlearning/calibration';
import { DivergenceWatch } from '../core/unlearning/divergence';
import type { UnlearningRun } from '../core/unlearning/run';
import { METHODS } from '../shared/methods';
import type { CalibrationTarget, Checkpoint, JobEvent, MetricsReport, ModelFiles, StartRequest } from '../shared/protocol';
import { JobStopped, driveSteps, yieldToMessages, type Job, type JobControl } from './jobs';
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
    /** Stop at target: the forget quality to stop at and the steps between measurements. */
    private readonly calibration?: { target: CalibrationTarget; every: number },
  ) {}

  /** Why the run diverged, once it has. */
  private diverged?: string;

  async run(control: JobControl): Promise<void> {
    let usable = false;
    try {
      await this.steps(control);
      usable = this.diverged === undefined;
    } finally {
      // A run that diverged or failed leaves nothing worth exporting: the model gets its original weights back at once.
      if (usable) this.onEnd(this.unlearning);
      else this.unlearning.dispose();
    }
  }

  private async steps(control: JobControl): Promise<void> {
    const { unlearning: run, runId } = this;
    this.emit({ type: 'status', runId, status: 'running' });
    await this.grid();
    let lastPreview = performance.now();
    // Judged on the reports as they come in, a step or so behind the steps dispatched: no read-back waits for it.
    const watch = new DivergenceWatch();
    const meter = await this.calibrationMeter();
    const measuresNow = () => meter !== undefined && !run.unlearner.done && meter.rule.measuresAfter(run.unlearner.completedSteps);
    try {
      if (meter?.rule.reached) control.stop('target');
      await driveSteps(run.unlearner, control, {
        onReport: (report) => {
          this.emit({ type: 'progress', runId, report, tensors: tf.memory().numTensors });
          const why = this.diverged ? undefined : watch.observe(report.total);
          if (!why) return;
          this.diverged = `the run diverged at step ${report.step}: ${why}. Its result is not usable; lower the learning rate or α and start again`;
          control.stop('diverged');
        },
        wantsBoundary: () => measuresNow() || performance.now() - lastPreview >= this.request.previewIntervalMs,
        atBoundary: async () => {
          // The measurement needs the weights with no step in flight: a boundary is the one place.
          if (measuresNow() && (await meter!.afterStep(run.unlearner.completedSteps))) control.stop('target');
          if (performance.now() - lastPreview < this.request.previewIntervalMs) return;
          await this.grid();
          lastPreview = performance.now();
        },
        onPause: (paused) => this.emit({ type: 'status', runId, status: paused ? 'paused' : 'running' }),
      });
    } catch (error) {
      if (!(error instanceof JobStopped)) throw error;
      if (control.stopReason === 'diverged') {
        // No weights worth keeping and no metrics worth computing: the run says why and ends.
        this.emit({ type: 'status', runId, status: 'diverged', reason: this.diverged });
        return;
      }
    }
    if (meter && (control.stopReason === 'target' || run.unlearner.done)) {
      this.emit({ type: 'calibrationEnd', runId, step: run.unlearner.completedSteps, reason: meter.rule.reason });
    }
    // Kept with the run, so that its model can still be exported after a reload.
    this.emit({ type: 'unlearnedWeights', runId, step: run.unlearner.completedSteps, files: await this.trainedFiles() });
    // Metrics wait for the end: on a slow adapter they cost minutes the user would rather spend training.
    const metrics = control.skipsMetrics ? undefined : await this.evaluate(control);
    if (metrics) {
      this.emit({ type: 'metrics', runId, step: run.unlearner.completedSteps, metrics });
      const noiseLevels = await run.noiseLevels();
      if (noiseLevels) this.emit({ type: 'noiseLevels', runId, noiseLevels });
    }
    // Reaching the target is how a calibrated run finishes.
    this.emit({ type: 'status', runId, status: control.stopReason && control.stopReason !== 'target' ? 'stopped' : 'finished' });
  }

  /** For a calibrated run: announces the target and the original's quality, and measures where the run starts. */
  private async calibrationMeter(): Promise<CalibrationMeter | undefined> {
    if (!this.calibration) return undefined;
    const { unlearning: run, runId } = this;
    const { target, every } = this.calibration;
    const original = await run.originalCalibrationQuality();
    this.emit({ type: 'calibrationTarget', runId, target, original });
    const meter = new CalibrationMeter(new StopAtTarget(target, every), () => run.calibrationQuality(), (point) => this.emit({ type: 'calibration', runId, point }));
    // A fresh run's first point is the original, already measured; a resumed one's is where it resumes.
    const step = run.unlearner.completedSteps;
    if (step === 0) meter.known({ step, ...original });
    else await meter.afterStep(step);
    return meter;
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
    const { model, unlearner } = this.unlearning;
    const parts = METHODS.find((m) => m.id === unlearner.settings.method)?.trains === 'encoder' ? (['encoder'] as const) : (['encoder', 'decoder'] as const);
    const files: ModelFiles = {};
    // Only those parts are read back (a frozen decoder is the original's); copies, so they can be transferred.
    for (const part of parts) await model[part].save(part, async (name, bytes) => void (files[name] = bytes.slice()));
    return files;
  }

  async checkpoint(): Promise<Checkpoint> {
    const { model, unlearner } = this.unlearning;
    return { type: 'checkpoint', kind: 'unlearn', model: model.card, files: await modelFiles(model), step: unlearner.completedSteps, state: await unlearner.checkpoint() };
  }
}

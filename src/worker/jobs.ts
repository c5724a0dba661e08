/**
 * The worker's one job slot: the job that is running (an unlearning run, the training of an
 * original, a comparison, a benchmark) and the one way to pause, resume and stop it.
 */
import type { Checkpoint } from '../shared/protocol';

/**
 * Why a job was stopped: by the user (a run still computes its metrics), to make room for a
 * request, by its own loss diverging, or by a calibrated run reaching its target (it then finishes).
 */
export type StopReason = 'stop' | 'preempt' | 'diverged' | 'target';

/** Thrown out of a job at a step boundary once it is stopped. */
export class JobStopped extends Error {
  constructor(readonly reason: StopReason) {
    super({ stop: 'stopped', preempt: 'stopped to make room for another request', diverged: 'stopped: the loss diverged', target: 'stopped: the forget set reached its target' }[reason]);
  }
}

/** Lets queued messages in between steps: on cpu and wasm a read-back resolves without a task boundary. */
export const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Pause, resume and stop of one job through one AbortSignal, plus work that must run between two
 * steps (a checkpoint): a job reaches `settle()` only with no step in flight.
 */
export class JobControl {
  private readonly controller = new AbortController();
  private paused = false;
  private wake?: () => void;
  private stepping = false;
  private readonly quietWork: (() => Promise<void>)[] = [];
  private metricsUnwanted = false;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopReason(): StopReason | undefined {
    return this.signal.aborted ? (this.signal.reason as StopReason) : undefined;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** `withoutMetrics`: a run skips its metrics, or cuts them short (a second stop may ask it, as Cancel during the evaluation does). */
  stop(reason: StopReason, withoutMetrics = false): void {
    this.metricsUnwanted ||= withoutMetrics || reason === 'preempt';
    if (!this.signal.aborted) this.controller.abort(reason);
    this.wake?.();
  }

  /** Stopped without metrics, or to make room for another request: the metrics would cost minutes on a slow adapter. */
  get skipsMetrics(): boolean {
    return this.metricsUnwanted;
  }

  /** The step loop should let its steps in flight finish and come to `settle()`. */
  get holding(): boolean {
    return this.paused || this.signal.aborted || this.quietWork.length > 0;
  }

  /**
   * At a step boundary (nothing in flight): runs the queued between-steps work, waits while
   * paused, and throws JobStopped once stopped. `onPause` hears each pause and resume.
   */
  async settle(onPause: (paused: boolean) => void = () => {}): Promise<void> {
    await this.runQuietWork();
    if (this.paused && !this.signal.aborted) {
      onPause(true);
      while (this.paused && !this.signal.aborted) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        await this.runQuietWork();
      }
      if (!this.signal.aborted) onPause(false);
    }
    if (this.signal.aborted) throw new JobStopped(this.signal.reason as StopReason);
  }

  /** Runs `work` between two steps: at once when the job is not stepping, else at its next step boundary. */
  atStepBoundary<T>(work: () => Promise<T>): Promise<T> {
    if (!this.stepping) return work();
    return new Promise<T>((resolve, reject) => {
      this.quietWork.push(() => work().then(resolve, reject));
      this.wake?.();
    });
  }

  /** Marks the stretch in which steps are in flight; queued work left at its end runs then. */
  async whileStepping<T>(loop: () => Promise<T>): Promise<T> {
    this.stepping = true;
    try {
      return await loop();
    } finally {
      this.stepping = false;
      await this.runQuietWork();
    }
  }

  private async runQuietWork(): Promise<void> {
    while (this.quietWork.length) await this.quietWork.shift()!();
  }
}

/** A trainer whose `step()` dispatches its work at once and may be called again before the last report is in (steps run in order). */
export interface Stepper<R> {
  readonly done: boolean;
  step(): Promise<R>;
}

/**
 * Drives `trainer` to its end with one step in flight: step k+1 is dispatched before step k's
 * report is awaited, so a GPU never idles on a read-back. Every step in flight is awaited before
 * pausing, between-steps work (`wantsBoundary`, checkpoints) or stopping. Resolves when done;
 * throws JobStopped when stopped.
 */
export async function driveSteps<R>(
  trainer: Stepper<R>,
  control: JobControl,
  hooks: { onReport(report: R): void; wantsBoundary?(): boolean; atBoundary?(): Promise<void>; onPause?(paused: boolean): void },
): Promise<void> {
  await control.whileStepping(async () => {
    let inFlight: Promise<R> | undefined;
    for (;;) {
      if (!inFlight) {
        // A step boundary: nothing in flight.
        if (!control.signal.aborted) await hooks.atBoundary?.();
        await control.settle(hooks.onPause);
        if (trainer.done) return;
        inFlight = trainer.step();
      }
      const holding = control.holding || Boolean(hooks.wantsBoundary?.());
      const next = !trainer.done && !holding ? trainer.step() : undefined;
      let report: R;
      try {
        report = await inFlight;
      } catch (error) {
        // The step after it fails too (a lost device fails both): wait for it, so no rejection goes unheard.
        await next?.catch(() => undefined);
        throw error;
      }
      hooks.onReport(report);
      await yieldToMessages();
      inFlight = next;
    }
  });
}

/** What every job is to the slot. */
export interface Job {
  /** Why another request is refused while this job runs (a job that yields is stopped instead). */
  readonly busyMessage: string;
  /** An unlearning run gives way to a request that needs the model; a training or a comparison must be waited for or stopped. */
  readonly yields: boolean;
  /** Runs to the end, or until `control` stops it; whatever it holds is released when this settles. */
  run(control: JobControl): Promise<void>;
  /** Its weights and state after the steps done; called between steps. */
  checkpoint?(): Promise<Checkpoint>;
}

export class JobSlot {
  private current?: { job: Job; control: JobControl; ended: Promise<void> };

  get job(): Job | undefined {
    return this.current?.job;
  }

  /** Puts `job` in the (empty) slot and runs it; `onFailure` hears an error it ends with. */
  start(job: Job, onFailure: (error: unknown) => void): void {
    if (this.current) throw new Error(this.current.job.busyMessage);
    const control = new JobControl();
    const entry = {
      job,
      control,
      // Started after the caller's answer (e.g. runStarted) is posted, so the job's events follow it.
      ended: Promise.resolve()
        .then(() => job.run(control))
        .catch((error) => {
          if (!(error instanceof JobStopped)) onFailure(error);
        })
        .finally(() => {
          if (this.current === entry) this.current = undefined;
        }),
    };
    this.current = entry;
  }

  /** Empties the slot for a request that needs the worker: stops a job that yields and waits for it, refuses while another runs. */
  async clear(): Promise<void> {
    const entry = this.current;
    if (!entry) return;
    if (!entry.job.yields) throw new Error(entry.job.busyMessage);
    entry.control.stop('preempt');
    await entry.ended;
  }

  control(action: 'pause' | 'resume' | 'stop', withoutMetrics = false): void {
    const entry = this.current;
    if (!entry) throw new Error('nothing is running');
    if (action === 'stop') entry.control.stop('stop', withoutMetrics);
    else entry.control[action]();
  }

  /** A checkpoint of the job in the slot, taken at its next step boundary. */
  checkpoint(): Promise<Checkpoint> | undefined {
    const entry = this.current;
    if (!entry?.job.checkpoint) return undefined;
    return entry.control.atStepBoundary(() => entry.job.checkpoint!());
  }
}

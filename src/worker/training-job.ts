import * as tf from '@tensorflow/tfjs';
import type { I2IModel } from '../core/models/types';
import type { BackendName, Checkpoint, JobEvent } from '../shared/protocol';
import { JobStopped, driveSteps, type Job, type JobControl } from './jobs';
import type { OriginalTraining } from './own-models';

/** The training of an original on the user's images: it owns the worker until the model is saved. */
export class TrainingJob implements Job {
  readonly busyMessage = 'an original model is training on your images: wait for it or stop it first';
  readonly yields = false;

  constructor(
    readonly runId: number,
    private readonly training: OriginalTraining,
    private readonly backend: BackendName,
    private readonly emit: (event: JobEvent) => void,
    /** Makes the trained model the loaded one. */
    private readonly adopt: (model: I2IModel) => void,
  ) {}

  async run(control: JobControl): Promise<void> {
    const { training, runId } = this;
    try {
      this.emit({ type: 'status', runId, status: 'running' });
      try {
        await driveSteps(training, control, {
          onReport: (report) => this.emit({ type: 'trainProgress', runId, report, tensors: tf.memory().numTensors }),
          onPause: (paused) => this.emit({ type: 'status', runId, status: paused ? 'paused' : 'running' }),
        });
      } catch (error) {
        if (!(error instanceof JobStopped)) throw error;
      }
      // Saving and reloading: the studio shows it as evaluating.
      this.emit({ type: 'status', runId, status: 'evaluating' });
      const { model, saveError } = await training.finish(this.backend);
      this.adopt(model);
      this.emit({ type: 'trainedModel', runId, model: model.card });
      if (saveError) this.emit({ type: 'error', runId, message: `the trained model is loaded for this session but was not saved: ${saveError}` });
      this.emit({ type: 'status', runId, status: control.stopReason ? 'stopped' : 'finished' });
    } finally {
      training.dispose();
    }
  }

  async checkpoint(): Promise<Checkpoint> {
    const { step, files, state } = await this.training.checkpoint();
    return { type: 'checkpoint', kind: 'train-original', model: this.training.model.card, files, step, state };
  }
}

import * as tf from '@tensorflow/tfjs';
import type { I2IModel, ModelPart, TaskBatch } from '../../models/types';

/** What the whole-model baselines share: they train the decoder as well as the encoder. */
export class WholeModel {
  readonly variables: tf.Variable[];

  constructor(
    readonly model: I2IModel,
    private readonly teacher: ModelPart,
    private readonly originalDecoder: ModelPart,
  ) {
    this.variables = [...model.encoder.variables, ...model.decoder.variables];
  }

  /** L_task per image with the model's current encoder and decoder. */
  taskLoss(batch: TaskBatch): tf.Tensor1D {
    return this.model.taskLoss(batch);
  }

  /** Noisy Label's task loss per image: the first `noise.shape[0]` samples learn noise targets. */
  noisyLabelLoss(batch: TaskBatch, noise: tf.Tensor4D): tf.Tensor1D {
    return this.model.noisyLabelLoss(batch, noise);
  }

  /** The model's one-pass prediction. */
  output(batch: TaskBatch): tf.Tensor {
    return this.model.predict(batch);
  }

  /** The frozen original's one-pass prediction. */
  originalOutput(batch: TaskBatch): tf.Tensor {
    return this.model.predict(batch, { encoder: this.teacher, decoder: this.originalDecoder });
  }
}

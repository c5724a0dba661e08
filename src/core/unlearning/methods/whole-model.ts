import * as tf from '@tensorflow/tfjs';
import type { I2IModel } from '../../models/types';
import { encoderVariables } from './method';

/** What the whole-model baselines share: they train the decoder as well as the encoder. */
export class WholeModel {
  readonly variables: tf.Variable[];

  constructor(
    private readonly model: I2IModel,
    private readonly teacher: tf.LayersModel,
    private readonly originalDecoder: tf.LayersModel,
  ) {
    this.variables = [...encoderVariables(model), ...model.decoder.trainableWeights.map((w) => w.read() as tf.Variable)];
  }

  /** D_φ(E_θ(input)), `input` already transformed by the task. */
  output(input: tf.Tensor4D): tf.Tensor4D {
    return this.model.decode(this.model.encode(input));
  }

  /** D_φ0(E_θ0(input)): the frozen original's output. */
  originalOutput(input: tf.Tensor4D): tf.Tensor4D {
    return this.model.decode(this.model.encode(input, this.teacher), this.originalDecoder);
  }
}

import * as tf from '@tensorflow/tfjs';
import { saveLayers, type WriteFile } from './io';
import type { ModelPart } from './types';

/** Seeded so that training repeats exactly on every backend (tfjs reads seed 0 as "unseeded", hence +1). */
export function seededInitializer(seed: number) {
  return tf.initializers.glorotUniform({ seed: seed + 1 });
}

/** 3x3 ReLU convs, the first at stride 1 and each later one halving the resolution; layer i is seeded with seed + i. */
export function stridedConvStack(input: tf.SymbolicTensor, widths: number[], seed: number, namePrefix: string): tf.SymbolicTensor {
  let x = input;
  widths.forEach((filters, i) => {
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        strides: i === 0 ? 1 : 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seededInitializer(seed + i),
        name: `${namePrefix}${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
  });
  return x;
}

/** A tfjs-layers model as a ModelPart (the conv families are plain layers models). */
export class LayersPart implements ModelPart {
  constructor(readonly model: tf.LayersModel) {}

  /** Every weight, whatever the layers' `trainable` flags: a part is frozen by leaving it out of the optimiser. */
  get variables(): tf.Variable[] {
    return this.model.weights.map((w) => w.read() as tf.Variable);
  }

  getWeights(): tf.Tensor[] {
    return this.model.getWeights();
  }

  setWeights(weights: tf.Tensor[]): void {
    this.model.setWeights(weights);
  }

  save(name: string, write: WriteFile): Promise<void> {
    return saveLayers(this.model, name, write);
  }

  dispose(): void {
    this.model.dispose();
  }
}

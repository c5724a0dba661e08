import * as tf from '@tensorflow/tfjs';

/**
 * tfjs's gradients of Sum and Mean multiply dy by `ones(x.shape)`, which is filled on the host
 * and uploaded at every backward pass (MB per step for a transformer's layer norms). These
 * replacements make the ones on the backend instead: the same values, bit for bit, no upload.
 */
function broadcastGradient(kernelName: 'Sum' | 'Mean'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const expandedShape = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
      const reduceSize = axes.reduce((product, axis) => product * x.shape[axis], 1);
      return {
        x: () => {
          // onesLike is filled by a kernel on the backend (broadcastTo's Tile is slow on wasm).
          const spread = tf.mul(tf.reshape(dy as tf.Tensor, expandedShape), tf.onesLike(x));
          return kernelName === 'Mean' ? tf.div(spread, reduceSize) : spread;
        },
      };
    },
  };
}

let registered = false;

/** Registers the gradients above (idempotent); the Unlearner and the Pretrainer call it. */
export function useDeviceGradients(): void {
  if (registered) return;
  tf.registerGradient(broadcastGradient('Sum'));
  tf.registerGradient(broadcastGradient('Mean'));
  registered = true;
}

import type * as tf from '@tensorflow/tfjs';
import type { CentreHoleTask } from '../tasks/hole';

/** What a shipped or trained model says about itself (written next to its weights). */
export interface ModelCard {
  id: string;
  family: 'conv-inpainting-ae';
  title: string;
  dataset: string;
  height: number;
  width: number;
  channels: number;
  task: CentreHoleTask;
  architecture: Record<string, number | string | number[]>;
  /** Classes left out of training: set on a model retrained from scratch without a forget set. */
  excludedClasses?: number[];
  training?: {
    steps: number;
    batchSize: number;
    seed: number;
    finalLoss: number;
    seconds: number;
    backend: string;
  };
  evaluation?: {
    heldOutImages: number;
    holePsnr: number;
    holeMse: number;
    meanImageHolePsnr: number;
    meanImageHoleMse: number;
  };
}

/** An encoder and a decoder to run a model with: the model's own, or the frozen original's. */
export interface ModelParts {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
}

/**
 * An image-to-image model split the way the unlearning method needs: only the encoder is
 * trained; the decoder stays frozen. The encoder output is a list so that families with
 * several feature maps (U-Net down blocks) fit the same objective.
 */
export interface I2IModel {
  readonly card: ModelCard;
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  /** E(T(x)): `input` is already transformed by the task. */
  encode(input: tf.Tensor4D, encoder?: tf.LayersModel): tf.Tensor[];
  decode(latent: tf.Tensor[], decoder?: tf.LayersModel): tf.Tensor4D;
  /** A frozen copy of the current encoder (the teacher E_θ0). */
  cloneEncoder(): tf.LayersModel;
  /** A frozen copy of the current decoder (D_φ0, for methods that train the decoder too). */
  cloneDecoder(): tf.LayersModel;
  dispose(): void;
}

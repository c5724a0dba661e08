import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import type { I2IModel } from '../models/types';
import { syntheticImages } from '../backend/parity';
import { sameBits, smallModel, useBackend, weightsOf } from '../testing/fixtures';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { Unlearner, type UnlearnerState } from './unlearner';

const forget = syntheticImages(20, 28, 21);
const retain = syntheticImages(28, 28, 22);
const STEPS = 8;
const CUT = 3;

const weightsOfModel = (model: I2IModel) => [...weightsOf(model.encoder), ...weightsOf(model.decoder)];

/** Puts `values` (as weightsOfModel reads them) into the model's encoder and decoder. */
function setWeights(model: I2IModel, values: Float32Array[]): void {
  let next = 0;
  for (const part of [model.encoder, model.decoder]) {
    const tensors = part.getWeights().map((w) => tf.tensor(values[next++], w.shape));
    part.setWeights(tensors);
    tf.dispose(tensors);
  }
}

/** Steps to the end with one step in flight, as the worker drives them. */
async function pipelined(unlearner: Unlearner): Promise<void> {
  let inFlight = unlearner.step();
  while (!unlearner.done) {
    const next = unlearner.step();
    await inFlight;
    inFlight = next;
  }
  await inFlight;
}

describe.each(['cpu', 'wasm'] as const)('a run resumed from its checkpoint on %s', (backend) => {
  test.each(['paper', 'max-loss'] as const)('ends bitwise identical to the same run uninterrupted (%s)', async (method) => {
    await useBackend(backend);
    // Batches of 6 from sets of 10 forget and 28 retain images: the cut falls inside a pass over each set.
    const settings = { ...DEFAULT_UNLEARN, method, steps: STEPS, batchSize: 6, learningRate: 1e-2, warmupFraction: 0.25 };
    const whole = smallModel();
    const original = weightsOfModel(whole);
    const uninterrupted = new Unlearner(whole, forget, retain, settings);
    for (let i = 0; i < STEPS; i++) await uninterrupted.step();
    const expected = weightsOfModel(whole);

    const model = smallModel();
    setWeights(model, original);
    const first = new Unlearner(model, forget, retain, settings);
    for (let i = 0; i < CUT; i++) await first.step();
    // What a checkpoint holds, through a structured clone as postMessage and IndexedDB make it.
    const weights = weightsOfModel(model);
    const state: UnlearnerState = structuredClone(await first.checkpoint());
    expect(state.step).toBe(CUT);
    first.dispose();
    expect(sameBits(weightsOfModel(model), original)).toBe(true);

    const resumed = new Unlearner(model, forget, retain, settings);
    setWeights(model, weights);
    resumed.restore(state);
    expect(resumed.completedSteps).toBe(CUT);
    await pipelined(resumed);
    expect(resumed.completedSteps).toBe(STEPS);
    expect(sameBits(weightsOfModel(model), expected)).toBe(true);
    // And the run did move the weights: the comparison is not between two untouched models.
    expect(sameBits(expected, original)).toBe(false);
    [uninterrupted, resumed].forEach((u) => u.dispose());
    [whole, model].forEach((m) => m.dispose());
  });
});

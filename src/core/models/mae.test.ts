import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { batchTensor } from '../data/image-set';
import { drawMask } from '../tasks/masks';
import { TASK_IDS, TASKS, type TaskId } from '../../shared/tasks';
import { sameBits, useBackend } from '../testing/fixtures';
import { DEFAULT_PRETRAIN, Pretrainer } from '../training/pretrain';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { Unlearner } from '../unlearning/unlearner';
import { loadModel, saveModel } from './families';
import { DEFAULT_MAE, MaeModel, maeArchitecture, maeFamily, type MaeConfig } from './mae';
import type { ModelCard, TaskBatch } from './types';

const TINY: MaeConfig = { ...DEFAULT_MAE, dim: 16, depth: 1, heads: 2, mlpRatio: 2, decoderDim: 16, decoderDepth: 1, decoderHeads: 2 };
const data = syntheticImages(32, 28, 3);

function tinyCard(config: MaeConfig = TINY): ModelCard {
  return {
    id: 'test-mae',
    family: 'mae',
    title: 'test',
    dataset: 'synthetic',
    height: 28,
    width: 28,
    channels: 1,
    tasks: TASK_IDS.map((id) => TASKS[id]),
    architecture: maeArchitecture(config),
  };
}

const tinyMae = (config?: MaeConfig) => maeFamily.create(tinyCard(config)) as MaeModel;

function taskBatch(task: TaskId, indices = [0, 1, 2, 3], seed = 9): TaskBatch {
  const images = batchTensor(data, indices);
  return { images, mask: drawMask(TASKS[task], indices.length, 28, 28, seed), seed };
}

const bitsOf = (variables: tf.Variable[]) => variables.map((v) => v.dataSync().slice() as Float32Array);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

beforeAll(() => useBackend('wasm'));

describe('MAE', () => {
  test('patchify lists patches in raster order and unpatchify inverts it', () => {
    const model = tinyMae();
    // Pixel value = index of the 4x4 patch it lies in.
    const image = tf.tensor4d(Array.from({ length: 28 * 28 }, (_, i) => Math.floor(Math.floor(i / 28) / 4) * 7 + Math.floor((i % 28) / 4)), [1, 28, 28, 1]);
    const patches = model.patchify(image);
    expect(patches.shape).toEqual([1, 49, 16]);
    const tokens = patches.arraySync()[0];
    tokens.forEach((token, i) => expect(token).toEqual(new Array(16).fill(i)));
    expect(values(model.unpatchify(patches))).toEqual(values(image));
    tf.dispose([image, patches]);
    model.dispose();
  });

  test.each([
    ['centre-25', 48],
    ['centre-50', 40],
    ['outpaint', 25],
    ['patches', 24],
  ] as [TaskId, number][])('%s: the encoder sees the %i tokens with a visible pixel, and only the visible pixels', (task, visible) => {
    const model = tinyMae();
    const batch = taskBatch(task);
    const [latent] = model.encode(batch);
    expect(latent.shape).toEqual([4, visible, TINY.dim]);
    // Changing hidden pixels leaves the encoding bitwise unchanged; changing a visible one does not.
    const hiddenChanged = tf.add(batch.images, tf.mul(batch.mask, 0.5)) as tf.Tensor4D;
    const [same] = model.encode({ ...batch, images: hiddenChanged });
    expect(sameBits([same.dataSync() as Float32Array], [latent.dataSync() as Float32Array])).toBe(true);
    const visibleChanged = tf.add(batch.images, tf.mul(tf.sub(1, batch.mask), 0.5)) as tf.Tensor4D;
    const [moved] = model.encode({ ...batch, images: visibleChanged });
    expect(values(moved)).not.toEqual(values(latent));
    expect(model.predict(batch).shape).toEqual([4, 28, 28, 1]);
    tf.dispose([latent, same, moved, hiddenChanged, visibleChanged, batch.images, batch.mask]);
    model.dispose();
  });

  test('a patch is dropped only when all of its pixels are hidden', () => {
    const model = tinyMae();
    const mask = tf.buffer([2, 28, 28, 1]);
    // Image 0: patch (1, 2) wholly hidden, patch (0, 0) all but one pixel. Image 1: the last patch wholly hidden.
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
      mask.set(1, 0, 4 + y, 8 + x, 0);
      if (y + x > 0) mask.set(1, 0, y, x, 0);
      mask.set(1, 1, 24 + y, 24 + x, 0);
    }
    const { select, hidden } = model.tokenLayout(mask.toTensor() as tf.Tensor4D);
    expect(select.shape).toEqual([2, 48, 49]);
    const hiddenTokens = hidden.arraySync().map((rows) => rows.flatMap((v, i) => (v[0] === 1 ? [i] : [])));
    expect(hiddenTokens).toEqual([[7 + 2], [48]]);
    // Every selected row is one visible token, in raster order.
    const picked = select.arraySync().map((rows) => rows.map((row) => row.indexOf(1)));
    expect(picked[0]).toEqual([...Array(49).keys()].filter((i) => i !== 9));
    tf.dispose([select, hidden]);
    model.dispose();
  });

  test('sizes its sequence from the batch task without reading the mask back, with the same encoding', () => {
    const model = tinyMae();
    // Engine-level reads are what Tensor.dataSync does (kernels may read their own inputs on wasm).
    const engine = tf.engine() as unknown as { readSync: (...args: unknown[]) => unknown };
    const readSync = engine.readSync;
    for (const id of TASK_IDS) {
      const batch = taskBatch(id);
      const [counted] = model.encode(batch);
      let reads = 0;
      engine.readSync = (...args) => (reads++, readSync.apply(engine, args));
      const [fromTask] = model.encode({ ...batch, task: TASKS[id] });
      engine.readSync = readSync;
      expect(reads, id).toBe(0);
      expect(sameBits([fromTask.dataSync() as Float32Array], [counted.dataSync() as Float32Array]), id).toBe(true);
      tf.dispose([counted, fromTask, batch.images, batch.mask]);
    }
    model.dispose();
  });

  test('refuses a batch whose images leave different numbers of tokens visible', () => {
    const model = tinyMae();
    const mask = tf.buffer([2, 28, 28, 1]);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) mask.set(1, 0, y, x, 0);
    const images = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    expect(() => model.encode({ images, mask: mask.toTensor() as tf.Tensor4D, seed: 1 })).toThrow(/same number of tokens/);
    model.dispose();
  });

  test("the forget target is the teacher's encoding of the noise's visible tokens under the forget batch's layout", () => {
    const model = tinyMae();
    const teacher = model.cloneEncoder();
    const batch = taskBatch('patches');
    const noise = tf.randomUniform(batch.images.shape, 0, 1, 'float32', 4) as tf.Tensor4D;
    const [target] = model.forgetTarget(batch, noise, teacher);
    const [student] = model.encode(batch);
    expect(target.shape).toEqual(student.shape);
    // Only the noise's visible pixels count: with the forget images under the mask the target is the same.
    const mixed = tf.add(tf.mul(noise, tf.sub(1, batch.mask)), tf.mul(batch.images, batch.mask)) as tf.Tensor4D;
    const [again] = model.encode({ ...batch, images: mixed }, teacher);
    expect(sameBits([again.dataSync() as Float32Array], [target.dataSync() as Float32Array])).toBe(true);
    expect(values(target)).not.toEqual(values(student));
    tf.dispose([noise, target, student, mixed, again, batch.images, batch.mask]);
    teacher.dispose();
    model.dispose();
  });

  test('reconstruct keeps the visible pixels and takes the decoder output in the hidden ones', async () => {
    const model = tinyMae();
    const batch = taskBatch('centre-50');
    const output = await model.reconstruct(batch);
    const predicted = model.predict(batch);
    const [out, pred, truth, mask] = [output, predicted, batch.images, batch.mask].map((t) => t.dataSync());
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(mask[i] === 1 ? pred[i] : truth[i], 6);
    tf.dispose([output, predicted, batch.images, batch.mask]);
    model.dispose();
  });

  test('one training step on wasm gives every parameter a finite, non-zero gradient', () => {
    const model = tinyMae();
    const batch = taskBatch('outpaint');
    const variables = [...model.encoder.variables, ...model.decoder.variables];
    const { value, grads } = tf.variableGrads(() => tf.mean(model.taskLoss(batch, model, 4)) as tf.Scalar, variables);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const v of variables) {
      const g = grads[v.name].dataSync();
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.some((x) => x !== 0)).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads), batch.images, batch.mask]);
    model.dispose();
  });

  test('pretraining on all four tasks lowers the loss without leaking tensors', async () => {
    const model = tinyMae();
    const trainer = new Pretrainer(model, data, { ...DEFAULT_PRETRAIN, steps: 60, batchSize: 8, warmupSteps: 5, learningRate: 5e-3 });
    const losses = [await trainer.step()];
    const tensors = tf.memory().numTensors;
    for (let i = 1; i < 60; i++) losses.push(await trainer.step());
    expect(tf.memory().numTensors).toBe(tensors);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) * 0.6);
    trainer.dispose();
    model.dispose();
  });

  test('three training steps on wasm match cpu', async () => {
    const losses = async () => {
      const model = tinyMae();
      const trainer = new Pretrainer(model, data, { ...DEFAULT_PRETRAIN, steps: 10, batchSize: 4 });
      const out = [await trainer.step(), await trainer.step(), await trainer.step()];
      trainer.dispose();
      model.dispose();
      return out;
    };
    await useBackend('cpu');
    const cpu = await losses();
    await useBackend('wasm');
    const wasm = await losses();
    wasm.forEach((loss, i) => expect(Math.abs(loss - cpu[i]) / cpu[i]).toBeLessThan(1e-4));
  });

  test.each(['patches', 'centre-25'] as TaskId[])("the paper's method on %s moves the encoder only, with a steady tensor count", async (task) => {
    const model = tinyMae();
    const encoderBefore = bitsOf(model.encoder.variables);
    const decoderBefore = bitsOf(model.decoder.variables);
    const unlearner = new Unlearner(model, syntheticImages(16, 28, 11), syntheticImages(16, 28, 12), { ...DEFAULT_UNLEARN, task, steps: 20, batchSize: 8, learningRate: 1e-2 });
    const teacherBefore = bitsOf(unlearner.teacher.variables);
    const first = await unlearner.step();
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 1; i < 20; i++) last = await unlearner.step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(sameBits(bitsOf(model.decoder.variables), decoderBefore)).toBe(true);
    expect(sameBits(bitsOf(unlearner.teacher.variables), teacherBefore)).toBe(true);
    bitsOf(model.encoder.variables).forEach((w, i) => expect(sameBits([w], [encoderBefore[i]])).toBe(false));
    expect(last.weightedForgetLoss).toBeLessThan(first.weightedForgetLoss);
    unlearner.dispose();
    expect(sameBits(bitsOf(model.encoder.variables), encoderBefore)).toBe(true);
    model.dispose();
  });

  test('save then load gives bitwise identical reconstructions; a card of another size is refused', async () => {
    const model = tinyMae();
    // Move the weights off their seeded initial values, so that loading must really read them.
    const trainer = new Pretrainer(model, data, { ...DEFAULT_PRETRAIN, steps: 3, batchSize: 4 });
    for (let i = 0; i < 3; i++) await trainer.step();
    trainer.dispose();
    const files = new Map<string, Uint8Array>();
    await saveModel(model, async (name, bytes) => void files.set(name, bytes));
    const read = async (name: string) => {
      const bytes = files.get(name);
      if (!bytes) throw new Error(`no file ${name}`);
      return bytes;
    };
    const loaded = await loadModel(read);
    expect(loaded).toBeInstanceOf(MaeModel);
    for (const task of TASK_IDS) {
      const batch = taskBatch(task);
      const [a, b] = [await model.reconstruct(batch), await loaded.reconstruct(batch)];
      expect(sameBits([a.dataSync() as Float32Array], [b.dataSync() as Float32Array])).toBe(true);
      tf.dispose([a, b, batch.images, batch.mask]);
    }
    const wider = tinyCard({ ...TINY, dim: 32 });
    const tensors = tf.memory().numTensors;
    await expect(maeFamily.load(wider, read)).rejects.toThrow(/architecture needs/);
    expect(tf.memory().numTensors).toBe(tensors);
    loaded.dispose();
    model.dispose();
  });
});

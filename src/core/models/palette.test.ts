import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { batchTensor } from '../data/image-set';
import { drawMask } from '../tasks/masks';
import { TASK_IDS, TASKS, type TaskId } from '../../shared/tasks';
import { sameBits, useBackend } from '../testing/fixtures';
import { DEFAULT_PRETRAIN, Pretrainer } from '../training/pretrain';
import { latentDistance } from '../unlearning/objective';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { Unlearner } from '../unlearning/unlearner';
import { joinBatches } from './batches';
import { loadModel, saveModel } from './families';
import { DEFAULT_PALETTE, PaletteModel, cardArchitecture, configFromCard, cosineGammas, ddimTimesteps, diffusionDraws, paletteFamily, runDecoder, runEncoder, type PaletteConfig } from './palette';
import { ParameterPart } from './parameters';
import type { I2IModel, ModelCard, TaskBatch } from './types';

const TINY: PaletteConfig = { ...DEFAULT_PALETTE, widths: [8, 16], timesteps: 100, sampler: 'ddim', sampleSteps: 4 };
const forgetData = syntheticImages(24, 28, 11);
const retainData = syntheticImages(24, 28, 12);

function tinyCard(config: PaletteConfig = TINY): ModelCard {
  return {
    id: 'test-palette',
    family: 'palette',
    title: 'test',
    dataset: 'synthetic',
    height: 28,
    width: 28,
    channels: 1,
    tasks: TASK_IDS.map((id) => TASKS[id]),
    architecture: cardArchitecture(config),
  };
}

const tinyPalette = (config?: PaletteConfig) => paletteFamily.create(tinyCard(config)) as PaletteModel;

function taskBatch(task: TaskId = 'centre-50', seed = 9, images = batchTensor(forgetData, [0, 1, 2, 3])): TaskBatch {
  return { images, mask: drawMask(TASKS[task], images.shape[0], 28, 28, seed), seed };
}

const bitsOf = (variables: tf.Variable[]) => variables.map((v) => v.dataSync().slice() as Float32Array);
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

beforeAll(() => useBackend('wasm'));

describe('Palette diffusion', () => {
  test('cosine schedule falls from ~1 to ~0 and DDIM visits T-1 down to 0', () => {
    const gammas = cosineGammas(1000);
    expect(gammas[0]).toBeGreaterThan(0.999);
    expect(gammas[999]).toBeLessThan(1e-3);
    for (let t = 1; t < 1000; t++) expect(gammas[t]).toBeLessThan(gammas[t - 1]);
    expect(ddimTimesteps(1000, 4)).toEqual([999, 666, 333, 0]);
    expect(ddimTimesteps(1000, 1)).toEqual([999]);
    expect(() => ddimTimesteps(100, 0)).toThrow(/sampling steps/);
  });

  test('encoder outputs are the stem, every down block and the middle block; the decoder predicts noise of the image shape', () => {
    const model = tinyPalette();
    const batch = taskBatch();
    const features = model.encode(batch);
    expect(features.map((f) => f.shape)).toEqual([
      [4, 14, 14, 8], // stem (2x2 patches)
      [4, 14, 14, 8], // level 0 ResBlock
      [4, 7, 7, 8], // level 0 downsampling
      [4, 7, 7, 16], // level 1 ResBlock
      [4, 7, 7, 16], // middle block
    ]);
    const epsHat = model.predict(batch);
    expect(epsHat.shape).toEqual([4, 28, 28, 1]);
    tf.dispose([...features, epsHat, batch.images, batch.mask]);
    model.dispose();
  });

  test('one noise-level embedding: the encoder computes it, the decoder has none and uses the one it is given', async () => {
    const model = tinyPalette();
    expect(model.decoder.names.filter((n) => n.startsWith('temb.'))).toEqual([]);
    expect(model.encoder.names.filter((n) => n.startsWith('temb.'))).toEqual(['temb.1.w', 'temb.1.b', 'temb.2.w', 'temb.2.b']);
    // A few steps, so that ε̂ is not the zero of the zero-initialised output conv.
    const trainer = new Pretrainer(model, forgetData, { ...DEFAULT_PRETRAIN, steps: 3, batchSize: 4, warmupSteps: 0, learningRate: 1e-2 });
    for (let i = 0; i < 3; i++) await trainer.step();
    trainer.dispose();
    const input = tf.randomNormal([2, 28, 28, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const t = [10, 60];
    const pass = runEncoder(model.encoder, TINY, input, t);
    // Another encoder embedding only (same features): the fixed decoder's ε̂ moves.
    const shifted = model.cloneEncoder();
    shifted.get('temb.2.b').assign(tf.add(shifted.get('temb.2.b'), 0.5));
    const otherEmb = runEncoder(shifted, TINY, input, t).emb;
    const a = runDecoder(model.decoder, TINY, pass);
    const b = runDecoder(model.decoder, TINY, { features: pass.features, emb: otherEmb });
    expect(maxAbsDiff(a, b)).toBeGreaterThan(1e-4);
    tf.dispose([input, ...pass.features, pass.emb, otherEmb, a, b]);
    shifted.dispose();
    model.dispose();
  });

  test('draws follow the batch seed: same seed, same timesteps and noise; another seed, others', () => {
    const batch = taskBatch();
    const a = diffusionDraws(batch, 1000);
    const b = diffusionDraws(batch, 1000);
    const c = diffusionDraws({ ...batch, seed: 10 }, 1000);
    expect(a.t).toEqual(b.t);
    expect(values(a.eps)).toEqual(values(b.eps));
    expect(values(a.condNoise)).toEqual(values(b.condNoise));
    expect(a.t).not.toEqual(c.t);
    expect(values(a.eps)).not.toEqual(values(c.eps));
    expect(values(a.eps)).not.toEqual(values(a.condNoise));
    tf.dispose([a.eps, a.condNoise, b.eps, b.condNoise, c.eps, c.condNoise, batch.images, batch.mask]);
  });

  test('forget target: the teacher sees pure noise in the hole, so hidden pixels and the noise images do not matter, visible ones do', () => {
    const model = tinyPalette();
    const teacher = model.cloneEncoder();
    const batch = taskBatch('centre-50');
    const noiseA = tf.zeros([4, 28, 28, 1]) as tf.Tensor4D;
    const noiseB = tf.ones([4, 28, 28, 1]) as tf.Tensor4D;
    const target = model.forgetTarget(batch, noiseA, teacher);
    // Other content in the hole: the target stays, the teacher's encoding of the real batch moves.
    const otherHole = tf.tidy(() => tf.add(tf.mul(batch.images, tf.sub(1, batch.mask)), tf.mul(batch.mask, 0.7))) as tf.Tensor4D;
    const holeChanged = { ...batch, images: otherHole };
    const sameTarget = model.forgetTarget(holeChanged, noiseB, teacher);
    target.forEach((f, i) => expect(values(sameTarget[i])).toEqual(values(f)));
    const real = model.encode(batch, teacher);
    const realHoleChanged = model.encode(holeChanged, teacher);
    expect(maxAbsDiff(real[real.length - 1], realHoleChanged[real.length - 1])).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(real[real.length - 1], target[target.length - 1])).toBeGreaterThan(1e-3);
    // Other visible pixels change the target (the teacher still sees the visible context).
    const otherVisible = tf.tidy(() => tf.mul(batch.images, tf.mul(batch.mask, 1))) as tf.Tensor4D;
    const visibleChanged = model.forgetTarget({ ...batch, images: otherVisible }, noiseA, teacher);
    expect(maxAbsDiff(visibleChanged[0], target[0])).toBeGreaterThan(1e-3);
    tf.dispose([...target, ...sameTarget, ...real, ...realHoleChanged, ...visibleChanged, noiseA, noiseB, otherHole, otherVisible, batch.images, batch.mask]);
    teacher.dispose();
    model.dispose();
  });

  test('noisy label: forget samples see x_t = ε in the hole with their real context and learn ε; retain samples keep the task loss', async () => {
    const model = tinyPalette();
    // Trained a few steps: the zero-initialised output conv would predict ε̂ = 0 whatever it sees.
    const trainer = new Pretrainer(model, forgetData, { ...DEFAULT_PRETRAIN, steps: 3, batchSize: 4, warmupSteps: 0, learningRate: 1e-2 });
    for (let i = 0; i < 3; i++) await trainer.step();
    trainer.dispose();
    const forget = taskBatch('centre-50', 9, batchTensor(forgetData, [0, 1]));
    const retain = taskBatch('centre-50', 10, batchTensor(retainData, [0, 1]));
    const noise = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    const loss = (f: TaskBatch) => values(model.noisyLabelLoss(joinBatches(f, retain), noise));
    const base = loss(forget);
    const plain = values(model.taskLoss(joinBatches(forget, retain)));
    base.slice(2).forEach((v, i) => expect(v).toBeCloseTo(plain[i + 2], 6));
    base.slice(0, 2).forEach((v, i) => expect(v).not.toBeCloseTo(plain[i], 4));
    const inverted = tf.sub(1, forget.images);
    const holeChanged = tf.add(tf.mul(forget.images, tf.sub(1, forget.mask)), tf.mul(inverted, forget.mask)) as tf.Tensor4D;
    const visibleChanged = tf.add(tf.mul(inverted, tf.sub(1, forget.mask)), tf.mul(forget.images, forget.mask)) as tf.Tensor4D;
    expect(loss({ ...forget, images: holeChanged }).slice(0, 2)).toEqual(base.slice(0, 2));
    expect(loss({ ...forget, images: visibleChanged }).slice(0, 2)).not.toEqual(base.slice(0, 2));
    tf.dispose([noise, inverted, holeChanged, visibleChanged]);
    model.dispose();
  });

  test('task loss is the MSE between ε̂ and ε over the hidden pixels, per image', async () => {
    const model = tinyPalette();
    // Train a few steps so that ε̂ is not the zero of the zero-initialised output conv.
    const trainer = new Pretrainer(model, forgetData, { ...DEFAULT_PRETRAIN, steps: 3, batchSize: 4, warmupSteps: 0, learningRate: 1e-2 });
    for (let i = 0; i < 3; i++) await trainer.step();
    trainer.dispose();
    {
      const batch = taskBatch('patches');
      const loss = model.taskLoss(batch);
      const draws = diffusionDraws(batch, TINY.timesteps);
      const epsHat = model.predict(batch);
      const expected = tf.tidy(() => tf.div(tf.sum(tf.mul(tf.squaredDifference(epsHat, draws.eps), batch.mask), [1, 2, 3]), tf.sum(batch.mask, [1, 2, 3])));
      expect(loss.shape).toEqual([4]);
      values(loss).forEach((v, i) => expect(v).toBeCloseTo(values(expected)[i], 5));
      // The hidden-weight argument of pixel families does not change a noise-prediction loss.
      const generic: I2IModel = model;
      const weighted = generic.taskLoss(batch, model, 4);
      expect(values(weighted)).toEqual(values(loss));
      tf.dispose([loss, weighted, draws.eps, draws.condNoise, epsHat, expected, batch.images, batch.mask]);
      model.dispose();
    }
  });

  test('DDIM sampling keeps the visible pixels, reports each step, honours sampleSteps and repeats for a seed', async () => {
    const model = tinyPalette();
    const batch = taskBatch('outpaint');
    const progress: [number, number][] = [];
    const out = await model.reconstruct(batch, model, { onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(out.shape).toEqual([4, 28, 28, 1]);
    const visibleError = tf.tidy(() => tf.max(tf.mul(tf.abs(tf.sub(out, batch.images)), tf.sub(1, batch.mask))).dataSync()[0]);
    expect(visibleError).toBeLessThan(1e-6);
    const range = tf.tidy(() => [tf.min(out).dataSync()[0], tf.max(out).dataSync()[0]]);
    expect(range[0]).toBeGreaterThanOrEqual(0);
    expect(range[1]).toBeLessThanOrEqual(1);
    const again = await model.reconstruct(batch, model);
    expect(values(again)).toEqual(values(out));
    const twoSteps: number[] = [];
    const fewer = await model.reconstruct(batch, model, { sampleSteps: 2, onProgress: (_, total) => twoSteps.push(total) });
    expect(twoSteps).toEqual([2, 2]);
    const before = tf.memory().numTensors;
    (await model.reconstruct(batch, model)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([out, again, fewer, batch.images, batch.mask]);
    model.dispose();
  });

  test('ancestral sampling: over the card\'s steps, seeded, keeps the visible pixels; one step is DDIM, more add noise', async () => {
    const config = { ...TINY, timesteps: 20, sampleSteps: 20 };
    const model = tinyPalette(config);
    const trainer = new Pretrainer(model, forgetData, { ...DEFAULT_PRETRAIN, steps: 3, batchSize: 4, warmupSteps: 0, learningRate: 1e-2 });
    for (let i = 0; i < 3; i++) await trainer.step();
    trainer.dispose();
    const batch = taskBatch('centre-50');
    let total = 0;
    const out = await model.reconstruct(batch, model, { sampler: 'ancestral', onProgress: (_, n) => (total = n) });
    expect(total).toBe(config.timesteps);
    const visibleError = tf.tidy(() => tf.max(tf.mul(tf.abs(tf.sub(out, batch.images)), tf.sub(1, batch.mask))).dataSync()[0]);
    expect(visibleError).toBeLessThan(1e-6);
    const again = await model.reconstruct(batch, model, { sampler: 'ancestral' });
    expect(values(again)).toEqual(values(out));
    const other = await model.reconstruct({ ...batch, seed: 10 }, model, { sampler: 'ancestral', sampleSteps: 4 });
    const ddim4 = await model.reconstruct({ ...batch, seed: 10 }, model, { sampleSteps: 4 });
    expect(maxAbsDiff(other, ddim4)).toBeGreaterThan(1e-3);
    // One step goes straight to the clipped x̂_0 (γ' = 1, no variance): both samplers agree.
    const one = await model.reconstruct(batch, model, { sampler: 'ancestral', sampleSteps: 1 });
    const ddim1 = await model.reconstruct(batch, model, { sampleSteps: 1 });
    expect(values(one)).toEqual(values(ddim1));
    tf.dispose([out, again, other, ddim4, one, ddim1, batch.images, batch.mask]);
    model.dispose();
  });

  test("the card's sampler is the default; a card from before it was a setting samples with DDIM; an unknown one is refused", async () => {
    const model = tinyPalette({ ...TINY, sampler: 'ancestral' });
    expect(model.card.architecture.sampler).toBe('ancestral');
    const batch = taskBatch('centre-50');
    const byDefault = await model.reconstruct(batch, model);
    const ancestral = await model.reconstruct(batch, model, { sampler: 'ancestral' });
    const ddim = await model.reconstruct(batch, model, { sampler: 'ddim' });
    expect(values(byDefault)).toEqual(values(ancestral));
    expect(maxAbsDiff(byDefault, ddim)).toBeGreaterThan(1e-3);
    const older = tinyCard();
    delete older.architecture.sampler;
    expect(configFromCard(older).sampler).toBe('ddim');
    expect(() => configFromCard({ ...older, architecture: { ...older.architecture, sampler: 'euler' } })).toThrow(/unknown sampler "euler"/);
    tf.dispose([byDefault, ancestral, ddim, batch.images, batch.mask]);
    model.dispose();
  });

  test("the paper's method trains the encoder only: decoder and teacher bitwise unchanged, tensor count steady", async () => {
    const model = tinyPalette();
    const unlearner = new Unlearner(model, forgetData, retainData, { ...DEFAULT_UNLEARN, steps: 20, batchSize: 8, learningRate: 1e-3, alpha: 1, task: 'centre-50' });
    const encoderBefore = bitsOf(model.encoder.variables);
    const decoderBefore = bitsOf(model.decoder.variables);
    const teacherBefore = bitsOf(unlearner.teacher.variables);
    // L_F on a fixed forget batch (step losses vary with each step's timesteps).
    const fixed = taskBatch('centre-50', 5, batchTensor(forgetData, [0, 1, 2, 3, 4, 5, 6, 7]));
    const forgetDistance = () =>
      tf.tidy(() => latentDistance(model.encode(fixed), model.forgetTarget(fixed, fixed.images, unlearner.teacher)).dataSync()[0]);
    const before = forgetDistance();
    let afterStep2 = 0;
    for (let i = 1; i <= 20; i++) {
      await unlearner.step();
      if (i === 2) afterStep2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterStep2);
    expect(sameBits(bitsOf(model.decoder.variables), decoderBefore)).toBe(true);
    expect(sameBits(bitsOf(unlearner.teacher.variables), teacherBefore)).toBe(true);
    const encoderAfter = bitsOf(model.encoder.variables);
    encoderAfter.forEach((w, i) => expect(sameBits([w], [encoderBefore[i]])).toBe(false));
    // The shared embedding is among them: what the frozen output blocks receive changes too.
    const temb = model.encoder.names.indexOf('temb.2.w');
    expect(temb).toBeGreaterThanOrEqual(0);
    expect(sameBits([encoderAfter[temb]], [encoderBefore[temb]])).toBe(false);
    expect(forgetDistance()).toBeLessThan(0.9 * before);
    tf.dispose([fixed.images, fixed.mask]);
    unlearner.dispose();
    expect(sameBits(bitsOf(model.encoder.variables), encoderBefore)).toBe(true);
    model.dispose();
  });

  test('pretraining lowers the noise-prediction loss without leaking tensors', async () => {
    const model = tinyPalette();
    const trainer = new Pretrainer(model, forgetData, { ...DEFAULT_PRETRAIN, steps: 40, batchSize: 8, warmupSteps: 2, learningRate: 1e-2 });
    const losses: number[] = [];
    let afterStep2 = 0;
    for (let i = 0; i < 40; i++) {
      losses.push(await trainer.step());
      if (i === 1) afterStep2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterStep2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.8 * mean(losses.slice(0, 10)));
    trainer.dispose();
    model.dispose();
  });

  test('save then load gives identical samples; parts that do not fit the card are refused', async () => {
    const model = tinyPalette();
    const trainer = new Pretrainer(model, forgetData, { ...DEFAULT_PRETRAIN, steps: 2, batchSize: 4, warmupSteps: 0 });
    for (let i = 0; i < 2; i++) await trainer.step();
    trainer.dispose();
    const files = new Map<string, Uint8Array>();
    await saveModel(model, async (name, bytes) => void files.set(name, bytes));
    const read = async (name: string) => files.get(name)!;
    const loaded = await loadModel(read);
    const batch = taskBatch('centre-25');
    const a = await model.reconstruct(batch);
    const b = await loaded.reconstruct(batch);
    expect(values(b)).toEqual(values(a));
    const card = JSON.parse(new TextDecoder().decode(files.get('card.json')));
    files.set('card.json', new TextEncoder().encode(JSON.stringify({ ...card, architecture: { ...card.architecture, widths: [8, 24] } })));
    await expect(loadModel(read)).rejects.toThrow(/the architecture needs/);
    files.set('card.json', new TextEncoder().encode(JSON.stringify(card)));
    // A decoder saved with its own embedding (before it was shared) loads, that copy ignored; other strangers are refused.
    const withOwnEmbedding = async (extra: string) => {
      const old = new ParameterPart([...model.decoder.names.map((n): [string, tf.Tensor] => [n, model.decoder.get(n).clone()]), [extra, tf.ones([8, 32])]]);
      await old.save('decoder', async (name, bytes) => void files.set(name, bytes));
      old.dispose();
    };
    await withOwnEmbedding('temb.1.w');
    const fromOld = await loadModel(read);
    const c = await fromOld.reconstruct(batch);
    expect(values(c)).toEqual(values(a));
    fromOld.dispose();
    await withOwnEmbedding('up9.w');
    await expect(loadModel(read)).rejects.toThrow(/unexpected parameter "up9.w"/);
    tf.dispose([a, b, c, batch.images, batch.mask]);
    model.dispose();
    loaded.dispose();
  });

  test('a training step on wasm matches cpu', async () => {
    const fingerprint = async () => {
      const model = tinyPalette();
      const trainer = new Pretrainer(model, forgetData, { ...DEFAULT_PRETRAIN, steps: 3, batchSize: 4, warmupSteps: 0 });
      const losses = [];
      for (let i = 0; i < 3; i++) losses.push(await trainer.step());
      trainer.dispose();
      model.dispose();
      return losses;
    };
    await useBackend('cpu');
    const cpu = await fingerprint();
    await useBackend('wasm');
    const wasm = await fingerprint();
    wasm.forEach((loss, i) => expect(Math.abs(loss - cpu[i]) / cpu[i]).toBeLessThan(1e-4));
  });
});

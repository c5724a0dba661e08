import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticImages } from '../backend/parity';
import { batchTensor } from '../data/image-set';
import { drawMask } from '../tasks/masks';
import { TASK_IDS, TASKS, type TaskId } from '../../shared/tasks';
import { sameBits, useBackend } from '../testing/fixtures';
import { DEFAULT_PRETRAIN, Pretrainer } from '../training/pretrain';
import { AdamW, DEFAULT_ADAMW } from '../unlearning/optimizer';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { Unlearner } from '../unlearning/unlearner';
import { noiseImages } from '../unlearning/noise';
import { latentDistance } from '../unlearning/objective';
import { loadModel, saveModel } from './families';
import { joinBatches } from './batches';
import { DEFAULT_MAGE, MageModel, hiddenTokens, keptPositions, mageArchitecture, mageFamily, noiseCodes, runDecoder, runEncoder, trainingKeep, unlearningTokenMasks, type MageConfig } from './mage';
import type { ModelCard, TaskBatch } from './types';
import { DEFAULT_VQ, createTokenizerPart, encodeContinuous, vqLosses } from './vq-tokenizer';

const TINY: MageConfig = {
  ...DEFAULT_MAGE,
  tokenizer: { ...DEFAULT_VQ, widths: [8, 8], codeDim: 4, codebookSize: 16 },
  encoderDim: 16,
  encoderDepth: 1,
  decoderDim: 16,
  decoderDepth: 1,
  heads: 2,
  decodingSteps: 4,
};
const data = syntheticImages(32, 28, 3);

function tinyCard(config: MageConfig = TINY): ModelCard {
  return {
    id: 'test-mage',
    family: 'mage',
    title: 'test',
    dataset: 'synthetic',
    height: 28,
    width: 28,
    channels: 1,
    tasks: TASK_IDS.map((id) => TASKS[id]),
    architecture: mageArchitecture(config),
  };
}

/** A tiny model whose codebook sits on encoder outputs (as stage 1 starts it), so that different images get different codes. */
function tinyMage(config: MageConfig = TINY): MageModel {
  const model = mageFamily.create(tinyCard(config)) as MageModel;
  tf.tidy(() => {
    const z = tf.reshape(encodeContinuous(model.tokenizer, config.tokenizer, batchTensor(data, [0, 1, 2, 3])), [-1, config.tokenizer.codeDim]);
    const picks = tf.tensor1d(Array.from({ length: config.tokenizer.codebookSize }, (_, i) => (i * 37) % z.shape[0]), 'int32');
    model.tokenizer.get('codebook').assign(tf.gather(z, picks));
  });
  return model;
}

function taskBatch(task: TaskId, indices = [0, 1, 2, 3], seed = 9): TaskBatch {
  const images = batchTensor(data, indices);
  return { images, mask: drawMask(TASKS[task], indices.length, 28, 28, seed), seed };
}

const bitsOf = (variables: tf.Variable[]) => variables.map((v) => v.dataSync().slice() as Float32Array);
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(() => useBackend('wasm'));

describe('MAGE', () => {
  test.each([
    ['centre-25', 9],
    ['centre-50', 25],
    ['outpaint', 40],
    ['patches', 25],
  ] as [TaskId, number][])('%s hides %i of the 49 tokens (a token is hidden when any of its pixels is)', (task, count) => {
    const batch = taskBatch(task);
    const hidden = hiddenTokens(batch.mask, TINY.tokenizer);
    expect(hidden.shape).toEqual([4, 49]);
    hidden.arraySync().forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBe(count));
    tf.dispose([hidden, batch.images, batch.mask]);
  });

  test('one hidden pixel hides its token only', () => {
    const mask = tf.buffer([1, 28, 28, 1]);
    mask.set(1, 0, 5, 9, 0);
    const hidden = hiddenTokens(mask.toTensor() as tf.Tensor4D, TINY.tokenizer);
    expect(values(hidden).flatMap((v, i) => (v === 1 ? [i] : []))).toEqual([7 + 2]);
    hidden.dispose();
  });

  test('training reveals some hidden tokens, from the seed: same seed same keep mask, never a task-visible token hidden', () => {
    const batch = taskBatch('centre-50', [0, 1, 2, 3, 4, 5, 6, 7]);
    const hidden = hiddenTokens(batch.mask, TINY.tokenizer);
    const a = trainingKeep(batch, TINY.tokenizer);
    const b = trainingKeep(batch, TINY.tokenizer);
    const c = trainingKeep({ ...batch, seed: 1234 }, TINY.tokenizer);
    expect(values(a.keep)).toEqual(values(b.keep));
    expect(values(a.keep)).not.toEqual(values(c.keep));
    const [h, keep, target] = [values(hidden), values(a.keep), values(a.target)];
    h.forEach((v, i) => {
      if (v === 0) expect(keep[i]).toBe(1);
      expect(keep[i] + target[i]).toBe(1);
    });
    const revealed = h.reduce((sum, v, i) => sum + v * keep[i], 0);
    expect(revealed).toBeGreaterThan(0);
    expect(revealed).toBeLessThan(h.reduce((x, y) => x + y, 0));
    tf.dispose([hidden, a.keep, a.target, b.keep, b.target, c.keep, c.target, batch.images, batch.mask]);
  });

  test('encoder output is [n, 50, d] with hidden positions zero; hidden tokens cannot reach the kept ones', () => {
    const model = tinyMage();
    const codes = tf.tensor2d(Array.from({ length: 2 * 49 }, (_, i) => i % 16), [2, 49], 'int32');
    const keep = tf.tensor2d(Array.from({ length: 2 * 49 }, (_, i) => (i % 49 < 20 ? 1 : 0)), [2, 49]);
    const latent = runEncoder(model.encoder, TINY, codes, keep);
    expect(latent.shape).toEqual([2, 50, 16]);
    const rows = latent.arraySync();
    rows.forEach((seq) => seq.slice(21).forEach((vector) => expect(vector.every((v) => v === 0)).toBe(true)));
    // Other codes at hidden positions: bitwise the same encoding.
    const other = tf.tensor2d(Array.from({ length: 2 * 49 }, (_, i) => (i % 49 < 20 ? i % 16 : 15 - (i % 16))), [2, 49], 'int32');
    const again = runEncoder(model.encoder, TINY, other, keep);
    expect(sameBits([again.dataSync() as Float32Array], [latent.dataSync() as Float32Array])).toBe(true);
    const logits = runDecoder(model.decoder, TINY, latent, keep);
    expect(logits.shape).toEqual([2, 49, 16]);
    tf.dispose([codes, keep, latent, other, again, logits]);
    model.dispose();
  });

  test('unlearning token masks as MAGE draws them: 25 of 49 dropped, one masking ratio per segment, from its seed', () => {
    const batch = taskBatch('centre-25', [0, 1, 2, 3, 4, 5]);
    const a = unlearningTokenMasks(batch, 49);
    expect(unlearningTokenMasks(batch, 49)).toEqual(a);
    expect(unlearningTokenMasks({ ...batch, seed: 1234 }, 49).keep).not.toEqual(a.keep);
    const perImage = (flat: Float32Array) => Array.from({ length: 6 }, (_, i) => flat.subarray(i * 49, (i + 1) * 49).reduce((x, y) => x + y, 0));
    expect(perImage(a.keep)).toEqual(new Array(6).fill(24));
    const shown = perImage(a.visible);
    // ⌈49·r⌉ masked with r in [0.5, 1]: at most the 24 kept tokens show their code, all images alike.
    expect(shown.every((v) => v === shown[0] && v <= 24)).toBe(true);
    a.visible.forEach((v, i) => expect(v).toBeLessThanOrEqual(a.keep[i]));
    // A joined batch draws for each segment what the segment draws alone.
    const [first, second] = [taskBatch('patches', [0, 1], 21), taskBatch('patches', [2, 3, 4], 22)];
    const joined = unlearningTokenMasks(joinBatches(first, second), 49);
    expect(joined.keep).toEqual(Float32Array.from([...unlearningTokenMasks(first, 49).keep, ...unlearningTokenMasks(second, 49).keep]));
  });

  test('kept positions: the class token and the kept tokens, in order', () => {
    const x = tf.tensor3d([0, 1, 2, 3, 10, 11, 12, 13], [2, 4, 1]);
    expect(keptPositions(x, Float32Array.from([1, 0, 1, 0, 1, 1])).arraySync()).toEqual([[[0], [1], [3]], [[10], [12], [13]]]);
    x.dispose();
  });

  test('the unlearning latent is the class token and the 24 kept tokens under MAGE’s own masks, whatever the task’s mask', () => {
    const model = tinyMage();
    const batch = taskBatch('centre-25');
    const [latent] = model.encode(batch);
    expect(latent.shape).toEqual([4, 25, 16]);
    // No zeroed positions diluting the mean: every vector is a layer-normed output.
    (latent.arraySync() as number[][][]).forEach((seq) => seq.forEach((v) => expect(v.some((e) => e !== 0)).toBe(true)));
    const [other] = model.encode({ ...taskBatch('outpaint'), seed: batch.seed });
    expect(sameBits([other.dataSync() as Float32Array], [latent.dataSync() as Float32Array])).toBe(true);
    const { keep, visible } = unlearningTokenMasks(batch, 49);
    const codes = model.codes(batch.images);
    const full = runEncoder(model.encoder, TINY, codes, tf.tensor2d(keep, [4, 49]), tf.tensor2d(visible, [4, 49]));
    expect(sameBits([keptPositions(full, keep).dataSync() as Float32Array], [latent.dataSync() as Float32Array])).toBe(true);
    tf.dispose([latent, other, codes, full, batch.images, batch.mask]);
    model.dispose();
  });

  test('masked-but-kept tokens show the mask token: their codes do not matter, the kept visible ones do', () => {
    const model = tinyMage();
    const codes = tf.tensor2d(Array.from({ length: 49 }, (_, i) => i % 16), [1, 49], 'int32');
    const keep = tf.tensor2d(Array.from({ length: 49 }, (_, i) => (i < 30 ? 1 : 0)), [1, 49]);
    const visible = tf.tensor2d(Array.from({ length: 49 }, (_, i) => (i < 20 ? 1 : 0)), [1, 49]);
    const changed = (from: number, to: number) => tf.tensor2d(Array.from({ length: 49 }, (_, i) => (i >= from && i < to ? 15 - (i % 16) : i % 16)), [1, 49], 'int32');
    const [base, masked, shown] = [codes, changed(20, 30), changed(0, 20)].map((c) => runEncoder(model.encoder, TINY, c, keep, visible).dataSync() as Float32Array);
    expect(sameBits([masked], [base])).toBe(true);
    expect(sameBits([shown], [base])).toBe(false);
    tf.dispose([codes, keep, visible]);
    model.dispose();
  });

  test("the forget target is the teacher's encoding of the noise image's tokens under the forget batch's token masks", () => {
    const model = tinyMage();
    const teacher = model.cloneEncoder();
    const batch = taskBatch('patches');
    const noise = tf.randomUniform(batch.images.shape, 0, 1, 'float32', 4) as tf.Tensor4D;
    const [target] = model.forgetTarget(batch, noise, teacher);
    const { keep, visible } = unlearningTokenMasks(batch, 49);
    const full = runEncoder(teacher, TINY, model.codes(noise), tf.tensor2d(keep, [4, 49]), tf.tensor2d(visible, [4, 49]));
    const expected = keptPositions(full, keep);
    expect(sameBits([target.dataSync() as Float32Array], [expected.dataSync() as Float32Array])).toBe(true);
    const [student] = model.encode(batch);
    expect(values(model.codes(noise))).not.toEqual(values(model.codes(batch.images)));
    expect(values(target)).not.toEqual(values(student));
    tf.dispose([noise, target, full, expected, student, batch.images, batch.mask]);
    teacher.dispose();
    model.dispose();
  });

  test('noisy label codes: the forget images get clamp(randn·std + mean) rounded, with the whole batch’s code statistics', () => {
    // Codes (0, 4) of the forget image and (8, 12) of the retain image: mean 6, variance (36 + 4 + 4 + 36) / 4 = 20.
    const codes = tf.tensor2d([[0, 4], [8, 12]], [2, 2], 'int32');
    const batch = { images: tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, mask: tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, seed: 3 };
    const eps = tf.randomNormal([2, 2], 0, 1, 'float32', 3 + 2).dataSync();
    const out = noiseCodes(batch, codes, 1, 16).arraySync();
    expect(out[0]).toEqual([0, 1].map((j) => Math.min(15, Math.max(0, Math.round(eps[j] * Math.sqrt(20) + 6)))));
    expect(out[1]).toEqual([8, 12]);
    tf.dispose([codes, batch.images, batch.mask]);
  });

  test('noisy label loss: retain images keep the task loss; forget images, same real input, learn other codes', () => {
    const model = tinyMage();
    const both = joinBatches(taskBatch('centre-50', [0, 1], 9), taskBatch('centre-50', [2, 3], 10));
    const noisy = values(model.noisyLabelLoss(both, tf.zeros([2, 28, 28, 1]) as tf.Tensor4D));
    const plain = values(model.taskLoss(both));
    expect(noisy.slice(2)).toEqual(plain.slice(2));
    noisy.slice(0, 2).forEach((v, i) => expect(v).not.toBeCloseTo(plain[i], 4));
    model.dispose();
  });

  test('MaskGIT reconstruct: repeatable, visible pixels kept, one progress report per pass', async () => {
    const model = tinyMage();
    const batch = taskBatch('centre-50');
    const progress: number[] = [];
    const first = await model.reconstruct(batch, model, { onProgress: (done, total) => progress.push(done / total) });
    expect(progress).toEqual([1, 2, 3, 4].map((d) => d / 4));
    const second = await model.reconstruct(batch);
    expect(sameBits([first.dataSync() as Float32Array], [second.dataSync() as Float32Array])).toBe(true);
    const [out, truth, mask] = [first, batch.images, batch.mask].map((t) => t.dataSync());
    for (let i = 0; i < out.length; i++) if (mask[i] === 0) expect(out[i]).toBe(truth[i]);
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
    tf.dispose([first, second, batch.images, batch.mask]);
    model.dispose();
  });

  test('one transformer training step on wasm gives every parameter a finite, non-zero gradient; the tokenizer gets none', () => {
    const model = tinyMage();
    const batch = taskBatch('outpaint');
    const variables = [...model.encoder.variables, ...model.decoder.variables];
    const { value, grads } = tf.variableGrads(() => tf.mean(model.taskLoss(batch, model)) as tf.Scalar, variables);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const v of variables) {
      const g = grads[v.name].dataSync();
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.some((x) => x !== 0)).toBe(true);
    }
    expect(model.tokenizer.variables.every((v) => !v.trainable)).toBe(true);
    tf.dispose([value, ...Object.values(grads), batch.images, batch.mask]);
    model.dispose();
  });

  test('tokenizer training lowers its loss and moves every parameter, with a steady tensor count', async () => {
    const part = createTokenizerPart(TINY.tokenizer, true);
    const before = bitsOf(part.variables);
    const optimizer = new AdamW(part.variables, { ...DEFAULT_ADAMW, weightDecay: 0 });
    const x = batchTensor(data, [...Array(16).keys()]);
    const losses: number[] = [];
    let tensors = 0;
    for (let i = 0; i < 40; i++) {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => vqLosses(part, TINY.tokenizer, x).total, part.variables);
        tf.dispose(optimizer.apply(part.variables.map((v) => grads[v.name]), 5e-3));
        return value;
      });
      losses.push((await loss.data())[0]);
      loss.dispose();
      if (i === 0) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) * 0.8);
    bitsOf(part.variables).forEach((w, i) => expect(sameBits([w], [before[i]])).toBe(false));
    tf.dispose([x]);
    optimizer.dispose();
    part.dispose();
  });

  test('pretraining on all four tasks lowers the loss without leaking tensors', async () => {
    const model = tinyMage();
    const trainer = new Pretrainer(model, data, { ...DEFAULT_PRETRAIN, steps: 60, batchSize: 8, warmupSteps: 5, learningRate: 5e-3 });
    const losses = [await trainer.step()];
    const tensors = tf.memory().numTensors;
    for (let i = 1; i < 60; i++) losses.push(await trainer.step());
    expect(tf.memory().numTensors).toBe(tensors);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) * 0.8);
    trainer.dispose();
    model.dispose();
  });

  test("the paper's method moves the encoder only, brings forget encodings toward the noise's, with a steady tensor count", async () => {
    const model = tinyMage();
    const encoderBefore = bitsOf(model.encoder.variables);
    const decoderBefore = bitsOf(model.decoder.variables);
    const tokenizerBefore = bitsOf(model.tokenizer.variables);
    const forgetSet = syntheticImages(16, 28, 11);
    const unlearner = new Unlearner(model, forgetSet, syntheticImages(16, 28, 12), { ...DEFAULT_UNLEARN, steps: 20, batchSize: 8, learningRate: 1e-2 });
    // L_F on a fixed batch and noise: each step draws its own masks and noise, so single steps' losses are not comparable.
    const probe = taskBatch('centre-25', [0, 1, 2, 3, 4, 5, 6, 7]);
    const probeForget = { ...probe, images: batchTensor(forgetSet, [0, 1, 2, 3, 4, 5, 6, 7]) };
    const noise = noiseImages(probeForget.images, 'normal', 5);
    const forgetDistance = () => tf.tidy(() => latentDistance(model.encode(probeForget), model.forgetTarget(probeForget, noise, unlearner.teacher)).dataSync()[0]);
    const before = forgetDistance();
    await unlearner.step();
    const tensors = tf.memory().numTensors;
    for (let i = 1; i < 20; i++) await unlearner.step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(sameBits(bitsOf(model.decoder.variables), decoderBefore)).toBe(true);
    expect(sameBits(bitsOf(model.tokenizer.variables), tokenizerBefore)).toBe(true);
    // The cls token only; the embeddings of codes absent from these images get no gradient.
    expect(sameBits([model.encoder.get('cls').dataSync() as Float32Array], [encoderBefore[model.encoder.names.indexOf('cls')]])).toBe(false);
    expect(sameBits(bitsOf(model.encoder.variables), encoderBefore)).toBe(false);
    expect(forgetDistance()).toBeLessThan(before);
    unlearner.dispose();
    expect(sameBits(bitsOf(model.encoder.variables), encoderBefore)).toBe(true);
    tf.dispose([probe.images, probe.mask, probeForget.images, noise]);
    model.dispose();
  });

  test('save then load (tokenizer included) gives bitwise identical reconstructions; a card of another size is refused', async () => {
    const model = tinyMage();
    const trainer = new Pretrainer(model, data, { ...DEFAULT_PRETRAIN, steps: 3, batchSize: 4 });
    for (let i = 0; i < 3; i++) await trainer.step();
    trainer.dispose();
    // Off its seeded initial values, so that loading must really read the tokenizer file.
    model.tokenizer.get('codebook').assign(tf.mul(model.tokenizer.get('codebook'), 1.5));
    const files = new Map<string, Uint8Array>();
    await saveModel(model, async (name, bytes) => void files.set(name, bytes));
    expect([...files.keys()].sort()).toEqual(['card.json', 'decoder.json', 'decoder.weights.bin', 'encoder.json', 'encoder.weights.bin', 'tokenizer.json', 'tokenizer.weights.bin']);
    const read = async (name: string) => {
      const bytes = files.get(name);
      if (!bytes) throw new Error(`no ${name}`);
      return bytes;
    };
    const loaded = await loadModel(read);
    const batch = taskBatch('centre-25');
    const [a, b] = [await model.reconstruct(batch), await loaded.reconstruct(batch)];
    expect(sameBits([a.dataSync() as Float32Array], [b.dataSync() as Float32Array])).toBe(true);
    const bigger = { ...tinyCard(), architecture: mageArchitecture({ ...TINY, tokenizer: { ...TINY.tokenizer, codebookSize: 32 } }) };
    files.set('card.json', new TextEncoder().encode(JSON.stringify(bigger)));
    await expect(loadModel(read)).rejects.toThrow(/needs|parameters/);
    tf.dispose([a, b, batch.images, batch.mask]);
    loaded.dispose();
    model.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { PARITY_TOLERANCE, maxRelativeDifference, syntheticImages, unlearningFingerprint } from '../backend/parity';
import { batchTensor } from '../data/image-set';
import { TASKS } from '../../shared/tasks';
import { reconstructionValues, sameBits, smallModel, useBackend, weightsOf } from '../testing/fixtures';
import { DEFAULT_UNLEARN } from '../../shared/settings';
import { Unlearner } from './unlearner';

const forget = syntheticImages(24, 28, 11);
const retain = syntheticImages(24, 28, 12);
const settings = { ...DEFAULT_UNLEARN, steps: 50, batchSize: 8, learningRate: 1e-2 };

beforeAll(() => useBackend('wasm'));
afterEach(() => useBackend('wasm'));

describe('Unlearner', () => {
  test('trains the encoder only: decoder and teacher stay bitwise unchanged', async () => {
    const model = smallModel();
    const unlearner = new Unlearner(model, forget, retain, settings);
    const encoderBefore = weightsOf(model.encoder);
    const decoderBefore = weightsOf(model.decoder);
    const teacherBefore = weightsOf(unlearner.teacher);
    expect(sameBits(teacherBefore, encoderBefore)).toBe(true);
    for (let i = 0; i < 5; i++) await unlearner.step();
    expect(sameBits(weightsOf(model.decoder), decoderBefore)).toBe(true);
    expect(sameBits(weightsOf(unlearner.teacher), teacherBefore)).toBe(true);
    const encoderAfter = weightsOf(model.encoder);
    encoderAfter.forEach((w, i) => expect(sameBits([w], [encoderBefore[i]])).toBe(false));
    unlearner.dispose();
    model.dispose();
  });

  test('hybrid unlearning masks: the steps draw them instead of the task\'s, while the run is still judged on its task', async () => {
    const firstLoss = async (unlearnMasks: 'task' | 'hybrid') => {
      const model = smallModel();
      const unlearner = new Unlearner(model, forget, retain, { ...settings, unlearnMasks });
      const report = await unlearner.step();
      const task = unlearner.task;
      unlearner.dispose();
      model.dispose();
      return { total: report.total, task };
    };
    const task = await firstLoss('task');
    const hybrid = await firstLoss('hybrid');
    expect(hybrid.task).toEqual(task.task);
    expect(Number.isFinite(hybrid.total)).toBe(true);
    expect(hybrid.total).not.toBe(task.total);
    // The same seed draws the same hybrid masks: the step repeats exactly.
    expect((await firstLoss('hybrid')).total).toBe(hybrid.total);
  });

  test("follows the recipe's optimiser: a constant schedule keeps the learning rate, clipNorm 0 clips nothing", async () => {
    const runWith = async (patch: Partial<typeof settings>) => {
      const model = smallModel();
      const unlearner = new Unlearner(model, forget, retain, { ...settings, ...patch });
      const before = weightsOf(model.encoder);
      const rates: number[] = [];
      for (let i = 0; i < 4; i++) rates.push((await unlearner.step()).learningRate);
      const moved = weightsOf(model.encoder).reduce((sum, w, i) => sum + w.reduce((s, v, j) => s + Math.abs(v - before[i][j]), 0), 0);
      unlearner.dispose();
      model.dispose();
      return { rates, moved };
    };
    const constant = await runWith({ schedule: 'constant', warmupFraction: 0.5 });
    expect(constant.rates).toEqual([settings.learningRate, settings.learningRate, settings.learningRate, settings.learningRate]);
    const warm = await runWith({ schedule: 'warmup-cosine', warmupFraction: 0.5 });
    expect(warm.rates[0]).toBeLessThan(warm.rates[3]);
    // Adam is almost blind to a gradient's scale: a clip shows where ε counts, at a tiny norm; 0 must clip nothing.
    const unclipped = await runWith({ clipNorm: 0, weightDecay: 0 });
    const clipped = await runWith({ clipNorm: 1e-6, weightDecay: 0 });
    expect(unclipped.moved).not.toBe(clipped.moved);
  });

  test('holds the tensor count steady: step 2 and step 20 leave the same number', async () => {
    const model = smallModel();
    const unlearner = new Unlearner(model, forget, retain, settings);
    let afterStep2 = 0;
    for (let i = 1; i <= 20; i++) {
      await unlearner.step();
      if (i === 2) afterStep2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterStep2);
    unlearner.dispose();
    model.dispose();
  });

  test('student and teacher see the same masks (random patches: a layout per image)', async () => {
    const model = smallModel();
    model.card.tasks.push(TASKS.patches);
    const unlearner = new Unlearner(model, forget, retain, { ...settings, task: 'patches' });
    const calls: { role: 'student' | 'teacher'; images: number[]; mask: number[]; segments: unknown }[] = [];
    const encode = model.encode.bind(model);
    model.encode = (batch, encoder = model.encoder) => {
      const role = encoder === model.encoder ? 'student' : 'teacher';
      calls.push({ role, images: Array.from(batch.images.dataSync()), mask: Array.from(batch.mask.dataSync()), segments: batch.segments });
      return encode(batch, encoder);
    };
    await unlearner.step();
    // One teacher pass over [noise; retain], one student pass over [forget; retain].
    expect(calls.map((c) => c.role)).toEqual(['teacher', 'student']);
    const [teacher, student] = calls;
    const half = (settings.batchSize / 2) * 28 * 28;
    const parts = (values: number[]) => [values.slice(0, half), values.slice(half)];
    const [teacherNoise, teacherRetain] = [parts(teacher.images), parts(teacher.mask)];
    const [studentImages, studentMask] = [parts(student.images), parts(student.mask)];
    expect(studentImages[1]).toEqual(teacherNoise[1]);
    expect(studentMask).toEqual(teacherRetain);
    expect(student.segments).toEqual(teacher.segments);
    expect(studentImages[0]).not.toEqual(teacherNoise[0]);
    const studentForget = { mask: studentMask[0] };
    const studentRetain = { mask: studentMask[1] };
    // per-image layouts: the first two forget images are masked differently
    const pixels = 28 * 28;
    expect(studentForget.mask.slice(0, pixels)).not.toEqual(studentForget.mask.slice(pixels, 2 * pixels));
    expect(studentForget.mask.slice(0, pixels)).not.toEqual(studentRetain.mask.slice(0, pixels));
    unlearner.dispose();
    model.dispose();
  });

  test('reduces its objective and moves forget encodings towards the noise target', async () => {
    const model = smallModel();
    const unlearner = new Unlearner(model, forget, retain, { ...settings, steps: 40 });
    const first = await unlearner.step();
    let last = first;
    while (!unlearner.done) last = await unlearner.step();
    expect(last.weightedForgetLoss).toBeLessThan(first.weightedForgetLoss * 0.7);
    unlearner.dispose();
    model.dispose();
  });

  test('`original` still runs the model as it was, also for methods that train the decoder', async () => {
    const model = smallModel();
    const images = batchTensor(forget, [0, 1, 2, 3]);
    const before = await reconstructionValues(model, images);
    const unlearner = new Unlearner(model, forget, retain, { ...settings, method: 'max-loss' });
    for (let i = 0; i < 3; i++) await unlearner.step();
    expect(await reconstructionValues(model, images, unlearner.original)).toEqual(before);
    expect(await reconstructionValues(model, images)).not.toEqual(before);
    unlearner.dispose();
    expect(await reconstructionValues(model, images)).toEqual(before);
    images.dispose();
    model.dispose();
  });

  test('dispose puts the original encoder back', async () => {
    const model = smallModel();
    const original = weightsOf(model.encoder);
    const unlearner = new Unlearner(model, forget, retain, settings);
    for (let i = 0; i < 3; i++) await unlearner.step();
    unlearner.dispose();
    expect(sameBits(weightsOf(model.encoder), original)).toBe(true);
    model.dispose();
  });

  test('refuses bad settings and empty sets with a clear message', () => {
    const model = smallModel();
    expect(() => new Unlearner(model, forget, retain, { ...settings, steps: 0 })).toThrow(/steps/);
    expect(() => new Unlearner(model, forget, retain, { ...settings, alpha: -1 })).toThrow(/α/);
    expect(() => new Unlearner(model, { ...forget, count: 0 }, retain, settings)).toThrow(/forget set is empty/);
    model.dispose();
  });
});

describe('backend parity', () => {
  test(`three unlearning steps on wasm match cpu within ${PARITY_TOLERANCE}`, async () => {
    await useBackend('cpu');
    const reference = await unlearningFingerprint();
    await useBackend('wasm');
    const wasm = await unlearningFingerprint();
    expect(maxRelativeDifference(wasm, reference)).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '../random';
import { useBackend } from '../testing/fixtures';
import {
  frechetDistance,
  frechetDistanceFromMoments,
  inceptionScore,
  meanCosineSimilarity,
  rocAuc,
  ssim,
  ssimPerImage,
  symmetricEigen,
  type Features,
} from './feature-metrics';

beforeAll(() => useBackend('wasm'));

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function randomFeatures(rows: number, dim: number, seed: number): Features {
  const rng = createRng(seed);
  return { values: Float64Array.from({ length: rows * dim }, () => gaussian(rng)), dim };
}

/** A random orthogonal matrix (Gram-Schmidt on Gaussian columns), row-major. */
function randomOrthogonal(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const columns = Array.from({ length: n }, () => Float64Array.from({ length: n }, () => gaussian(rng)));
  columns.forEach((column, j) => {
    for (let k = 0; k < j; k++) {
      const dot = column.reduce((sum, x, i) => sum + x * columns[k][i], 0);
      column.forEach((_, i) => (column[i] -= dot * columns[k][i]));
    }
    const norm = Math.hypot(...column);
    column.forEach((_, i) => (column[i] /= norm));
  });
  const q = new Float64Array(n * n);
  columns.forEach((column, j) => column.forEach((x, i) => (q[i * n + j] = x)));
  return q;
}

/** Q diag(d) Qᵀ. */
function withEigenvalues(q: Float64Array, d: number[]): Float64Array {
  const n = d.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let e = 0; e < n; e++) out[i * n + j] += q[i * n + e] * d[e] * q[j * n + e];
  return out;
}

function diagonal(d: number[]): Float64Array {
  const out = new Float64Array(d.length * d.length);
  d.forEach((x, i) => (out[i * d.length + i] = x));
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('Fréchet distance', () => {
  test('the symmetric eigen-solver recovers known eigenvalues of a 64x64 matrix', () => {
    const d = Array.from({ length: 64 }, (_, i) => (i % 7 === 0 ? 0 : 0.01 * (i + 1) ** 1.5));
    const { values, vectors } = symmetricEigen(withEigenvalues(randomOrthogonal(64, 3), d), 64);
    expect(Array.from(values).sort((a, b) => a - b)).toEqual(d.sort((a, b) => a - b).map((x) => expect.closeTo(x, 9)));
    const first = Array.from({ length: 64 }, (_, i) => vectors[i * 64]);
    expect(Math.hypot(...first)).toBeCloseTo(1, 12);
  });

  test('a set against itself is 0, also with a singular covariance (fewer rows than dimensions)', () => {
    for (const rows of [500, 30]) {
      const features = randomFeatures(rows, 64, rows);
      expect(frechetDistance(features, features)).toBeLessThan(1e-6 * 64);
    }
  });

  test('diagonal covariances: |Δμ|² + Σ_j (σa_j + σb_j − 2 √(σa_j σb_j)), σ the variances', () => {
    const meanA = [0, 1, 2, -1];
    const meanB = [1, 1, 0, 0.5];
    const varA = [1, 4, 0.25, 2];
    const varB = [9, 1, 0.25, 0.5];
    const expected =
      sum(meanA.map((m, j) => (m - meanB[j]) ** 2)) + sum(varA.map((a, j) => a + varB[j] - 2 * Math.sqrt(a * varB[j])));
    const fid = frechetDistanceFromMoments(
      { mean: Float64Array.from(meanA), covariance: diagonal(varA) },
      { mean: Float64Array.from(meanB), covariance: diagonal(varB) },
    );
    expect(fid).toBeCloseTo(expected, 10);
    expect(expected).toBeCloseTo(1 + 0 + 4 + 2.25 + (4 + 1 + 0 + 0.5), 12);
  });

  test('64-d covariances sharing eigenvectors: Tr((Σa Σb)^½) = Σ_e √(λa_e λb_e)', () => {
    const q = randomOrthogonal(64, 5);
    const rng = createRng(6);
    const da = Array.from({ length: 64 }, () => 0.1 + rng());
    const db = Array.from({ length: 64 }, () => 0.1 + 3 * rng());
    const mean = new Float64Array(64);
    const fid = frechetDistanceFromMoments({ mean, covariance: withEigenvalues(q, da) }, { mean, covariance: withEigenvalues(q, db) });
    expect(fid).toBeCloseTo(sum(da.map((a, e) => a + db[e] - 2 * Math.sqrt(a * db[e]))), 8);
  });

  test('2x2 covariances that do not commute: Tr(M^½) = √(Tr M + 2√det M) for M = Σa Σb', () => {
    const covA = Float64Array.from([2, 0.8, 0.8, 1]);
    const covB = Float64Array.from([1, -0.3, -0.3, 3]);
    const product = [covA[0] * covB[0] + covA[1] * covB[2], covA[2] * covB[1] + covA[3] * covB[3]];
    const det = (m: Float64Array) => m[0] * m[3] - m[1] * m[2];
    const traceRoot = Math.sqrt(product[0] + product[1] + 2 * Math.sqrt(det(covA) * det(covB)));
    const fid = frechetDistanceFromMoments(
      { mean: Float64Array.from([0, 0]), covariance: covA },
      { mean: Float64Array.from([3, 4]), covariance: covB },
    );
    expect(fid).toBeCloseTo(25 + 3 + 4 - 2 * traceRoot, 10);
  });

  test('samples of two Gaussians land near the closed form (sample covariance, n − 1)', () => {
    const rng = createRng(7);
    const draw = (mean: number[], sd: number[]): Features => ({
      values: Float64Array.from({ length: 20000 * mean.length }, (_, k) => mean[k % mean.length] + sd[k % mean.length] * gaussian(rng)),
      dim: mean.length,
    });
    const fid = frechetDistance(draw([0, 0, 0], [1, 1, 1]), draw([1, 0, 2], [2, 1, 0.5]));
    // 20,000 draws per set: the sample means and variances are within about 1% of the true ones.
    expect(Math.abs(fid - (5 + (1 + 4 - 4) + 0 + (1 + 0.25 - 1)))).toBeLessThan(0.15);
  });
});

describe('Inception Score', () => {
  test('a uniform classifier scores 1', () => {
    expect(inceptionScore({ values: new Float64Array(50 * 10).fill(0.1), dim: 10 })).toBeCloseTo(1, 12);
  });

  test('confident predictions spread evenly over K classes score K', () => {
    const oneHot = (k: number, classes: number) => Float64Array.from({ length: classes }, (_, i) => (i === k ? 1 : 0));
    for (const classes of [2, 10]) {
      const values = Float64Array.from(Array.from({ length: 5 * classes }, (_, i) => Array.from(oneHot(i % classes, classes))).flat());
      expect(inceptionScore({ values, dim: classes })).toBeCloseTo(classes, 10);
    }
  });
});

describe('cosine similarity', () => {
  test('identical vectors give 1, opposite ones −1, orthogonal ones 0, on average over pairs', () => {
    const a = { values: [1, 2, 3, -1, 0, 4], dim: 3 };
    expect(meanCosineSimilarity(a, a)).toBeCloseTo(1, 12);
    expect(meanCosineSimilarity(a, { values: a.values.map((x) => -2 * x), dim: 3 })).toBeCloseTo(-1, 12);
    expect(meanCosineSimilarity({ values: [1, 0, 0, 1], dim: 2 }, { values: [1, 0, 1, 0], dim: 2 })).toBeCloseTo(0.5, 12);
  });
});

describe('ROC AUC', () => {
  test('identical distributions give about 0.5, separated ones 1, and 0 when reversed', () => {
    const scores = randomFeatures(2000, 1, 11).values;
    const other = randomFeatures(2000, 1, 12).values;
    expect(rocAuc(scores, other)).toBeCloseTo(0.5, 1);
    expect(rocAuc(scores, scores)).toBe(0.5);
    const high = Array.from(scores, (x) => x + 100);
    expect(rocAuc(high, other)).toBe(1);
    expect(rocAuc(other, high)).toBe(0);
  });

  test('ties count one half', () => {
    expect(rocAuc([1, 2], [1, 0])).toBeCloseTo((0.5 + 1 + 1 + 1) / 4, 12);
  });
});

describe('SSIM', () => {
  const images = () =>
    tf.tidy(() => {
      const y = tf.linspace(0, 1, 28).reshape([1, 28, 1, 1]);
      const x = tf.linspace(0, 1, 28).reshape([1, 1, 28, 1]);
      const rings = tf.mul(0.5, tf.add(1, tf.sin(tf.mul(12, tf.add(tf.square(tf.sub(x, 0.5)), tf.square(tf.sub(y, 0.5)))))));
      return tf.concat([rings, tf.sub(1, rings)]) as tf.Tensor4D;
    });

  test('an image against itself scores 1, with or without a mask', async () => {
    const a = images();
    const mask = tf.tidy(() => tf.pad(tf.ones([1, 14, 14, 1]), [[0, 0], [7, 7], [7, 7], [0, 0]]) as tf.Tensor4D);
    expect(await ssim(a, a)).toBeCloseTo(1, 5);
    expect(await ssim(a, a, mask)).toBeCloseTo(1, 5);
    tf.dispose([a, mask]);
  });

  test('noise lowers it, more noise lowers it more; noise outside the mask does not count inside it', async () => {
    const a = images();
    const noise = tf.randomNormal(a.shape, 0, 1, 'float32', 13);
    const slightly = tf.tidy(() => tf.clipByValue(tf.add(a, tf.mul(noise, 0.05)), 0, 1) as tf.Tensor4D);
    const heavily = tf.tidy(() => tf.clipByValue(tf.add(a, tf.mul(noise, 0.3)), 0, 1) as tf.Tensor4D);
    const [clean, light, heavy] = await Promise.all([ssim(a, a), ssim(a, slightly), ssim(a, heavily)]);
    expect(light).toBeLessThan(clean - 0.05);
    expect(heavy).toBeLessThan(light - 0.2);

    // Noise only in the top-left corner, far (more than a window radius) from a bottom-right mask.
    const corner = tf.tidy(() => tf.pad(tf.ones([1, 8, 8, 1]), [[0, 0], [0, 20], [0, 20], [0, 0]]));
    const mask = tf.tidy(() => tf.pad(tf.ones([1, 8, 8, 1]), [[0, 0], [20, 0], [20, 0], [0, 0]]) as tf.Tensor4D);
    const cornerNoise = tf.tidy(() => tf.add(a, tf.mul(tf.mul(noise, 0.3), corner)) as tf.Tensor4D);
    expect(await ssim(a, cornerNoise, mask)).toBeCloseTo(1, 5);
    expect(await ssim(a, cornerNoise)).toBeLessThan(0.95);
    const perImage = ssimPerImage(a, heavily);
    expect(perImage.shape).toEqual([2]);
    tf.dispose([a, noise, slightly, heavily, corner, mask, cornerNoise, perImage]);
  });
});

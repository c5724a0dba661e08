/**
 * The paper's output metrics (FID, Inception Score, cosine similarity to the ground truth),
 * plus SSIM and the ROC AUC of the membership audit.
 *
 * FID, IS, cosine and AUC are plain JS in float64 on small row-major matrices (a few thousand
 * rows of a 64-d embedding or 10 class probabilities): exact, backend-independent, and the
 * matrix square root they need has no tfjs op. SSIM works on image tensors with tf ops.
 */
import * as tf from '@tensorflow/tfjs';

/** `values.length / dim` row vectors of length `dim`, row-major (e.g. from `classifySet`). */
export interface Features {
  values: ArrayLike<number>;
  dim: number;
}

function rowCount(features: Features): number {
  const rows = features.values.length / features.dim;
  if (!Number.isInteger(rows)) throw new Error(`${features.values.length} values do not split into rows of ${features.dim}`);
  return rows;
}

// ---------------------------------------------------------------------------------------
// Fréchet distance

/** Mean and sample covariance (n - 1): `covariance` is dim x dim, row-major. */
export interface Moments {
  mean: Float64Array;
  covariance: Float64Array;
}

export function moments(features: Features): Moments {
  const { values, dim } = features;
  const n = rowCount(features);
  if (n < 2) throw new Error(`a covariance needs at least 2 rows, got ${n}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) centred[j] = values[i * dim + j] - mean[j];
    for (let j = 0; j < dim; j++) for (let k = j; k < dim; k++) covariance[j * dim + k] += centred[j] * centred[k];
  }
  for (let j = 0; j < dim; j++) {
    for (let k = j; k < dim; k++) {
      covariance[j * dim + k] /= n - 1;
      covariance[k * dim + j] = covariance[j * dim + k];
    }
  }
  return { mean, covariance };
}

/**
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations: slower than QR
 * but simple, and accurate even for the tiny eigenvalues of a near-singular covariance.
 * Returns the eigenvalues and the eigenvectors as the columns of `vectors` (row-major).
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offDiagonal += a[p * n + q] * a[p * n + q];
    if (offDiagonal <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // Rotation that zeroes a[p][q] (Numerical Recipes' form, the smaller of the two angles).
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]), vectors: v };
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/** Square root of a symmetric positive semi-definite matrix, rounding-error negative eigenvalues clamped to 0. */
function psdSqrt(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const out = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    const root = Math.sqrt(Math.max(0, values[e]));
    if (root === 0) continue;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] += root * vectors[i * n + e] * vectors[j * n + e];
  }
  return out;
}

/**
 * |μa − μb|² + Tr(Σa + Σb − 2(Σa Σb)^½). Tr((Σa Σb)^½) is taken as the sum of the square roots
 * of the eigenvalues of Σa^½ Σb Σa^½ (similar to Σa Σb, but symmetric PSD, so the eigenvalues are
 * real and the tiny negative ones that rounding produces can be clamped to 0).
 */
export function frechetDistanceFromMoments(a: Moments, b: Moments): number {
  const dim = a.mean.length;
  if (b.mean.length !== dim) throw new Error(`feature sizes differ: ${dim} vs ${b.mean.length}`);
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (a.mean[j] - b.mean[j]) ** 2;
  let traces = 0;
  for (let j = 0; j < dim; j++) traces += a.covariance[j * dim + j] + b.covariance[j * dim + j];
  const rootA = psdSqrt(a.covariance, dim);
  const middle = multiply(multiply(rootA, b.covariance, dim), rootA, dim);
  // Symmetrise away the rounding of the two products before the symmetric solver sees it.
  for (let i = 0; i < dim; i++) {
    for (let j = i + 1; j < dim; j++) {
      const average = (middle[i * dim + j] + middle[j * dim + i]) / 2;
      middle[i * dim + j] = average;
      middle[j * dim + i] = average;
    }
  }
  let traceRoot = 0;
  for (const value of symmetricEigen(middle, dim).values) traceRoot += Math.sqrt(Math.max(0, value));
  // A distance: a result below 0 can only be rounding.
  return Math.max(0, meanTerm + traces - 2 * traceRoot);
}

/** FID between two sets of embeddings (each at least 2 rows; sample covariance with n − 1). */
export function frechetDistance(a: Features, b: Features): number {
  if (a.dim !== b.dim) throw new Error(`feature sizes differ: ${a.dim} vs ${b.dim}`);
  return frechetDistanceFromMoments(moments(a), moments(b));
}

// ---------------------------------------------------------------------------------------
// Inception Score, cosine similarity, ROC AUC

/**
 * exp(E_x KL(p(y|x) || p(y))) with p(y) the mean of the rows, in one split (the original's 10
 * splits only add a spread). 1 when every image gets the same distribution; K for confident
 * predictions spread evenly over K classes. Rows must be probabilities (0 log 0 is taken as 0).
 */
export function inceptionScore(probabilities: Features): number {
  const { values, dim } = probabilities;
  const n = rowCount(probabilities);
  if (n === 0) throw new Error('no predictions to score');
  const marginal = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) marginal[k] += values[i * dim + k] / n;
  let klSum = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      const p = values[i * dim + k];
      if (p > 0) klSum += p * (Math.log(p) - Math.log(marginal[k]));
    }
  }
  return Math.exp(klSum / n);
}

/** Mean over i of cos(a_i, b_i) (each output against its own ground truth); a zero vector scores 0. */
export function meanCosineSimilarity(a: Features, b: Features): number {
  if (a.dim !== b.dim || a.values.length !== b.values.length) {
    throw new Error(`cosine similarity needs paired rows of one size: ${a.values.length}/${a.dim} vs ${b.values.length}/${b.dim}`);
  }
  const { dim } = a;
  const n = rowCount(a);
  if (n === 0) throw new Error('no pairs to compare');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let dot = 0;
    let normA = 0;
    let normB = 0;
    for (let j = 0; j < dim; j++) {
      const x = a.values[i * dim + j];
      const y = b.values[i * dim + j];
      dot += x * y;
      normA += x * x;
      normB += y * y;
    }
    const norms = Math.sqrt(normA * normB);
    if (norms > 0) sum += dot / norms;
  }
  return sum / n;
}

/**
 * Area under the ROC curve of a score that should be higher for `positives` (e.g. the loss of
 * forget images vs never-seen ones): P(positive > negative) + ½ P(tie), by the Mann-Whitney U
 * with tied scores given their average rank. 0.5 = the score cannot tell the sets apart.
 */
export function rocAuc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const np = positives.length;
  const nn = negatives.length;
  if (np === 0 || nn === 0) throw new Error(`AUC needs both sets non-empty (${np} positives, ${nn} negatives)`);
  const scored = [
    ...Array.from(positives, (score) => ({ score, positive: true })),
    ...Array.from(negatives, (score) => ({ score, positive: false })),
  ].sort((x, y) => x.score - y.score);
  let positiveRankSum = 0;
  for (let start = 0; start < scored.length; ) {
    let end = start;
    while (end < scored.length && scored[end].score === scored[start].score) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (scored[i].positive) positiveRankSum += averageRank;
    start = end;
  }
  return (positiveRankSum - (np * (np + 1)) / 2) / (np * nn);
}

// ---------------------------------------------------------------------------------------
// SSIM

const SSIM_WINDOW = 11;
const SSIM_SIGMA = 1.5;
/** (K1 L)² and (K2 L)² with K1 = 0.01, K2 = 0.03 and data range L = 1. */
const SSIM_C1 = 0.01 ** 2;
const SSIM_C2 = 0.03 ** 2;

function gaussianWindow(channels: number): tf.Tensor4D {
  const half = (SSIM_WINDOW - 1) / 2;
  const line = Array.from({ length: SSIM_WINDOW }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * SSIM_SIGMA ** 2)));
  const total = line.reduce((a, b) => a + b, 0);
  const values = new Float32Array(SSIM_WINDOW * SSIM_WINDOW * channels);
  for (let y = 0; y < SSIM_WINDOW; y++) {
    for (let x = 0; x < SSIM_WINDOW; x++) values.fill((line[y] * line[x]) / (total * total), (y * SSIM_WINDOW + x) * channels, (y * SSIM_WINDOW + x + 1) * channels);
  }
  return tf.tensor4d(values, [SSIM_WINDOW, SSIM_WINDOW, channels, 1]);
}

/**
 * SSIM per image (Wang et al. 2004: Gaussian window 11, σ 1.5, K1 0.01, K2 0.03, data range 1)
 * for images [n, H, W, C] in [0, 1]. The local statistics are taken over a reflect-padded image,
 * so the SSIM map covers every pixel (H and W must exceed 5); it is then averaged over the pixels
 * and channels of each image, or, given `mask` ([n or 1, H, W, 1], 1 = hidden), over the masked pixels
 * only: windows centred in the hole still see its surroundings, as the map always does.
 */
export function ssimPerImage(imagesA: tf.Tensor4D, imagesB: tf.Tensor4D, mask?: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const channels = imagesA.shape[3];
    const half = (SSIM_WINDOW - 1) / 2;
    const stats = tf.concat([imagesA, imagesB, tf.square(imagesA), tf.square(imagesB), tf.mul(imagesA, imagesB)], 3);
    const padded = tf.mirrorPad(stats, [[0, 0], [half, half], [half, half], [0, 0]], 'reflect') as tf.Tensor4D;
    const local = tf.depthwiseConv2d(padded, gaussianWindow(5 * channels), 1, 'valid');
    const [meanA, meanB, meanAA, meanBB, meanAB] = tf.split(local, 5, 3);
    const meanA2 = tf.square(meanA);
    const meanB2 = tf.square(meanB);
    const meanProduct = tf.mul(meanA, meanB);
    const varianceA = tf.sub(meanAA, meanA2);
    const varianceB = tf.sub(meanBB, meanB2);
    const covariance = tf.sub(meanAB, meanProduct);
    const map = tf.div(
      tf.mul(tf.add(tf.mul(meanProduct, 2), SSIM_C1), tf.add(tf.mul(covariance, 2), SSIM_C2)),
      tf.mul(tf.add(tf.add(meanA2, meanB2), SSIM_C1), tf.add(tf.add(varianceA, varianceB), SSIM_C2)),
    );
    if (!mask) return tf.mean(map, [1, 2, 3]) as tf.Tensor1D;
    return tf.div(tf.sum(tf.mul(map, mask), [1, 2, 3]), tf.mul(tf.sum(mask, [1, 2, 3]), channels)) as tf.Tensor1D;
  });
}

/** Mean over images of `ssimPerImage`. */
export async function ssim(imagesA: tf.Tensor4D, imagesB: tf.Tensor4D, mask?: tf.Tensor4D): Promise<number> {
  const mean = tf.tidy(() => tf.mean(ssimPerImage(imagesA, imagesB, mask)));
  const value = (await mean.data())[0];
  mean.dispose();
  return value;
}

/**
 * Training kernels for tfjs's wasm backend (@tensorflow/tfjs-backend-wasm 4.22).
 *
 * Stock wasm cannot train convolutions: Conv2DBackpropFilter, the depthwise backprops and
 * UnsortedSegmentSum (gradient of tf.gather) are not registered, and its Conv2DBackpropInput
 * (also the forward kernel of tf.conv2dTranspose) is a scalar loop. Every kernel here is
 * rewritten as a composition of kernels wasm already has, so the heavy lifting happens in one
 * XNNPACK convolution / GEMM:
 *  - dW = one Conv2D over (x with batch and channel swapped) and (dy as the filter), where
 *    the forward stride becomes the dilation and the forward dilation becomes the stride.
 *  - dx = one stride-1 Conv2D of dy against the flipped, in/out-swapped filter with every
 *    stride phase as extra output channels, then a depth-to-space interleave (no zero
 *    insertion, so no wasted multiplies); zero-upsampling remains for dilated and depthwise cases.
 * Two stock kernels are replaced for speed: BatchMatMul (XNNPACK for transposed and batched
 * operands, not the scalar loop) and Identity (shared, not copied: the tape clones through it).
 * Kernels are called directly through the registry (no tf ops, so no engine bookkeeping
 * or tape inside a kernel); every intermediate is freed with backend.disposeData.
 * No DOM: runs in Node and in Web Workers.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;
type Attrs = Record<string, unknown>;
type Pair = [number, number];
type PadAttr = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type RoundMode = 'floor' | 'round' | 'ceil' | undefined;
type Shape4 = [number, number, number, number];

const BACKEND = 'wasm';
/** Marks our kernelFuncs so a second call (or a second copy of this module) is a no-op. */
const MARK = '__wasmTrainingKernel';

export const WASM_TRAINING_KERNELS: readonly string[] = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'BatchMatMul',
  'Identity',
];

/** The stock BatchMatMul kernel; our wrapper only feeds it untransposed operands. */
let originalBatchMatMul: tf.KernelConfig | undefined;

function run(name: string, backend: BackendWasm, inputs: Record<string, Info>, attrs: Attrs = {}): Info {
  const config = name === 'BatchMatMul' && originalBatchMatMul ? originalBatchMatMul : tf.getKernel(name, BACKEND);
  if (!config) throw new Error(`wasm-training-kernels: wasm kernel '${name}' is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs } as never) as Info | Info[];
  return Array.isArray(out) ? out[0] : out;
}

function free(backend: BackendWasm, ...infos: (Info | undefined)[]): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

const reshape = (b: BackendWasm, x: Info, shape: number[]): Info => run('Reshape', b, { x }, { shape });
const transpose = (b: BackendWasm, x: Info, perm: number[]): Info => run('Transpose', b, { x }, { perm });

function pair(v: unknown, name: string): Pair {
  if (v == null) return [1, 1];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [v[0] as number, v[1] as number];
  throw new Error(`wasm-training-kernels: ${name} must be a number or [h, w], got ${String(v)}`);
}

function assertNHWC(attrs: Attrs, kernel: string): void {
  const f = attrs.dataFormat;
  if (f != null && f !== 'NHWC' && f !== 'channelsLast') {
    throw new Error(`wasm-training-kernels: ${kernel} supports only NHWC (got dataFormat '${String(f)}')`);
  }
}

/** Crops a 4-D tensor to [0, top, left, 0] + [n, h, w, c] unless it already has that shape. */
function cropHW(b: BackendWasm, x: Info, top: number, left: number, h: number, w: number): Info {
  if (top === 0 && left === 0 && x.shape[1] === h && x.shape[2] === w) return x;
  const out = run('Slice', b, { x }, { begin: [0, top, left, 0], size: [x.shape[0], h, w, x.shape[3]] });
  free(b, x);
  return out;
}

/** Inserts stride-1 zeros after every row/column of an NHWC tensor (sizes become o*s). */
function upsampleZeros(b: BackendWasm, x: Info, [sh, sw]: Pair): Info {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const r6 = reshape(b, x, [n, h, 1, w, 1, c]);
  const padded = run('PadV2', b, { x: r6 }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
    constantValue: 0,
  });
  free(b, r6);
  const out = reshape(b, padded, [n, h * sh, w * sw, c]);
  free(b, padded);
  return out;
}

interface Geometry {
  inH: number; inW: number; kh: number; kw: number;
  outH: number; outW: number;
  s: Pair; d: Pair;
  top: number; left: number;
}

function geometry(
  xShape: Shape4, filterShape: Shape4, attrs: Attrs, depthwise: boolean,
): Geometry {
  const strides = pair(attrs.strides, 'strides');
  const dilations = pair(attrs.dilations, 'dilations');
  const info = tf.backend_util.computeConv2DInfo(
    xShape, filterShape, strides, dilations, attrs.pad as PadAttr,
    attrs.dimRoundingMode as RoundMode, depthwise, 'channelsLast',
  );
  return {
    inH: info.inHeight, inW: info.inWidth, kh: info.filterHeight, kw: info.filterWidth,
    outH: info.outHeight, outW: info.outWidth, s: strides, d: dilations,
    top: info.padInfo.top, left: info.padInfo.left,
  };
}

/**
 * Per-axis plan of the dW convolution: image = x (size H, padded `before`/`after`),
 * kernel = dy (size o, dilated by s), stride d. Its natural output can exceed k (unused
 * trailing input rows), so `k` is what to keep.
 */
function filterGradAxis(H: number, k: number, s: number, d: number, padBefore: number, o: number) {
  const after = Math.max(0, (k - 1) * d + (o - 1) * s + 1 - padBefore - H);
  return { before: padBefore, after, keep: k };
}

/**
 * Per-axis plan of the dx convolution: image = dy upsampled to o*s, flipped kernel k dilated
 * by d, stride 1. Negative pads are clamped and the excess cropped (`crop` rows at the start).
 */
function inputGradAxis(H: number, k: number, s: number, d: number, padBefore: number, o: number) {
  const before = (k - 1) * d - padBefore;
  const after = H + padBefore - o * s;
  return { before: Math.max(0, before), after: Math.max(0, after), crop: Math.max(0, -before) };
}

const explicitPad = (t: number, bo: number, l: number, r: number) => [[0, 0], [t, bo], [l, r], [0, 0]];

// ---------------------------------------------------------------------------------------
// Conv2D gradients

function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }): Info {
  assertNHWC(attrs, 'Conv2DBackpropFilter');
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as Shape4;
  const g = geometry(x.shape as Shape4, filterShape, attrs, false);
  const [, oh, ow] = dy.shape;
  const ph = filterGradAxis(g.inH, g.kh, g.s[0], g.d[0], g.top, oh);
  const pw = filterGradAxis(g.inW, g.kw, g.s[1], g.d[1], g.left, ow);

  const xT = transpose(backend, x, [3, 1, 2, 0]); // [in, H, W, batch]: batch becomes the channel sum
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oh, ow, batch, out]: dy is the filter
  let r = run('Conv2D', backend, { x: xT, filter: dyT }, {
    strides: g.d, dilations: g.s, pad: explicitPad(ph.before, ph.after, pw.before, pw.after),
    dataFormat: 'NHWC',
  }); // [in, kh', kw', out]
  free(backend, xT, dyT);
  r = cropHW(backend, r, 0, 0, ph.keep, pw.keep);
  const out = transpose(backend, r, [1, 2, 0, 3]); // [kh, kw, in, out]
  free(backend, r);
  return out;
}

function conv2DBackpropInput({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }): Info {
  assertNHWC(attrs, 'Conv2DBackpropInput');
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as Shape4;
  const g = geometry(inputShape, filter.shape as Shape4, attrs, false);
  const [, oh, ow] = dy.shape;
  const ph = inputGradAxis(g.inH, g.kh, g.s[0], g.d[0], g.top, oh);
  const pw = inputGradAxis(g.inW, g.kw, g.s[1], g.d[1], g.left, ow);

  if (g.d[0] === 1 && g.d[1] === 1 && (g.s[0] > 1 || g.s[1] > 1)) {
    return conv2DBackpropInputSubPixel(backend, dy, filter, g);
  }
  const up = upsampleZeros(backend, dy, g.s);
  const w = dxFilter(backend, filter, 1, 1); // [kh, kw, out, in], flipped
  const r = run('Conv2D', backend, { x: up, filter: w }, {
    strides: [1, 1], dilations: g.d, pad: explicitPad(ph.before, ph.after, pw.before, pw.after),
    dataFormat: 'NHWC',
  });
  if (up !== dy) free(backend, up);
  free(backend, w);
  return cropHW(backend, r, ph.crop, pw.crop, g.inH, g.inW);
}

/**
 * The filter of the dx convolution, [kh, kw, in, out] -> [Kh, Kw, out, sh*sw*in] with
 * Kh = ceil(kh / sh): output tap (a, phase) is kernel row (Kh-1-a)*sh + phase (flipped), zero
 * past the kernel; sh = sw = 1 is the plain flipped, in/out-swapped filter. One pass in JS over
 * the small filter: wasm's Reverse and rank-6 Transpose cost more than the convolution itself.
 */
function dxFilter(backend: BackendWasm, filter: Info, sh: number, sw: number): Info {
  const [kh, kw, ci, co] = filter.shape;
  const Kh = Math.ceil(kh / sh);
  const Kw = Math.ceil(kw / sw);
  const groups = sh * sw * ci;
  const out = backend.makeOutput([Kh, Kw, co, groups], 'float32') as Info;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const src = backend.typedArrayFromHeap(filter) as Float32Array; // after makeOutput, which may grow the heap
  dst.fill(0);
  for (let a = 0; a < Kh; a++) {
    for (let ph = 0; ph < sh; ph++) {
      const row = (Kh - 1 - a) * sh + ph;
      if (row >= kh) continue;
      for (let b = 0; b < Kw; b++) {
        for (let pw = 0; pw < sw; pw++) {
          const col = (Kw - 1 - b) * sw + pw;
          if (col >= kw) continue;
          const from = (row * kw + col) * ci * co;
          const to = (a * Kw + b) * co * groups + (ph * sw + pw) * ci;
          for (let i = 0; i < ci; i++) {
            for (let o = 0; o < co; o++) dst[to + o * groups + i] = src[from + i * co + o];
          }
        }
      }
    }
  }
  return out;
}

/**
 * Strided dx without zero-insertion: output row h = q*s + phase - padTop only sees taps
 * i = m*s + phase, so all s*s phases are one stride-1 Conv2D of dy against a filter whose
 * output channels are (phaseH, phaseW, in), followed by a depth-to-space interleave.
 * Versus the zero-upsampled conv this does ~k²/ceil(k/s)² fewer MACs and never
 * materializes the upsampled dy.
 */
function conv2DBackpropInputSubPixel(backend: BackendWasm, dy: Info, filter: Info, g: Geometry): Info {
  const [sh, sw] = g.s;
  const [n, oh, ow] = dy.shape;
  const ci = filter.shape[2];
  const axis = (H: number, k: number, s: number, pt: number, o: number) => {
    const K = Math.ceil(k / s);
    const qMin = Math.floor(pt / s);
    const qMax = Math.floor((H - 1 + pt) / s);
    const qStart = Math.min(qMin, K - 1);
    return { K, before: K - 1 - qStart, after: Math.max(0, qMax + 1 - o), crop: pt - qStart * s };
  };
  const ah = axis(g.inH, g.kh, sh, g.top, oh);
  const aw = axis(g.inW, g.kw, sw, g.left, ow);

  const w = dxFilter(backend, filter, sh, sw); // [K'h, K'w, out, sh*sw*in]

  const r = run('Conv2D', backend, { x: dy, filter: w }, {
    strides: [1, 1], dilations: [1, 1], pad: explicitPad(ah.before, ah.after, aw.before, aw.after),
    dataFormat: 'NHWC',
  }); // [n, L, L', sh*sw*in]
  free(backend, w);
  const [, L, Lw] = r.shape;
  const r6 = reshape(backend, r, [n, L, Lw, sh, sw, ci]);
  free(backend, r);
  const it = transpose(backend, r6, [0, 1, 3, 2, 4, 5]);
  free(backend, r6);
  const full = reshape(backend, it, [n, L * sh, Lw * sw, ci]);
  free(backend, it);
  return cropHW(backend, full, ah.crop, aw.crop, g.inH, g.inW);
}

// ---------------------------------------------------------------------------------------
// Depthwise gradients (filter [kh, kw, C, M], output channels C*M)

function depthwiseBackpropFilter({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }): Info {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as Shape4;
  const [kh, kw, C, M] = filterShape;
  const g = geometry(x.shape as Shape4, filterShape, attrs, true);
  const [n, oh, ow] = dy.shape;
  const [, H, W] = x.shape;
  const ph = filterGradAxis(g.inH, g.kh, g.s[0], g.d[0], g.top, oh);
  const pw = filterGradAxis(g.inW, g.kw, g.s[1], g.d[1], g.left, ow);

  // Image [1, H, W, n*C] and filter [oh, ow, n*C, M]: one depthwise conv yields every
  // (sample, channel) partial dW; summing over samples afterwards gives dW.
  const xT = transpose(backend, x, [1, 2, 0, 3]);
  const xImg = reshape(backend, xT, [1, H, W, n * C]);
  free(backend, xT);
  const dy5 = reshape(backend, dy, [n, oh, ow, C, M]);
  const dyT = transpose(backend, dy5, [1, 2, 0, 3, 4]);
  free(backend, dy5);
  const f = reshape(backend, dyT, [oh, ow, n * C, M]);
  free(backend, dyT);
  let r = run('DepthwiseConv2dNative', backend, { x: xImg, filter: f }, {
    strides: g.d, dilations: g.s, pad: explicitPad(ph.before, ph.after, pw.before, pw.after),
  }); // [1, kh', kw', n*C*M]
  free(backend, xImg, f);
  r = cropHW(backend, r, 0, 0, kh, kw);
  const r4 = reshape(backend, r, [kh, kw, n, C * M]);
  free(backend, r);
  const summed = n === 1 ? r4 : run('Sum', backend, { x: r4 }, { axis: [2], keepDims: false });
  if (summed !== r4) free(backend, r4);
  const out = reshape(backend, summed, [kh, kw, C, M]);
  free(backend, summed);
  return out;
}

function depthwiseBackpropInput({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }): Info {
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as Shape4;
  const [kh, kw, C, M] = filter.shape;
  const g = geometry(inputShape, filter.shape as Shape4, attrs, true);
  const [n, oh, ow] = dy.shape;
  const ph = inputGradAxis(g.inH, g.kh, g.s[0], g.d[0], g.top, oh);
  const pw = inputGradAxis(g.inW, g.kw, g.s[1], g.d[1], g.left, ow);

  // Each of the C*M dy channels is convolved with its own flipped tap, then the M
  // multiplier channels of every input channel are summed.
  const up = upsampleZeros(backend, dy, g.s);
  const flipped = run('Reverse', backend, { x: filter }, { dims: [0, 1] });
  const w = reshape(backend, flipped, [kh, kw, C * M, 1]);
  free(backend, flipped);
  let r = run('DepthwiseConv2dNative', backend, { x: up, filter: w }, {
    strides: [1, 1], dilations: g.d, pad: explicitPad(ph.before, ph.after, pw.before, pw.after),
  });
  if (up !== dy) free(backend, up);
  free(backend, w);
  r = cropHW(backend, r, ph.crop, pw.crop, g.inH, g.inW);
  if (M === 1) return r;
  const r5 = reshape(backend, r, [n, g.inH, g.inW, C, M]);
  free(backend, r);
  const out = run('Sum', backend, { x: r5 }, { axis: [4], keepDims: false });
  free(backend, r5);
  return out;
}

// ---------------------------------------------------------------------------------------
// UnsortedSegmentSum via ScatterNd (which accumulates duplicate indices)

function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }): Info {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  const idRank = segmentIds.shape.length;
  const count = tf.util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(idRank);
  const outShape = [numSegments, ...rest];

  // Ids outside [0, numSegments) are dropped (as on cpu): route them to an extra trash row.
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array | Float32Array;
  let invalid = false;
  for (let i = 0; i < count; i++) {
    const v = ids[i];
    if (!(v >= 0 && v < numSegments) || v !== Math.floor(v)) { invalid = true; break; }
  }
  let indices: Info;
  if (!invalid && segmentIds.dtype === 'int32') {
    indices = reshape(backend, segmentIds, [count, 1]);
  } else {
    indices = backend.makeOutput([count, 1], 'int32') as Info;
    const dst = backend.typedArrayFromHeap(indices) as Int32Array;
    const src = backend.typedArrayFromHeap(segmentIds); // re-read: makeOutput may grow the heap
    for (let i = 0; i < count; i++) {
      const v = src[i];
      dst[i] = v >= 0 && v < numSegments && v === Math.floor(v) ? v : numSegments;
    }
  }
  const updates = reshape(backend, x, [count, ...rest]);
  const shape = invalid ? [numSegments + 1, ...rest] : outShape;
  let out = run('ScatterNd', backend, { indices, updates }, { shape });
  free(backend, indices, updates);
  if (invalid) {
    const sliced = run('Slice', backend, { x: out }, {
      begin: outShape.map(() => 0), size: outShape,
    });
    free(backend, out);
    out = sliced;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// BatchMatMul: XNNPACK's fast path takes only untransposed operands with a batch of one (the
// rest goes to a scalar loop, ~10x slower): transpose explicitly, and run a batch (attention's
// [n·heads, t, t]) as one XNNPACK GEMM per matrix over views into the operands' memory.

/** The wasm export the stock kernel wraps: (a_id, a_shape, a_rank, b_id, b_shape, b_rank, transpose_a, transpose_b, out_id). */
type WasmMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, transposeA: boolean, transposeB: boolean, outId: number) => void;
const wasmMatMuls = new WeakMap<object, WasmMatMul>();

interface WasmInternals {
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
}

function wasmMatMul(backend: BackendWasm): WasmMatMul {
  let call = wasmMatMuls.get(backend.wasm);
  if (!call) {
    // Emscripten's cwrap is on the module at run time; tfjs's typings leave it out.
    const { cwrap } = backend.wasm as unknown as { cwrap: (name: string, returns: null, args: string[]) => unknown };
    call = cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as WasmMatMul;
    wasmMatMuls.set(backend.wasm, call);
  }
  return call;
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/** a [..., m, k] · b [..., k, n], untransposed, batch > 1, batches equal or one of them 1. */
function matMulPerMatrix(backend: BackendWasm, a: Info, b: Info): Info {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const outerShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outerShape, m, n], 'float32');
  const internals = backend as unknown as WasmInternals;
  const offset = (t: Info) => internals.dataIdMap.get(t.dataId).memoryOffset;
  const [aBase, bBase, outBase] = [offset(a), offset(b), offset(out)];
  const { tfjs } = backend.wasm;
  // A view is a tensor id over part of another tensor's memory: registered, used, unregistered
  // (unregistering also frees the XNNPACK operator cached on the view), never freed itself.
  const view = (base: number, size: number) => {
    const id = internals.dataIdNextNumber++;
    tfjs.registerTensor(id, size, base);
    return id;
  };
  const call = wasmMatMul(backend);
  const [aShape, bShape] = [shapeBytes([1, m, k]), shapeBytes([1, k, n])];
  for (let i = 0; i < batch; i++) {
    const aId = view(aBase + (batchA === 1 ? 0 : i * m * k * 4), m * k);
    const bId = view(bBase + (batchB === 1 ? 0 : i * k * n * 4), k * n);
    const outId = view(outBase + i * m * n * 4, m * n);
    call(aId, aShape, 3, bId, bShape, 3, false, false, outId);
    tfjs.disposeData(aId);
    tfjs.disposeData(bId);
    tfjs.disposeData(outId);
  }
  return out;
}

function batchMatMul({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }): Info {
  const { a, b } = inputs;
  const swapLast = (t: Info) => {
    const r = t.shape.length;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return transpose(backend, t, perm);
  };
  const aa = attrs.transposeA ? swapLast(a) : a;
  const bb = attrs.transposeB ? swapLast(b) : b;
  const batchA = tf.util.sizeFromShape(aa.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(bb.shape.slice(0, -2));
  const perMatrix = Math.max(batchA, batchB) > 1 && (batchA === batchB || batchA === 1 || batchB === 1) && aa.dtype === 'float32' && bb.dtype === 'float32';
  const out = perMatrix ? matMulPerMatrix(backend, aa, bb) : run('BatchMatMul', backend, { a: aa, b: bb }, { ...attrs, transposeA: false, transposeB: false });
  if (aa !== a) free(backend, aa);
  if (bb !== b) free(backend, bb);
  return out;
}

// ---------------------------------------------------------------------------------------
// Identity: the tape clones every tensor a gradient needs through it (hundreds per step), and
// stock wasm copies the bytes each time. Tensors are immutable, so share them, as Reshape does.

function identity({ inputs, backend }: { inputs: Record<string, Info>; backend: BackendWasm }): Info {
  const { x } = inputs;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

// ---------------------------------------------------------------------------------------

const IMPLS: Record<string, (args: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }) => Info> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  UnsortedSegmentSum: unsortedSegmentSum,
  BatchMatMul: batchMatMul,
  Identity: identity,
};

const isOurs = (config: tf.KernelConfig | undefined): boolean =>
  !!config && (config.kernelFunc as unknown as Record<string, unknown>)[MARK] === true;

/**
 * Registers the kernels of WASM_TRAINING_KERNELS for the 'wasm' backend, replacing stock
 * ones. Idempotent. Call after '@tensorflow/tfjs-backend-wasm' has been imported; wasm need
 * not be the active backend.
 */
export function registerWasmTrainingKernels(): void {
  const stockMatMul = tf.getKernel('BatchMatMul', BACKEND);
  if (!stockMatMul) {
    throw new Error(
      "wasm-training-kernels: the wasm backend's kernels are not registered; import '@tensorflow/tfjs-backend-wasm' first",
    );
  }
  if (!isOurs(stockMatMul)) originalBatchMatMul = stockMatMul;
  else if (!originalBatchMatMul) {
    // Another copy of this module wrapped it already: keep that registration.
    return;
  }
  for (const name of WASM_TRAINING_KERNELS) {
    const existing = tf.getKernel(name, BACKEND);
    if (isOurs(existing)) continue;
    const impl = IMPLS[name];
    const kernelFunc = ((args: unknown) => impl(args as never)) as unknown as tf.KernelFunc;
    (kernelFunc as unknown as Record<string, unknown>)[MARK] = true;
    const config: tf.KernelConfig = { kernelName: name, backendName: BACKEND, kernelFunc };
    // The wrapped BatchMatMul still needs the stock setup (it cwraps the wasm export) when
    // the wasm backend is initialized after this registration.
    if (name === 'BatchMatMul' && originalBatchMatMul) {
      config.setupFunc = originalBatchMatMul.setupFunc;
      config.disposeFunc = originalBatchMatMul.disposeFunc;
    }
    if (existing) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(config);
  }
}

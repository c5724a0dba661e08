/**
 * IDX files (the MNIST container): a magic number whose third byte is the element type and
 * whose fourth is the rank, then one big-endian uint32 per dimension, then the data.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

export function parseIdx(bytes: Uint8Array): IdxArray {
  if (bytes.length < 4) throw new Error('IDX: file too short for a header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) throw new Error('IDX: bad magic number');
  const type = bytes[2];
  if (type !== UNSIGNED_BYTE) throw new Error(`IDX: element type 0x${type.toString(16)} is not supported (only unsigned bytes)`);
  const rank = bytes[3];
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) throw new Error('IDX: truncated header');
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < headerLength + count) {
    throw new Error(`IDX: expected ${count} values, file holds ${bytes.length - headerLength}`);
  }
  return { dims, data: bytes.subarray(headerLength, headerLength + count) };
}

/** Writes an IDX file of unsigned bytes (used to ship a subset of a dataset). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = UNSIGNED_BYTE;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

import type { ImageSet } from './image-set';
import type { ClassSplit } from './splits';
import { isHeldOut, type OwnSets } from '../../shared/own';

function toSet(bytes: Uint8Array, own: OwnSets, label: number): ImageSet {
  const size = own.height * own.width * own.channels;
  if (bytes.length % size !== 0) throw new Error(`${bytes.length} bytes are not a whole number of ${own.height}×${own.width}×${own.channels} images`);
  const count = bytes.length / size;
  return { pixels: bytes, labels: new Int32Array(count).fill(label), count, height: own.height, width: own.width, channels: own.channels };
}

function pick(set: ImageSet, keep: (i: number) => boolean): ImageSet {
  const size = set.height * set.width * set.channels;
  const indices = Array.from({ length: set.count }, (_, i) => i).filter(keep);
  const pixels = new Uint8Array(indices.length * size);
  indices.forEach((src, dst) => pixels.set(set.pixels.subarray(src * size, (src + 1) * size), dst * size));
  return { ...set, pixels, labels: set.labels.slice(0, indices.length), count: indices.length };
}

function splitSet(set: ImageSet, name: string): { train: ImageSet; test: ImageSet } {
  if (set.count < 2) throw new Error(`the ${name} set needs at least 2 images (one is held out to judge the model), it has ${set.count}`);
  return { train: pick(set, (i) => !isHeldOut(i, set.count)), test: pick(set, (i) => isHeldOut(i, set.count)) };
}

/**
 * The user's sets as a ClassSplit (labels 0 forget, 1 retain, 2 proxy). With a proxy, the retain
 * term trains on the whole proxy set while the retain set's held-out images judge what is kept.
 */
export function ownSplit(own: OwnSets): ClassSplit {
  const forget = splitSet(toSet(own.forget, own, 0), 'forget');
  const retain = splitSet(toSet(own.retain, own, 1), 'retain');
  const proxy = own.proxy && own.proxy.length > 0 ? toSet(own.proxy, own, 2) : undefined;
  return { forgetTrain: forget.train, forgetTest: forget.test, retainTrain: proxy ?? retain.train, retainTest: retain.test };
}

/** What an original model trains on: every training image of every set (held-out images stay unseen). */
export function ownTrainingSet(own: OwnSets): ImageSet {
  const forget = splitSet(toSet(own.forget, own, 0), 'forget').train;
  const retain = splitSet(toSet(own.retain, own, 1), 'retain').train;
  const parts = [forget, retain, ...(own.proxy && own.proxy.length > 0 ? [toSet(own.proxy, own, 2)] : [])];
  const pixels = new Uint8Array(parts.reduce((n, p) => n + p.pixels.length, 0));
  let offset = 0;
  for (const part of parts) {
    pixels.set(part.pixels, offset);
    offset += part.pixels.length;
  }
  const labels = Int32Array.from(parts.flatMap((p) => [...p.labels]));
  return { pixels, labels, count: labels.length, height: own.height, width: own.width, channels: own.channels };
}

import * as tf from '@tensorflow/tfjs';
import type { ReadFile, WriteFile } from './io';
import type { ModelPart } from './types';

/** Seeded initial values, so that training repeats exactly on every backend (tfjs reads seed 0 as "unseeded", hence +1). */
export const init = {
  glorot: (shape: number[], seed: number) => tf.initializers.glorotUniform({ seed: seed + 1 }).apply(shape) as tf.Tensor,
  normal: (shape: number[], seed: number, stddev = 0.02) => tf.truncatedNormal(shape, 0, stddev, 'float32', seed + 1),
  zeros: (shape: number[]) => tf.zeros(shape),
  ones: (shape: number[]) => tf.ones(shape),
};

/**
 * A model part as named variables with a hand-written forward pass (transformers, U-Nets): what
 * tfjs-layers cannot express without custom layer classes. Saved in the tfjs weights format.
 */
export class ParameterPart implements ModelPart {
  private readonly byName = new Map<string, tf.Variable>();

  /** Takes ownership of `initial`'s tensors. */
  constructor(initial: [string, tf.Tensor][], trainable = true) {
    for (const [name, value] of initial) {
      if (this.byName.has(name)) throw new Error(`parameter "${name}" is defined twice`);
      this.byName.set(name, tf.variable(value, trainable));
      value.dispose();
    }
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get variables(): tf.Variable[] {
    return [...this.byName.values()];
  }

  get(name: string): tf.Variable {
    const value = this.byName.get(name);
    if (!value) throw new Error(`no parameter "${name}"`);
    return value;
  }

  getWeights(): tf.Tensor[] {
    return this.variables.map((v) => v.clone());
  }

  setWeights(weights: tf.Tensor[]): void {
    const variables = this.variables;
    if (weights.length !== variables.length) throw new Error(`expected ${variables.length} weights, got ${weights.length}`);
    variables.forEach((v, i) => v.assign(weights[i]));
  }

  /** A frozen copy (the teacher, or the original decoder). */
  clone(trainable = false): ParameterPart {
    return new ParameterPart(
      this.names.map((name) => [name, this.get(name).clone()]),
      trainable,
    );
  }

  async save(name: string, write: WriteFile): Promise<void> {
    const named = this.names.map((n) => ({ name: n, tensor: this.get(n) }));
    const { data, specs } = await tf.io.encodeWeights(named);
    const weightsName = `${name}.weights.bin`;
    const json = { format: 'studio-parameters', weightsManifest: [{ paths: [weightsName], weights: specs }] };
    await write(`${name}.json`, new TextEncoder().encode(JSON.stringify(json)));
    await write(weightsName, new Uint8Array(data));
  }

  /**
   * Reads what save wrote; refuses other formats and weights that do not match `expected` (names
   * and shapes). Parameters for which `obsolete` holds (an older architecture's) are skipped.
   */
  static async load(read: ReadFile, name: string, expected: ParameterPart, obsolete: (parameter: string) => boolean = () => false): Promise<ParameterPart> {
    const json = JSON.parse(new TextDecoder().decode(await read(`${name}.json`)));
    const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
    if (json.format !== 'studio-parameters' || !Array.isArray(manifest) || manifest.length !== 1) {
      throw new Error(`${name}.json is not a parameter file written by the studio`);
    }
    const specs = manifest[0].weights;
    for (const spec of specs) {
      if (obsolete(spec.name) && !expected.byName.has(spec.name)) continue;
      const want = expected.byName.get(spec.name);
      if (!want) throw new Error(`${name}: unexpected parameter "${spec.name}"`);
      if (want.shape.join('x') !== spec.shape.join('x')) throw new Error(`${name}: "${spec.name}" is ${spec.shape.join('x')}, the architecture needs ${want.shape.join('x')}`);
    }
    const kept = specs.filter((s) => expected.byName.has(s.name)).length;
    if (kept !== expected.byName.size) throw new Error(`${name}: ${kept} parameters, the architecture has ${expected.byName.size}`);
    const bytes = await read(manifest[0].paths[0]);
    const needed = specs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
    if (bytes.byteLength !== needed) throw new Error(`${name} weights hold ${bytes.byteLength} bytes, the manifest needs ${needed}`);
    const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs);
    expected.names.forEach((n) => expected.get(n).assign(decoded[n]));
    tf.dispose(Object.values(decoded));
    return expected;
  }

  dispose(): void {
    tf.dispose(this.variables);
    this.byName.clear();
  }
}

/**
 * The layering, over the real import graph: ui -> state -> client -> shared, and worker -> core
 * -> shared. The main thread never loads tfjs, the core or the worker's internals; the shared
 * folder may name the core's data types (`import type`, erased at build) but loads nothing of it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const SRC = resolve('src');
type Layer = 'ui' | 'state' | 'client' | 'shared' | 'worker' | 'core' | 'main';

interface Import {
  from: string;
  /** A file under src, or a package name. */
  target: string;
  typeOnly: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  const found = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`${relative(SRC, from)} imports ${spec}, which is not there`);
  return found;
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const target = spec.startsWith('.') ? resolveLocal(file, spec.replace(/\?.*$/, '')) : spec;
    found.push({ from: file, target, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const allNamedTypeOnly = !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly) && !clause?.name;
      add(node.moduleSpecifier.text, !!clause && (clause.isTypeOnly || allNamedTypeOnly));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const allNamedTypeOnly = !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier.text, node.isTypeOnly || allNamedTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function layerOf(path: string): Layer | 'package' {
  if (!path.startsWith(SRC)) return 'package';
  const top = relative(SRC, path).split(/[\\/]/)[0];
  return top === 'main.tsx' ? 'main' : (top as Layer);
}

const ALL = files(SRC);
const GRAPH = new Map(ALL.map((file) => [file, importsOf(file)]));

/** Every file a file loads at run time, transitively (type-only imports load nothing). */
function runtimeClosure(file: string, seen = new Set<string>()): Set<string> {
  for (const { target, typeOnly } of GRAPH.get(file) ?? []) {
    if (typeOnly || seen.has(target)) continue;
    seen.add(target);
    if (target.startsWith(SRC)) runtimeClosure(target, seen);
  }
  return seen;
}

/** What each layer may import directly: at run time, and by type only (besides those). */
const ALLOWED: Record<Layer, { runtime: Layer[]; types: Layer[] }> = {
  main: { runtime: ['ui', 'state'], types: [] },
  ui: { runtime: ['ui', 'state', 'shared'], types: [] },
  state: { runtime: ['state', 'client', 'shared'], types: [] },
  client: { runtime: ['client', 'shared'], types: [] },
  shared: { runtime: ['shared'], types: ['core'] },
  worker: { runtime: ['worker', 'core', 'shared'], types: [] },
  core: { runtime: ['core', 'shared'], types: [] },
};

const MAIN_THREAD: Layer[] = ['main', 'ui', 'state', 'client'];

describe('layers', () => {
  test('each layer imports only the layers below it', () => {
    const broken = [...GRAPH.values()].flat().flatMap(({ from, target, typeOnly }) => {
      const layer = layerOf(from) as Layer;
      const to = layerOf(target);
      if (to === 'package') return [];
      const ok = ALLOWED[layer].runtime.includes(to) || (typeOnly && ALLOWED[layer].types.includes(to));
      return ok ? [] : [`${relative(SRC, from)} -> ${relative(SRC, target)}${typeOnly ? ' (type)' : ''}`];
    });
    expect(broken).toEqual([]);
  });

  test('the main thread never loads tfjs, the core or the worker', () => {
    const leaks = ALL.filter((file) => MAIN_THREAD.includes(layerOf(file) as Layer)).flatMap((file) =>
      [...runtimeClosure(file)]
        .filter((target) => target.startsWith('@tensorflow/') || ['core', 'worker'].includes(layerOf(target)))
        .map((target) => `${relative(SRC, file)} loads ${target.startsWith(SRC) ? relative(SRC, target) : target}`),
    );
    expect(leaks).toEqual([]);
  });

  test('the shared folder is plain data: no tfjs, nothing of the other layers at run time', () => {
    const shared = ALL.filter((file) => layerOf(file) === 'shared');
    expect(shared.length).toBeGreaterThan(5);
    const loaded = shared.flatMap((file) => [...runtimeClosure(file)].filter((t) => t.startsWith('@tensorflow/') || layerOf(t) !== 'shared' && layerOf(t) !== 'package'));
    expect(loaded).toEqual([]);
  });

  test('the check sees what it checks: a type-only import is told from a runtime one, and tfjs is found where it is', () => {
    const worker = join(SRC, 'worker', 'unlearning.worker.ts');
    expect([...runtimeClosure(worker)].some((t) => t.startsWith('@tensorflow/'))).toBe(true);
    const protocol = GRAPH.get(join(SRC, 'shared', 'protocol.ts'))!;
    expect(protocol.some((i) => layerOf(i.target) === 'core' && i.typeOnly)).toBe(true);
    expect(protocol.every((i) => i.typeOnly)).toBe(true);
  });
});

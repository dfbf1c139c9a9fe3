// The folders of src/ form layers: base at the bottom, the CLI at the top. This test reads every import of src/,
// folds it to an edge between top-level folders (a file directly under src/ is its own node), and fails on any
// cycle, naming the folders of the cycle and one import that makes each of its edges.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

type Graph = Map<string, Map<string, string>>;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const topOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!;

/** Folder → folder it imports → one import that makes the edge (`file: specifier`). */
export function folderGraph(root: string): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(root)) {
    const from = topOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const to = topOf(path.resolve(path.dirname(file), match[1]!));
      if (to !== from && !edges.has(to)) edges.set(to, `${path.relative(root, file)}: ${match[1]}`);
    }
  }
  return graph;
}

/** The strongly connected components of more than one node (Tarjan), each sorted, in code-unit order. */
export function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

function describeCycle(graph: Graph, component: string[]): string {
  const members = new Set(component);
  const edges = component.flatMap((from) =>
    [...(graph.get(from) ?? new Map<string, string>())].filter(([to]) => members.has(to)).map(([to, via]) => `  ${from} → ${to} (${via})`),
  );
  return `${component.join(', ')}:\n${edges.join('\n')}`;
}

describe('the folder graph of src/', () => {
  it('finds a cycle between folders, and none where the imports go one way', () => {
    const graph: Graph = new Map([
      ['a', new Map([['b', 'a/x.ts: ../b/y.js']])],
      ['b', new Map([['c', 'b/y.ts: ../c/z.js']])],
      ['c', new Map([['a', 'c/z.ts: ../a/x.js']])],
      ['d', new Map([['a', 'd/w.ts: ../a/x.js']])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
    graph.get('c')!.delete('a');
    expect(cycles(graph)).toEqual([]);
  });

  it('reads the imports of src/ into edges between its top-level folders', () => {
    const graph = folderGraph(SRC);
    expect(graph.get('cli')?.has('reconciler')).toBe(true);
    expect(graph.get('dss')?.has('base')).toBe(true);
  });

  it('has no import cycle between top-level folders', () => {
    const graph = folderGraph(SRC);
    const found = cycles(graph).map((component) => describeCycle(graph, component));
    expect(found, `import cycles between folders of src/:\n${found.join('\n')}`).toEqual([]);
  });

  it('keeps base/ at the bottom: it imports no other folder of src/', () => {
    expect([...(folderGraph(SRC).get('base')?.keys() ?? [])]).toEqual([]);
  });
});

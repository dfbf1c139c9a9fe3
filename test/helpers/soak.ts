// The soak tests' manifests tree (the benchmark's generated projects, SCENARIOS scenarios each, in five folders),
// a seeded random source for the simulator's faults, and the design node's state in a form two runs can be compared in.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SimState } from '../../src/simulator/state.js';
import { writeProjectFiles } from './manifest-tree.js';

export const SCENARIOS = 5;

/** mulberry32: a small seeded generator of draws in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


export function projectKey(i: number): string {
  return `SOAK_${String(i).padStart(2, '0')}`;
}

export function writeTree(root: string, projects: number): void {
  mkdirSync(path.join(root, 'projects'), { recursive: true });
  writeFileSync(
    path.join(root, 'dss-gitops.yaml'),
    `source: fault-soak
defaults:
  parallelism: 8
  retries:
    attempts: 6
    baseDelayMs: 20
    maxDelayMs: 400
`,
  );
  writeProjectFiles(
    path.join(root, 'projects'),
    Array.from({ length: projects }, (_, index) => ({ key: projectKey(index), index, scenarios: SCENARIOS, folder: `Soak/Group${index % 5}` })),
  );
}

/**
 * The design node's state as a user sees it: folders by path (their ids are generated), projects and scenarios
 * without the server's version stamps and creation times, which differ between any two runs.
 */
export function comparable(state: SimState): Record<string, unknown> {
  const folders = state.design.folders;
  const pathOf = (id: string): string => {
    const folder = folders[id];
    if (!folder || folder.parentId === null) return '';
    return `${pathOf(folder.parentId)}/${String(folder.settings.name)}`;
  };
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (['versionTag', 'creationTag', 'creationTime', 'lastModifiedOn', 'runs'].includes(key)) continue;
      out[key] = strip(inner);
    }
    return out;
  };
  const tree = Object.values(folders)
    .map((f) => ({ path: pathOf(f.id), projects: [...f.projectKeys].sort(), children: f.childrenIds.length }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const projects = Object.fromEntries(
    Object.entries(state.design.projects).map(([key, p]) => {
      const { folderId, ...rest } = p;
      return [key, strip({ ...rest, folder: pathOf(folderId) })];
    }),
  );
  return { tree, projects };
}

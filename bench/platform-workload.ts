// The platform benchmark: a data platform's security and connections layer (by default 500 users, 100 groups and
// 50 connections) written as YAML files, measured like the projects benchmark (bench/cli-bench.ts): the whole CLI
// per phase (fresh apply, plan, no-op apply, drift, watch) against a simulator in its own process with latency on every
// request, with the same figures (requests, wall time, ratio to the network bound, CPU, peak RSS, speed-up).
//
//   npm run bench -- --tree platform                      500 users × 100 groups × 50 connections
//   npm run bench -- --tree platform:50x10x5 --quick      USERSxGROUPSxCONNECTIONS, at --quick's latency and runs
//
// Latency, parallelisms and phases are those of the first --sizes case; the project sizes themselves are not used.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCase, benchReport } from './cli-bench.js';
import type { BenchCase, BenchOptions, BenchReport, BenchTree } from './report.js';
import { benchWatch } from './watch-phase.js';

export interface PlatformSize {
  users: number;
  groups: number;
  connections: number;
}

export const PLATFORM_SIZE: PlatformSize = { users: 500, groups: 100, connections: 50 };

/** The secrets the tree reads: one password for every user, one for the SQL connections. Not secrets: bench values. */
const SECRETS = { BENCH_USER_PASSWORD: 'bench-user-password', BENCH_WAREHOUSE_PASSWORD: 'bench-warehouse-password' };

/** `platform` or `platform:USERSxGROUPSxCONNECTIONS`. */
export function platformSize(tree: string): PlatformSize {
  if (tree === 'platform') return PLATFORM_SIZE;
  const m = /^platform:(\d+)x(\d+)x(\d+)$/.exec(tree);
  if (!m) throw new Error(`--tree is projects, platform or platform:USERSxGROUPSxCONNECTIONS, e.g. platform:500x100x50 (got '${tree}')`);
  const size = { users: Number(m[1]), groups: Number(m[2]), connections: Number(m[3]) };
  if (size.groups < 1) throw new Error('a platform tree needs at least one group');
  return size;
}

const groupName = (i: number): string => `team-${String(i).padStart(3, '0')}`;
const PERMISSIONS = ['mayCreateProjects', 'mayWriteSafeCode', 'mayWriteUnsafeCode', 'mayCreateCodeEnvs', 'mayCreateActiveWebContent'];

/**
 * Writes groups.yaml, users.yaml and connections.yaml into `dir`: groups with an LDAP mapping and a few global
 * permissions; users in one to three groups with a password; connections, every other one a PostgreSQL database
 * with its password (the others Filesystem), each usable by two groups. Returns the number of objects.
 */
export function writePlatformManifests(dir: string, size: PlatformSize): number {
  mkdirSync(dir, { recursive: true });
  const doc = (kind: string, name: string, spec: string): string => `apiVersion: dss-gitops/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
  const groups = Array.from({ length: size.groups }, (_, i) =>
    doc(
      'Group',
      groupName(i),
      `  description: Team ${i}\n  ldapGroupNames:\n    - cn=${groupName(i)},ou=groups,dc=example,dc=com\n` +
        PERMISSIONS.filter((_, p) => (i + p) % 2 === 0)
          .map((p) => `  ${p}: true\n`)
          .join(''),
    ),
  );
  const users = Array.from({ length: size.users }, (_, i) => {
    const member = [...new Set([i, i * 7 + 3, i * 13 + 5].slice(0, 1 + (i % 3)).map((g) => groupName(g % size.groups)))];
    return doc(
      'User',
      `user${String(i).padStart(4, '0')}`,
      `  displayName: User ${i}\n  email: user${i}@example.com\n  groups:\n${member.map((g) => `    - ${g}\n`).join('')}` +
        `  userProfile: ${i % 4 === 0 ? 'DESIGNER' : 'DATA_SCIENTIST'}\n  password: \${secret:BENCH_USER_PASSWORD}\n`,
    );
  });
  const connections = Array.from({ length: size.connections }, (_, i) => {
    const grants = `  usableBy: ALLOWED\n  allowedGroups:\n    - ${groupName(i % size.groups)}\n    - ${groupName((i + 1) % size.groups)}\n`;
    const params =
      i % 2 === 0
        ? `  type: PostgreSQL\n  params:\n    host: db${i}.example.com\n    db: warehouse${i}\n    user: dss\n    password: \${secret:BENCH_WAREHOUSE_PASSWORD}\n`
        : `  type: Filesystem\n  params:\n    root: /data/share-${i}\n`;
    return doc('Connection', `conn-${String(i).padStart(3, '0')}`, `${params}${grants}  maxActivities: ${i % 8}\n`);
  });
  writeFileSync(join(dir, 'groups.yaml'), groups.join('---\n'));
  writeFileSync(join(dir, 'users.yaml'), users.join('---\n'));
  writeFileSync(join(dir, 'connections.yaml'), connections.join('---\n'));
  return size.users + size.groups + size.connections;
}

/** Returns a function of runBench's signature that measures the platform tree of `tree` instead of projects. */
export function platformBench(tree: string): (o: BenchOptions) => Promise<BenchReport> {
  const size = platformSize(tree);
  return (o) => {
    const c: BenchCase | undefined = o.cases[0];
    if (c === undefined) throw new Error('the platform benchmark takes its latency and parallelisms from the first --sizes case');
    const platform: BenchTree = {
      write: (dir) => writePlatformManifests(dir, size),
      projects: 0,
      scenarios: 0,
      env: SECRETS,
      label: `${size.users}u×${size.groups}g×${size.connections}c`,
    };
    return benchReport(o, async (runner, sim) => {
      const phases = await benchCase(runner, sim, c, o, platform);
      const watch = c.phases.includes('watch') ? [await benchWatch(runner, sim, c, o, phases, platform)] : [];
      return { startup: [], phases, watch };
    });
  };
}

// What the CLI benchmark runs against: a manifests tree of N projects × M scenarios written as YAML files (as a
// team's repository holds them), and a simulator in its own process (`dss-gitops sim`), as a DSS node would be, so
// that its CPU time is not counted against the CLI's and the CLI's start-up, YAML and schemas are.

import { once } from 'node:events';
import { resolve } from 'node:path';
import { startSimulatorProcess } from '../scripts/simulator-process.js';
import { writeProjectFiles } from '../test/helpers/manifest-tree.js';

/** How the CLI is started: `node [--import tsx] ENTRY`, the built `dist/cli/main.js` by default. */
export interface CliEntry {
  node: string;
  args: string[];
}

export function cliEntry(entry: string): CliEntry {
  const file = resolve(entry);
  // Runs start in a temporary directory: tsx is loaded from this repository's node_modules, not from there.
  return { node: process.execPath, args: file.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), file] : [file] };
}

/** Project key of the i-th bench project. */
export function projectKey(i: number): string {
  return `BENCH_${String(i).padStart(4, '0')}`;
}

/**
 * Writes `projects` files into `dir`, each a project (metadata, variables, grants for two groups) and its
 * `scenarios` step-based scenarios with a trigger: the soak tests' tree, without folders. Returns the number of
 * objects a plan reads: per project its metadata, variables and permissions, and each scenario.
 */
export function writeManifests(dir: string, projects: number, scenarios: number): number {
  return writeProjectFiles(
    dir,
    Array.from({ length: projects }, (_, index) => ({ key: projectKey(index), index, scenarios })),
  );
}

/** Counts the simulator keeps, and when the requests arrived (see src/simulator/stats.ts). */
export interface SimStats {
  total: number;
  reads: number;
  writes: number;
  byRoute: Record<string, number>;
  /** The simulator's monotonic clock (ms) at the first and the last counted request's arrival; null before any. */
  timing?: { originMs: number; firstArrivalMs: number | null; lastArrivalMs: number | null } | null;
}

/** A simulator in a child process, driven through its `/__sim` controls with the admin key. */
export interface RemoteSimulator {
  url: string;
  adminKey: string;
  reset(state: boolean): Promise<void>;
  setLatency(ms: number): Promise<void>;
  stats(): Promise<SimStats>;
  /** Reads and clears the counts at once (the state stays): no request falls between the two. */
  takeStats(): Promise<SimStats>;
  stop(): Promise<void>;
}

export async function startRemoteSimulator(cli: CliEntry, cwd: string): Promise<RemoteSimulator> {
  const adminKey = 'bench-admin-key';
  const { url, child } = await startSimulatorProcess(cli.node, cli.args, { ...process.env, DSS_SIM_API_KEY: adminKey }, cwd);
  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/__sim${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${adminKey}:`).toString('base64')}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} /__sim${path} answered ${response.status}`);
    return response.json();
  };
  return {
    url,
    adminKey,
    reset: async (state) => {
      await control('POST', `/reset?stats=true&state=${state}`);
    },
    setLatency: async (ms) => {
      await control('PUT', '/latency', { latencyMs: ms });
    },
    stats: async () => (await control('GET', '/stats?timing=true')) as SimStats,
    takeStats: async () => ((await control('POST', '/reset?stats=true&state=false')) as { stats: SimStats }).stats,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

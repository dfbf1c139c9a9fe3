// The platform benchmark: a data platform's security and connections layer (by default 500 users, 100 groups and
// 50 connections) written as YAML files, measured like the projects benchmark (bench/cli-bench.ts): the whole CLI
// per phase (fresh apply, plan, no-op apply, drift) against a simulator in its own process with latency on every
// request, with the same figures (requests, wall time, ratio to the network bound, CPU, peak RSS, speed-up).
//
//   npm run bench -- --tree platform                      500 users × 100 groups × 50 connections
//   npm run bench -- --tree platform:50x10x5 --quick      USERSxGROUPSxCONNECTIONS, at --quick's latency and runs
//
// Latency, parallelisms and phases are those of the first --sizes case; the project sizes themselves are not used.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatPhase, median, type BenchCase, type BenchOptions, type BenchReport, type Phase, type PhaseResult } from './cli-bench.js';
import { startRemoteSimulator, type RemoteSimulator, type SimStats } from './workload.js';

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

/** Writes the process's peak RSS (KiB) and CPU time (µs) on exit, as the projects benchmark does. */
const RSS_HOOK = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.DSS_GITOPS_BENCH_RSS_FILE, JSON.stringify([usage.maxRSS, usage.userCPUTime + usage.systemCPUTime]));
});
`;

interface Run {
  ms: number;
  cpuMs: number;
  maxRssKiB: number;
}

function argvOf(phase: Phase, parallelism: number): string[] {
  const common = ['-f', 'manifests', '--parallelism', String(parallelism)];
  if (phase === 'plan') return ['plan', '--detailed-exitcode', ...common];
  if (phase === 'drift') return ['drift', ...common];
  return ['apply', '--auto-approve', ...common];
}

/** Returns a function of runBench's signature that measures the platform tree of `tree` instead of projects. */
export function platformBench(tree: string): (o: BenchOptions) => Promise<BenchReport> {
  const size = platformSize(tree);
  return async (o) => {
    const c: BenchCase | undefined = o.cases[0];
    if (c === undefined) throw new Error('the platform benchmark takes its latency and parallelisms from the first --sizes case');
    const dir = mkdtempSync(join(tmpdir(), 'dss-gitops-bench-platform-'));
    const hook = join(dir, 'rss-hook.mjs');
    const rssFile = join(dir, 'rss');
    writeFileSync(hook, RSS_HOOK);
    const objects = writePlatformManifests(join(dir, 'manifests'), size);
    const sim = await startRemoteSimulator(o.cli, dir);
    const env = { ...process.env, ...SECRETS, DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, DSS_GITOPS_BENCH_RSS_FILE: rssFile, NO_COLOR: '1' };
    const run = async (argv: string[]): Promise<Run> => {
      rmSync(rssFile, { force: true });
      const started = performance.now();
      const child = spawn(o.cli.node, ['--import', pathToFileURL(hook).href, ...o.cli.args, ...argv], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString()).slice(-4000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      const ms = performance.now() - started;
      if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}, expected 0:\n${output}`);
      const [maxRssKiB, cpuMicros] = JSON.parse(readFileSync(rssFile, 'utf8')) as [number, number];
      return { ms, cpuMs: cpuMicros / 1000, maxRssKiB };
    };
    const measure = async (phase: Phase, parallelism: number): Promise<PhaseResult> => {
      const runs: Run[] = [];
      let stats: SimStats = { total: 0, reads: 0, writes: 0, byRoute: {} };
      for (let r = 0; r < (parallelism === 1 ? o.baselineRuns : o.runs); r += 1) {
        await sim.reset(phase === 'fresh-apply');
        await sim.setLatency(c.latencyMs);
        runs.push(await run(argvOf(phase, parallelism)));
        stats = await sim.stats();
        await sim.setLatency(0);
      }
      if (phase === 'noop-apply' && stats.writes > 0) throw new Error(`the no-op apply wrote ${stats.writes} times: ${JSON.stringify(stats.byRoute)}`);
      const times = runs.map((x) => x.ms);
      const medianMs = median(times);
      const boundMs = Math.ceil(stats.total / parallelism) * c.latencyMs;
      return {
        phase,
        projects: 0,
        scenarios: 0,
        objects,
        latencyMs: c.latencyMs,
        parallelism,
        requests: stats.total,
        reads: stats.reads,
        writes: stats.writes,
        byRoute: stats.byRoute,
        boundMs,
        ratioToBound: boundMs > 0 ? medianMs / boundMs : null,
        peakRssMiB: Math.max(...runs.map((x) => x.maxRssKiB)) / 1024,
        cpuMedianMs: median(runs.map((x) => x.cpuMs)),
        speedupVsParallelism1: null,
        medianMs,
        minMs: Math.min(...times),
        maxMs: Math.max(...times),
        timesMs: times,
      };
    };
    try {
      const phases = await measureAll(c, sim, run, measure, o, size);
      const cpu = cpus();
      return {
        formatVersion: 1,
        date: new Date().toISOString(),
        machine: { nproc: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', node: process.version, platform: process.platform },
        runs: o.runs,
        startup: [],
        phases,
      };
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The phases in the projects benchmark's order: plan also at the other parallelisms, for the speed-up. */
async function measureAll(
  c: BenchCase,
  sim: RemoteSimulator,
  run: (argv: string[]) => Promise<Run>,
  measure: (phase: Phase, parallelism: number) => Promise<PhaseResult>,
  o: BenchOptions,
  size: PlatformSize,
): Promise<PhaseResult[]> {
  const [main, ...others] = c.parallelisms;
  if (main === undefined) throw new Error('a case needs at least one parallelism');
  const label = `${size.users}u×${size.groups}g×${size.connections}c`;
  const results: PhaseResult[] = [];
  const report = (r: PhaseResult): void => {
    results.push(r);
    // formatPhase labels a case PROJECTS×SCENARIOS; the platform tree's label takes its place.
    o.progress?.(`${label} ${formatPhase(r).replace(/^0×0 +/, '')}`);
  };
  if (c.phases.includes('fresh-apply')) report(await measure('fresh-apply', main));
  else {
    await sim.reset(true);
    await run(argvOf('fresh-apply', Math.max(main, 16)));
  }
  for (const phase of c.phases.filter((p) => p !== 'fresh-apply')) {
    report(await measure(phase, main));
    if (phase === 'plan') for (const p of others) report(await measure('plan', p));
  }
  for (const r of results) {
    const baseline = results.find((b) => b.phase === r.phase && b.parallelism === 1);
    if (baseline && r.parallelism !== 1) r.speedupVsParallelism1 = baseline.medianMs / r.medianMs;
  }
  return results;
}

// The CLI benchmark: runs `dss-gitops` as a user does (one process from start to exit) against a simulator in
// another process with latency injected on every request, and measures each phase (fresh apply, plan, no-op apply,
// drift) at several sizes and parallelisms: requests, wall time (median and min–max of several runs), the ratio to
// the network bound ceil(requests / parallelism) × latency, the CLI's peak RSS, and the speed-up over parallelism 1.
// Start-up (--version, --help, validate of the example) is measured against bare `node -e 0`.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRemoteSimulator, writeManifests, type CliEntry, type RemoteSimulator, type SimStats } from './workload.js';

export const PHASES = ['fresh-apply', 'plan', 'noop-apply', 'drift'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchCase {
  projects: number;
  scenarios: number;
  latencyMs: number;
  /** The first is the one every phase runs at; the others run `plan` only, for the speed-up. */
  parallelisms: number[];
  phases: Phase[];
}

export interface BenchOptions {
  cli: CliEntry;
  /** The repository root, where `manifests-example` lives. */
  root: string;
  cases: BenchCase[];
  runs: number;
  /** Runs at parallelism 1, which are slow at high latency. */
  baselineRuns: number;
  startupRuns: number;
  /** Called with a line of progress after each measurement. */
  progress?: (line: string) => void;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  timesMs: number[];
}

export interface PhaseResult extends Timing {
  phase: Phase;
  projects: number;
  scenarios: number;
  /** Objects the manifests declare (per project its metadata, variables, permissions; each scenario). */
  objects: number;
  latencyMs: number;
  parallelism: number;
  requests: number;
  reads: number;
  writes: number;
  byRoute: Record<string, number>;
  /** ceil(requests / parallelism) × latency. */
  boundMs: number;
  /** median / bound, null at 0 latency. */
  ratioToBound: number | null;
  /** Largest peak RSS of the CLI process over the runs, in MiB. */
  peakRssMiB: number;
  /** Median CPU time (user + system) of the CLI process: steadier than wall time on a busy machine. */
  cpuMedianMs: number;
  /** Median at parallelism 1 / this median, for the same phase and case, when parallelism 1 was measured. */
  speedupVsParallelism1: number | null;
}

export interface StartupResult extends Timing {
  command: string;
  ratioToNode: number;
}

export interface BenchReport {
  formatVersion: 1;
  date: string;
  machine: { nproc: number; cpu: string; node: string; platform: string };
  runs: number;
  startup: StartupResult[];
  phases: PhaseResult[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function timing(times: number[]): Timing {
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), timesMs: times };
}

interface CliRun {
  ms: number;
  exitCode: number | null;
  maxRssKiB: number;
  cpuMs: number;
  output: string;
}

/** A hook loaded with --import: writes the process's peak RSS (KiB) and CPU time (µs) to a file on exit. */
const RSS_HOOK = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.DSS_GITOPS_BENCH_RSS_FILE, JSON.stringify([usage.maxRSS, usage.userCPUTime + usage.systemCPUTime]));
});
`;

export class Runner {
  private readonly hook: string;
  private readonly rssFile: string;

  constructor(
    private readonly cli: CliEntry,
    readonly dir: string,
  ) {
    this.hook = join(dir, 'rss-hook.mjs');
    this.rssFile = join(dir, 'rss');
    writeFileSync(this.hook, RSS_HOOK);
  }

  /** Runs `node [flags] ENTRY argv` and times it from spawn to exit; `rss` loads the peak-RSS hook. */
  async run(argv: string[], env: Record<string, string>, rss = true): Promise<CliRun> {
    const args = [...(rss ? ['--import', pathToFileURL(this.hook).href] : []), ...this.cli.args, ...argv];
    rmSync(this.rssFile, { force: true });
    const started = performance.now();
    const child = spawn(this.cli.node, args, {
      cwd: this.dir,
      env: { ...process.env, ...env, DSS_GITOPS_BENCH_RSS_FILE: this.rssFile, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const ms = performance.now() - started;
    const [maxRssKiB, cpuMicros] = rss ? (JSON.parse(readFileSync(this.rssFile, 'utf8')) as [number, number]) : [0, 0];
    return { ms, exitCode, maxRssKiB, cpuMs: cpuMicros / 1000, output };
  }
}

/** What a benchmark case measures: a manifests tree, and the environment its commands need. */
export interface BenchTree {
  /** Writes the manifests into `dir`; returns how many objects they declare. */
  write(dir: string): number;
  /** The sizes reported with each phase (a tree of no projects reports 0 × 0). */
  projects: number;
  scenarios: number;
  /** Environment the commands need besides the connection (the tree's secrets). */
  env?: Record<string, string>;
  /** Replaces the PROJECTS×SCENARIOS label of the progress lines. */
  label?: string;
}

/** The projects tree of a case: N projects × M scenarios. */
function projectsTree(c: BenchCase): BenchTree {
  return { write: (dir) => writeManifests(dir, c.projects, c.scenarios), projects: c.projects, scenarios: c.scenarios };
}

function commandFor(phase: Phase, parallelism: number): { argv: string[]; exit: number } {
  const common = ['-f', 'manifests', '--parallelism', String(parallelism)];
  switch (phase) {
    case 'fresh-apply':
    case 'noop-apply':
      return { argv: ['apply', '--auto-approve', ...common], exit: 0 };
    case 'plan':
      return { argv: ['plan', '--detailed-exitcode', ...common], exit: 0 };
    case 'drift':
      return { argv: ['drift', ...common], exit: 0 };
  }
}

async function measurePhase(
  runner: Runner,
  sim: RemoteSimulator,
  c: BenchCase,
  tree: BenchTree,
  objects: number,
  phase: Phase,
  parallelism: number,
  count: number,
): Promise<PhaseResult> {
  const { argv, exit } = commandFor(phase, parallelism);
  const env = { ...tree.env, DSS_URL: sim.url, DSS_API_KEY: sim.adminKey };
  const times: number[] = [];
  const cpu: number[] = [];
  let rss = 0;
  let stats: SimStats = { total: 0, reads: 0, writes: 0, byRoute: {} };
  for (let r = 0; r < count; r += 1) {
    // A fresh apply starts from an empty DSS each time; the other phases from the applied state.
    await sim.reset(phase === 'fresh-apply');
    await sim.setLatency(c.latencyMs);
    const run = await runner.run(argv, env);
    if (run.exitCode !== exit) {
      throw new Error(`${argv.join(' ')} exited with ${run.exitCode}, expected ${exit}:\n${run.output}`);
    }
    times.push(run.ms);
    cpu.push(run.cpuMs);
    rss = Math.max(rss, run.maxRssKiB);
    stats = await sim.stats();
  }
  await sim.setLatency(0);
  if (phase === 'noop-apply' && stats.writes > 0) throw new Error(`the no-op apply wrote ${stats.writes} times: ${JSON.stringify(stats.byRoute)}`);
  const boundMs = Math.ceil(stats.total / parallelism) * c.latencyMs;
  const t = timing(times);
  return {
    phase,
    projects: tree.projects,
    scenarios: tree.scenarios,
    objects,
    latencyMs: c.latencyMs,
    parallelism,
    requests: stats.total,
    reads: stats.reads,
    writes: stats.writes,
    byRoute: stats.byRoute,
    boundMs,
    ratioToBound: boundMs > 0 ? t.medianMs / boundMs : null,
    peakRssMiB: rss / 1024,
    cpuMedianMs: median(cpu),
    speedupVsParallelism1: null,
    ...t,
  };
}

/** Every phase of a case on `tree` (by default its projects tree), plan also at the case's other parallelisms. */
export async function benchCase(runner: Runner, sim: RemoteSimulator, c: BenchCase, o: BenchOptions, tree = projectsTree(c)): Promise<PhaseResult[]> {
  const dir = join(runner.dir, 'manifests');
  rmSync(dir, { recursive: true, force: true });
  const objects = tree.write(dir);
  const [main, ...others] = c.parallelisms;
  if (main === undefined) throw new Error('a case needs at least one parallelism');
  const results: PhaseResult[] = [];
  const report = (r: PhaseResult): void => {
    results.push(r);
    o.progress?.(tree.label === undefined ? formatPhase(r) : `${tree.label} ${formatPhase(r).replace(/^0×0 +/, '')}`);
  };
  const runsAt = (p: number): number => (p === 1 ? o.baselineRuns : o.runs);
  if (c.phases.includes('fresh-apply')) report(await measurePhase(runner, sim, c, tree, objects, 'fresh-apply', main, runsAt(main)));
  else {
    await sim.reset(true);
    await runner.run(commandFor('fresh-apply', Math.max(main, 16)).argv, { ...tree.env, DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, false);
  }
  for (const phase of c.phases.filter((p) => p !== 'fresh-apply')) {
    report(await measurePhase(runner, sim, c, tree, objects, phase, main, runsAt(main)));
    if (phase !== 'plan') continue;
    for (const p of others) report(await measurePhase(runner, sim, c, tree, objects, 'plan', p, runsAt(p)));
  }
  for (const r of results) {
    const baseline = results.find((b) => b.phase === r.phase && b.parallelism === 1);
    if (baseline && r.parallelism !== 1) r.speedupVsParallelism1 = baseline.medianMs / r.medianMs;
  }
  return results;
}

async function benchStartup(runner: Runner, o: BenchOptions): Promise<StartupResult[]> {
  const node = async (argv: string[], env: Record<string, string> = {}): Promise<number[]> => {
    const times: number[] = [];
    for (let r = 0; r < o.startupRuns; r += 1) {
      const run = await runner.run(argv, env, false);
      if (run.exitCode !== 0) throw new Error(`${argv.join(' ')} exited with ${run.exitCode}:\n${run.output}`);
      times.push(run.ms);
    }
    return times;
  };
  const bare = timing(await timedBareNode(runner, o.startupRuns));
  const rows: StartupResult[] = [{ command: 'node -e 0', ...bare, ratioToNode: 1 }];
  const example = join(o.root, 'manifests-example');
  for (const [command, argv, env] of [
    ['--version', ['--version'], {}],
    ['--help', ['--help'], {}],
    ['validate -f manifests-example', ['validate', '-f', example], { WAREHOUSE_PASSWORD: 'bench-not-a-secret' }],
  ] as const) {
    const t = timing(await node([...argv], env));
    rows.push({ command, ...t, ratioToNode: t.medianMs / bare.medianMs });
  }
  o.progress?.(rows.map((r) => `${r.command}: ${r.medianMs.toFixed(0)} ms (${r.ratioToNode.toFixed(2)}× node)`).join('; '));
  return rows;
}

async function timedBareNode(runner: Runner, runs: number): Promise<number[]> {
  const bare = new Runner({ node: process.execPath, args: ['-e', '0'] }, runner.dir);
  const times: number[] = [];
  for (let r = 0; r < runs; r += 1) times.push((await bare.run([], {}, false)).ms);
  return times;
}

/**
 * Runs `measure` with a runner and a simulator in a fresh temporary directory, and reports what it measured with
 * the date and the machine.
 */
export async function benchReport(
  o: BenchOptions,
  measure: (runner: Runner, sim: RemoteSimulator) => Promise<Pick<BenchReport, 'startup' | 'phases'>>,
): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), 'dss-gitops-bench-'));
  const runner = new Runner(o.cli, dir);
  const sim = await startRemoteSimulator(o.cli, dir);
  try {
    const { startup, phases } = await measure(runner, sim);
    const cpu = cpus();
    return {
      formatVersion: 1,
      date: new Date().toISOString(),
      machine: { nproc: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', node: process.version, platform: process.platform },
      runs: o.runs,
      startup,
      phases,
    };
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runBench(o: BenchOptions): Promise<BenchReport> {
  return benchReport(o, async (runner, sim) => {
    const startup = o.startupRuns > 0 ? await benchStartup(runner, o) : [];
    const phases: PhaseResult[] = [];
    for (const c of o.cases) phases.push(...(await benchCase(runner, sim, c, o)));
    return { startup, phases };
  });
}

const s = (ms: number): string => (ms / 1000).toFixed(2);

/** One line of the text report. */
export function formatPhase(r: PhaseResult): string {
  return (
    `${`${r.projects}×${r.scenarios}`.padEnd(9)} ${r.phase.padEnd(11)} L=${r.latencyMs}ms P=${String(r.parallelism).padEnd(3)} ` +
    `requests ${r.requests} (${r.reads} reads, ${r.writes} writes)  median ${s(r.medianMs)} s [${s(r.minMs)}–${s(r.maxMs)}]` +
    (r.ratioToBound === null ? '' : `  bound ${s(r.boundMs)} s  ratio ${r.ratioToBound.toFixed(2)}`) +
    `  CPU ${s(r.cpuMedianMs)} s  peak RSS ${r.peakRssMiB.toFixed(0)} MiB` +
    (r.speedupVsParallelism1 === null ? '' : `  ${r.speedupVsParallelism1.toFixed(1)}× vs P=1`)
  );
}

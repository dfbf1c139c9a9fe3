// The CLI benchmark: runs `dss-gitops` as a user does (one process from start to exit) against a simulator in
// another process with latency injected on every request, and measures each phase (fresh apply, plan, no-op apply,
// drift) at several sizes and parallelisms: requests, wall time (median and min–max of several runs), the ratio to
// the network bound ceil(requests / parallelism) × latency, the CLI's peak RSS, and the speed-up over parallelism 1.
// The network phase of each run is timed too: from the first request the simulator receives to the last one's
// arrival plus the latency (the simulator's clock), with its ratio to the same bound, and the CLI's CPU per request
// over its own requests (from the creation of its first to the completion of its last, undici's diagnostics
// channels). Beside each plan run, the rig's floor: the plan's own GETs sent by a bare undici Pool in a fresh process
// (bench/floor.ts), and the plan's network phase as a ratio to it. The watch phase runs `dss-gitops watch` on the
// same tree and times its ticks (the log's `durationSeconds`), with their requests and network phase from the
// simulator's counts, taken after every tick.
// Start-up (--version, --help, validate of the example) is measured against bare `node -e 0`.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientCpuPerRequest, floorFigures, formatPhase, median, medianOrNull, networkBoundMs, networkPhaseMs, ratioTo, timing, type ClientNetwork } from './figures.js';
import { measureFloor, readPlanGets, REQUESTS_FILE_ENV } from './floor.js';
import {
  commandFor,
  projectsTree,
  type BenchCase,
  type BenchOptions,
  type BenchReport,
  type BenchTree,
  type FloorRun,
  type PhaseResult,
  type RunPhase,
  type StartupResult,
  type WatchResult,
} from './report.js';
import { Runner } from './runner.js';
import { benchWatch } from './watch-phase.js';
import { startRemoteSimulator, type RemoteSimulator, type SimStats } from './workload.js';

async function measurePhase(
  runner: Runner,
  sim: RemoteSimulator,
  c: BenchCase,
  tree: BenchTree,
  objects: number,
  phase: RunPhase,
  parallelism: number,
  count: number,
): Promise<PhaseResult> {
  const { argv, exit } = commandFor(phase, parallelism);
  const env = { ...tree.env, DSS_URL: sim.url, DSS_API_KEY: sim.adminKey };
  const times: number[] = [];
  const cpu: number[] = [];
  const phases: Array<number | null> = [];
  const clientCpu: Array<number | null> = [];
  const clientCpuPerRequests: Array<number | null> = [];
  const clientNetworkRuns: Array<ClientNetwork | null> = [];
  const floorRuns: FloorRun[] = [];
  const requestsFile = join(runner.dir, 'plan-requests.json');
  let floorPaths: string[] | undefined;
  let rss = 0;
  let stats: SimStats = { total: 0, reads: 0, writes: 0, byRoute: {} };
  for (let r = 0; r < count; r += 1) {
    // A fresh apply starts from an empty DSS each time; the other phases from the applied state.
    await sim.reset(phase === 'fresh-apply');
    await sim.setLatency(c.latencyMs);
    // The plan's first run records its requests for the floor.
    const record = phase === 'plan' && r === 0;
    if (record) rmSync(requestsFile, { force: true });
    const run = await runner.run(argv, record ? { ...env, [REQUESTS_FILE_ENV]: requestsFile } : env);
    if (run.exitCode !== exit) {
      throw new Error(`${argv.join(' ')} exited with ${run.exitCode}, expected ${exit}:\n${run.output}`);
    }
    times.push(run.ms);
    cpu.push(run.cpuMs);
    rss = Math.max(rss, run.maxRssKiB);
    stats = await sim.stats();
    phases.push(networkPhaseMs(stats, c.latencyMs));
    const perRequest = clientCpuPerRequest(run.network, stats.total);
    clientCpu.push(perRequest === null ? null : (run.network?.cpuMs ?? null));
    clientCpuPerRequests.push(perRequest);
    clientNetworkRuns.push(run.network);
    if (phase !== 'plan') continue;
    // After each plan run, its floor, in counts of its own: the next run resets them again.
    if (floorPaths === undefined) {
      floorPaths = readPlanGets(requestsFile, new URL(sim.url).origin);
      if (floorPaths.length !== stats.total) throw new Error(`the plan created ${floorPaths.length} requests, the simulator counted ${stats.total}`);
    }
    if (floorPaths.length > 0) floorRuns.push(await measureFloor(runner.dir, sim, floorPaths, parallelism, c.latencyMs));
  }
  await sim.setLatency(0);
  if (phase === 'noop-apply' && stats.writes > 0) throw new Error(`the no-op apply wrote ${stats.writes} times: ${JSON.stringify(stats.byRoute)}`);
  const boundMs = networkBoundMs(stats.total, parallelism, c.latencyMs);
  const t = timing(times);
  const networkPhaseMedianMs = medianOrNull(phases);
  return {
    phase,
    ...(tree.label === undefined ? {} : { tree: tree.label }),
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
    networkPhaseTimesMs: phases,
    networkPhaseMedianMs,
    networkRatioToBound: ratioTo(networkPhaseMedianMs, boundMs),
    clientNetworkCpuMedianMs: medianOrNull(clientCpu),
    clientCpuPerRequestMs: medianOrNull(clientCpuPerRequests),
    clientNetworkRuns,
    ...floorFigures(floorRuns, networkPhaseMedianMs),
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
  for (const phase of c.phases.filter((p): p is RunPhase => p !== 'fresh-apply' && p !== 'watch')) {
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
  measure: (runner: Runner, sim: RemoteSimulator) => Promise<Pick<BenchReport, 'startup' | 'phases' | 'watch'>>,
): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), 'dss-gitops-bench-'));
  const runner = new Runner(o.cli, dir);
  const sim = await startRemoteSimulator(o.cli, dir);
  try {
    const { startup, phases, watch } = await measure(runner, sim);
    const cpu = cpus();
    return {
      formatVersion: 1,
      date: new Date().toISOString(),
      machine: { nproc: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', node: process.version, platform: process.platform },
      runs: o.runs,
      startup,
      phases,
      watch: watch ?? [],
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
    const watch: WatchResult[] = [];
    for (const c of o.cases) {
      const results = await benchCase(runner, sim, c, o);
      phases.push(...results);
      if (c.phases.includes('watch')) watch.push(await benchWatch(runner, sim, c, o, results));
    }
    return { startup, phases, watch };
  });
}

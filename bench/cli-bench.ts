// The CLI benchmark: runs `dss-gitops` as a user does (one process from start to exit) against a simulator in
// another process with latency injected on every request, and measures each phase (fresh apply, plan, no-op apply,
// drift) at several sizes and parallelisms: requests, wall time (median and min–max of several runs), the ratio to
// the network bound ceil(requests / parallelism) × latency, the CLI's peak RSS, and the speed-up over parallelism 1.
// The network phase of each run is timed too: from the first request the simulator receives to the last one's
// arrival plus the latency (the simulator's clock), with its ratio to the same bound, and the CLI's CPU per request
// over its own requests (from the creation of its first to the completion of its last, undici's diagnostics
// channels). The watch phase runs `dss-gitops watch` on the same tree and times its ticks (the log's
// `durationSeconds`), with their requests and network phase from the simulator's counts, taken after every tick.
// Start-up (--version, --help, validate of the example) is measured against bare `node -e 0`.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRemoteSimulator, writeManifests, type CliEntry, type RemoteSimulator, type SimStats } from './workload.js';

export const PHASES = ['fresh-apply', 'plan', 'noop-apply', 'drift', 'watch'] as const;
export type Phase = (typeof PHASES)[number];
/** The phases measured as one CLI run each; `watch` is measured by its ticks (WatchResult). */
export type RunPhase = Exclude<Phase, 'watch'>;

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
  /** Ticks of the watch phase timed after the first (which runs on start and is reported on its own). */
  watchTicks?: number;
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
  phase: RunPhase;
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
  /**
   * The network phase of each run: the last request's arrival at the simulator − the first's + the latency (the
   * simulator's clock; the time its last answer left is not recorded, it is later by the time to make it). Null for
   * a run that sent nothing.
   */
  networkPhaseTimesMs: Array<number | null>;
  /** Median of networkPhaseTimesMs, null when no run sent a request. */
  networkPhaseMedianMs: number | null;
  /** networkPhaseMedianMs / boundMs, null at 0 latency. */
  networkRatioToBound: number | null;
  /**
   * Median over the runs of the CLI process's CPU time (user + system, all its threads) from the creation of its
   * first request to the completion of its last (undici's diagnostics channels), in ms: what it spends while it
   * talks to DSS (reading, comparing, the git commands it starts meanwhile), not its start-up, loading or report.
   * Null when not measured.
   */
  clientNetworkCpuMedianMs: number | null;
  /** Median over the runs of that CPU time / the requests the CLI completed in it, in ms (null when they are not the requests the simulator counted). */
  clientCpuPerRequestMs: number | null;
  /** What the hook saw in each run: requests completed, wall and CPU time from the first's creation to the last's completion. */
  clientNetworkRuns: Array<ClientNetwork | null>;
}

/** The watch phase: `dss-gitops watch` on the same tree, its ticks timed by its log lines. */
export interface WatchResult extends Timing {
  projects: number;
  scenarios: number;
  objects: number;
  latencyMs: number;
  parallelism: number;
  /** The schedule's period: `*\/N * * * * *`, at least twice the expected tick. */
  scheduleSeconds: number;
  /** The tick run on start (the process's first, with its warm-up), not in the median. */
  firstTickMs: number;
  /** The timed ticks (Timing is over them): `durationSeconds` of each "drift run finished" log line. */
  ticks: number;
  /** Ticks the controller skipped because a run was still in progress (0 when the schedule leaves room). */
  skippedTicks: number;
  /** Requests the simulator counted in each timed tick. */
  requestsPerTick: number[];
  /** Median of requestsPerTick. */
  requests: number;
  reads: number;
  writes: number;
  /** The last timed tick's requests by route. */
  byRoute: Record<string, number>;
  /** ceil(requests / parallelism) × latency. */
  boundMs: number;
  /** Each timed tick's network phase, as PhaseResult's. */
  networkPhaseTimesMs: Array<number | null>;
  networkPhaseMedianMs: number | null;
  networkRatioToBound: number | null;
  /** The plan of the same tree at the same parallelism (whole CLI, median), and the median tick / it. */
  planMedianMs: number | null;
  ratioToPlan: number | null;
  /** The plan's network phase (median), and the median tick / it. */
  planNetworkPhaseMs: number | null;
  ratioToPlanNetworkPhase: number | null;
  peakRssMiB: number;
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
  /** Absent from reports made before the watch phase existed. */
  watch?: WatchResult[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function timing(times: number[]): Timing {
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), timesMs: times };
}

/** The median of the figures that were measured, null when none was. */
export function medianOrNull(xs: Array<number | null>): number | null {
  const measured = xs.filter((x): x is number => x !== null);
  return measured.length === 0 ? null : median(measured);
}

/** ceil(requests / parallelism) × latency: the time the requests take when every round of them waits the latency. */
export function networkBoundMs(requests: number, parallelism: number, latencyMs: number): number {
  return Math.ceil(requests / parallelism) * latencyMs;
}

/** `ms / boundMs`, null when either is unknown or the bound is 0 (no latency). */
export function ratioTo(ms: number | null, boundMs: number | null): number | null {
  return ms === null || boundMs === null || boundMs <= 0 ? null : ms / boundMs;
}

/**
 * The network phase of a run from the simulator's arrival times: last arrival − first arrival + latency (the last
 * answer leaves after its latency). Null when no request arrived or the simulator keeps no times.
 */
export function networkPhaseMs(stats: Pick<SimStats, 'timing'>, latencyMs: number): number | null {
  const t = stats.timing;
  if (!t || t.firstArrivalMs === null || t.lastArrivalMs === null) return null;
  return t.lastArrivalMs - t.firstArrivalMs + latencyMs;
}

/** What the hook saw of the CLI's requests: how many completed, and the wall and CPU time from the first's creation. */
export interface ClientNetwork {
  requests: number;
  wallMs: number;
  cpuMs: number;
}

/**
 * The CLI's CPU per request over its requests, null when it completed none, or not as many as the simulator
 * counted (requests it sent some other way than undici: its CPU would be shared out wrongly).
 */
export function clientCpuPerRequest(network: ClientNetwork | null, counted: number): number | null {
  return network === null || network.requests === 0 || network.requests !== counted ? null : network.cpuMs / network.requests;
}

/** The watch schedule's period in seconds: a divisor of 60 (ticks evenly spaced across minutes), at least 2 × the tick. */
export function watchScheduleSeconds(expectedTickMs: number): number {
  const wanted = Math.max(1, Math.ceil((2 * expectedTickMs) / 1000));
  const period = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30].find((d) => d >= wanted);
  if (period === undefined) throw new Error(`a watch tick of ${(expectedTickMs / 1000).toFixed(1)} s is too long to bench on a schedule of seconds`);
  return period;
}

/** One line of the watch's JSON log, as far as the bench reads it. */
export type WatchEvent = { type: 'tick'; durationMs: number } | { type: 'skipped' } | { type: 'failed'; error: string };

/** What a line of the watch's log (pino JSON on stderr) says about its ticks; undefined for the other lines. */
export function watchEvent(line: string): WatchEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (entry.msg === 'drift run finished' && typeof entry.durationSeconds === 'number') return { type: 'tick', durationMs: entry.durationSeconds * 1000 };
  if (entry.msg === 'drift run failed') return { type: 'failed', error: String(entry.error) };
  if (typeof entry.msg === 'string' && entry.msg.startsWith('previous run still in progress')) return { type: 'skipped' };
  return undefined;
}

interface CliRun {
  ms: number;
  exitCode: number | null;
  maxRssKiB: number;
  cpuMs: number;
  /** The CLI's requests as the hook saw them, null when it sent none (or without the hook). */
  network: ClientNetwork | null;
  output: string;
}

/**
 * A hook loaded with --import: writes the process's peak RSS (KiB) and CPU time (µs) to a file on exit, and the
 * CPU time and wall time from the creation of its first HTTP request to the completion of its last (undici's
 * diagnostics channels: a process.cpuUsage() per request, a microsecond or two).
 */
const RSS_HOOK = `import { writeFileSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
let first = null;
let last = null;
let requests = 0;
subscribe('undici:request:create', () => { first ??= [performance.now(), cpu()]; });
const done = () => { requests += 1; last = [performance.now(), cpu()]; };
subscribe('undici:request:trailers', done);
subscribe('undici:request:error', done);
process.on('exit', () => {
  const usage = process.resourceUsage();
  const network = first && last ? { requests, wallMs: last[0] - first[0], cpuMs: (last[1] - first[1]) / 1000 } : null;
  writeFileSync(process.env.DSS_GITOPS_BENCH_RSS_FILE, JSON.stringify([usage.maxRSS, usage.userCPUTime + usage.systemCPUTime, network]));
});
`;

/** A CLI process started by Runner.start: its process, and its run once it has exited. */
export interface StartedCli {
  child: ChildProcess;
  done: Promise<CliRun>;
}

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
  run(argv: string[], env: Record<string, string>, rss = true): Promise<CliRun> {
    return this.start(argv, env, rss).done;
  }

  /** Starts `node [flags] ENTRY argv`; `onStderrLine` gets each line of its standard error as it comes. */
  start(argv: string[], env: Record<string, string>, rss = true, onStderrLine?: (line: string) => void): StartedCli {
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
    if (onStderrLine) {
      let partial = '';
      child.stderr.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onStderrLine(line);
      });
    }
    const done = (async (): Promise<CliRun> => {
      const exitCode = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => resolve(code));
      });
      const ms = performance.now() - started;
      const [maxRssKiB, cpuMicros, network] = rss
        ? (JSON.parse(readFileSync(this.rssFile, 'utf8')) as [number, number, ClientNetwork | null])
        : [0, 0, null];
      return { ms, exitCode, maxRssKiB, cpuMs: cpuMicros / 1000, network, output };
    })();
    return { child, done };
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

function commandFor(phase: RunPhase, parallelism: number): { argv: string[]; exit: number } {
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
    phases.push(networkPhaseMs(stats, c.latencyMs));
    const perRequest = clientCpuPerRequest(run.network, stats.total);
    clientCpu.push(perRequest === null ? null : (run.network?.cpuMs ?? null));
    clientCpuPerRequests.push(perRequest);
    clientNetworkRuns.push(run.network);
  }
  await sim.setLatency(0);
  if (phase === 'noop-apply' && stats.writes > 0) throw new Error(`the no-op apply wrote ${stats.writes} times: ${JSON.stringify(stats.byRoute)}`);
  const boundMs = networkBoundMs(stats.total, parallelism, c.latencyMs);
  const t = timing(times);
  const networkPhaseMedianMs = medianOrNull(phases);
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
    networkPhaseTimesMs: phases,
    networkPhaseMedianMs,
    networkRatioToBound: ratioTo(networkPhaseMedianMs, boundMs),
    clientNetworkCpuMedianMs: medianOrNull(clientCpu),
    clientCpuPerRequestMs: medianOrNull(clientCpuPerRequests),
    clientNetworkRuns,
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

/** Waits until just after the wall clock's next multiple of `seconds`, where a cron schedule of that period ticks. */
async function untilScheduleBoundary(seconds: number): Promise<void> {
  const period = seconds * 1000;
  const wait = period - (Date.now() % period) + 20;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * Runs `dss-gitops watch` on the case's tree (in sync: applied by benchCase) at the case's first parallelism, on a
 * schedule at least twice the expected tick, until `ticks` ticks after the first have finished, then stops it with
 * SIGTERM. Each tick's time is the `durationSeconds` of its "drift run finished" log line; its requests and network
 * phase are the simulator's counts, read and cleared at once when that line arrives. The process starts just
 * after a tick of the schedule, so that its first run (on start) ends well before the next tick, and every tick
 * ends half a period before the one after it: the counts taken between them belong to one tick.
 */
export async function benchWatch(
  runner: Runner,
  sim: RemoteSimulator,
  c: BenchCase,
  o: BenchOptions,
  phases: PhaseResult[],
  tree: BenchTree = projectsTree(c),
): Promise<WatchResult> {
  const parallelism = c.parallelisms[0];
  if (parallelism === undefined) throw new Error('a case needs at least one parallelism');
  const ticks = o.watchTicks ?? 5;
  if (ticks < 1) throw new Error('the watch phase needs at least one tick after the first');
  const plan = phases.find((r) => r.phase === 'plan' && r.parallelism === parallelism);
  const drift = phases.find((r) => r.phase === 'drift' && r.parallelism === parallelism);
  const env = { ...tree.env, DSS_URL: sim.url, DSS_API_KEY: sim.adminKey };
  // The schedule leaves room for a tick as long as the plan or drift took; one drift, untimed, when neither was run.
  let expectedMs = Math.max(drift?.medianMs ?? 0, plan?.medianMs ?? 0);
  if (expectedMs === 0) {
    await sim.setLatency(c.latencyMs);
    expectedMs = (await runner.run(commandFor('drift', parallelism).argv, env, false)).ms;
  }
  const scheduleSeconds = watchScheduleSeconds(Math.max(expectedMs, 500));
  const argv = ['watch', '-f', 'manifests', '--parallelism', String(parallelism), '--schedule', `*/${scheduleSeconds} * * * * *`];

  await sim.reset(false);
  await sim.setLatency(c.latencyMs);
  await untilScheduleBoundary(scheduleSeconds);
  const durations: number[] = [];
  const counts: SimStats[] = [];
  let skippedTicks = 0;
  let failure: string | undefined;
  // Each finished tick's counts are taken in order; the process is stopped once enough are in.
  let taking: Promise<unknown> = Promise.resolve();
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const started = runner.start(argv, env, true, (line) => {
    const event = watchEvent(line);
    if (event === undefined) return;
    if (event.type === 'skipped') skippedTicks += 1;
    else if (event.type === 'failed') {
      failure = event.error;
      resolveAll();
    } else if (durations.length <= ticks) {
      durations.push(event.durationMs);
      taking = taking.then(async () => {
        counts.push(await sim.takeStats());
        if (counts.length > ticks) resolveAll();
      });
    }
  });
  const exited = started.done.then((run) => {
    resolveAll();
    return run;
  });
  // A watch that stops ticking (a hung run) fails the bench instead of holding it forever.
  const patience = setTimeout(() => {
    failure = `fewer than ${ticks + 1} ticks in ${(ticks + 2) * scheduleSeconds + 120} s`;
    resolveAll();
  }, ((ticks + 2) * scheduleSeconds + 120) * 1000);
  await all;
  clearTimeout(patience);
  await taking;
  if (started.child.exitCode === null) started.child.kill('SIGTERM');
  const run = await exited;
  await sim.setLatency(0);
  if (failure !== undefined) throw new Error(`a watch tick failed: ${failure}\n${run.output}`);
  if (counts.length <= ticks || run.exitCode !== 0) {
    throw new Error(`watch exited with ${run.exitCode} after ${counts.length} of ${ticks + 1} ticks:\n${run.output}`);
  }
  const [first, ...timed] = durations as [number, ...number[]];
  const timedCounts = counts.slice(1);
  const last = timedCounts[timedCounts.length - 1] as SimStats;
  if (timedCounts.some((t) => t.writes > 0)) throw new Error(`a watch tick wrote: ${JSON.stringify(timedCounts.map((t) => t.byRoute))}`);
  const requestsPerTick = timedCounts.map((t) => t.total);
  const requests = median(requestsPerTick);
  const boundMs = networkBoundMs(requests, parallelism, c.latencyMs);
  const networkPhaseTimesMs = timedCounts.map((t) => networkPhaseMs(t, c.latencyMs));
  const networkPhaseMedianMs = medianOrNull(networkPhaseTimesMs);
  const t = timing(timed);
  const result: WatchResult = {
    projects: tree.projects,
    scenarios: tree.scenarios,
    objects: phases[0]?.objects ?? 0,
    latencyMs: c.latencyMs,
    parallelism,
    scheduleSeconds,
    firstTickMs: first,
    ticks: timed.length,
    skippedTicks,
    requestsPerTick,
    requests,
    reads: last.reads,
    writes: last.writes,
    byRoute: last.byRoute,
    boundMs,
    networkPhaseTimesMs,
    networkPhaseMedianMs,
    networkRatioToBound: ratioTo(networkPhaseMedianMs, boundMs),
    planMedianMs: plan?.medianMs ?? null,
    ratioToPlan: ratioTo(t.medianMs, plan?.medianMs ?? null),
    planNetworkPhaseMs: plan?.networkPhaseMedianMs ?? null,
    ratioToPlanNetworkPhase: ratioTo(t.medianMs, plan?.networkPhaseMedianMs ?? null),
    peakRssMiB: run.maxRssKiB / 1024,
    ...t,
  };
  o.progress?.(tree.label === undefined ? formatWatch(result) : `${tree.label} ${formatWatch(result).replace(/^0×0 +/, '')}`);
  return result;
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

const s = (ms: number): string => (ms / 1000).toFixed(2);

/** One line of the text report. */
export function formatPhase(r: PhaseResult): string {
  return (
    `${`${r.projects}×${r.scenarios}`.padEnd(9)} ${r.phase.padEnd(11)} L=${r.latencyMs}ms P=${String(r.parallelism).padEnd(3)} ` +
    `requests ${r.requests} (${r.reads} reads, ${r.writes} writes)  median ${s(r.medianMs)} s [${s(r.minMs)}–${s(r.maxMs)}]` +
    (r.ratioToBound === null ? '' : `  bound ${s(r.boundMs)} s  ratio ${r.ratioToBound.toFixed(2)}`) +
    (r.networkPhaseMedianMs === null ? '' : `  network phase ${s(r.networkPhaseMedianMs)} s`) +
    (r.networkRatioToBound === null ? '' : ` (ratio ${r.networkRatioToBound.toFixed(2)})`) +
    (r.clientCpuPerRequestMs === null ? '' : `  client CPU ${r.clientCpuPerRequestMs.toFixed(3)} ms/request`) +
    `  CPU ${s(r.cpuMedianMs)} s  peak RSS ${r.peakRssMiB.toFixed(0)} MiB` +
    (r.speedupVsParallelism1 === null ? '' : `  ${r.speedupVsParallelism1.toFixed(1)}× vs P=1`)
  );
}

/** The text report's line of the watch phase. */
export function formatWatch(r: WatchResult): string {
  return (
    `${`${r.projects}×${r.scenarios}`.padEnd(9)} ${'watch'.padEnd(11)} L=${r.latencyMs}ms P=${String(r.parallelism).padEnd(3)} ` +
    `every ${r.scheduleSeconds} s, ${r.ticks} ticks: requests ${r.requests}/tick  median tick ${s(r.medianMs)} s [${s(r.minMs)}–${s(r.maxMs)}]` +
    `  first ${s(r.firstTickMs)} s` +
    (r.networkPhaseMedianMs === null ? '' : `  network phase ${s(r.networkPhaseMedianMs)} s`) +
    (r.networkRatioToBound === null ? '' : ` (ratio ${r.networkRatioToBound.toFixed(2)})`) +
    (r.ratioToPlan === null ? '' : `  ${r.ratioToPlan.toFixed(2)}× the plan`) +
    (r.ratioToPlanNetworkPhase === null ? '' : `, ${r.ratioToPlanNetworkPhase.toFixed(2)}× its network phase`) +
    (r.skippedTicks === 0 ? '' : `  ${r.skippedTicks} ticks skipped`) +
    `  peak RSS ${r.peakRssMiB.toFixed(0)} MiB`
  );
}

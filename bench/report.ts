// What `npm run bench` measures and reports: its phases, cases and options, the trees it runs on, and the results
// (the JSON report's shape, read back by bench:table).

import type { ClientNetwork } from './figures.js';
import { writeManifests, type CliEntry } from './workload.js';

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

/** What a result was measured on: the tree, the latency and the parallelism. */
export interface MeasuredOn {
  /** The tree's label when it is not N projects × M scenarios (the platform tree's `500u×100g×50c`). */
  tree?: string;
  projects: number;
  scenarios: number;
  /** Objects the manifests declare (per project its metadata, variables, permissions; each scenario). */
  objects: number;
  latencyMs: number;
  parallelism: number;
}

export interface PhaseResult extends Timing, MeasuredOn {
  phase: RunPhase;
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
  /**
   * The rig's floor (bench/floor.ts): the plan's own GETs sent by a bare undici Pool in a fresh process, one run
   * after each of the plan's; null for the other phases. Absent from reports made before it was measured.
   */
  floor: FloorResult | null;
  /** networkPhaseMedianMs / floor.networkPhaseMedianMs (one clock, the simulator's): how far the CLI's network phase is from undici alone's. */
  networkRatioToFloor: number | null;
}

/** One run of the floor. */
export interface FloorRun {
  /** GETs sent, as many as the plan sent and the simulator counted. */
  requests: number;
  /** From the first request's creation to the last body read to its end. */
  wallMs: number;
  /** CPU time (user + system) of the floor's process over that time. */
  cpuMs: number;
  /** Median of the requests' latencies (each from its creation to its body's end). */
  latencyMedianMs: number;
  /** The run's network phase as the simulator saw it (as PhaseResult's networkPhaseTimesMs). */
  networkPhaseMs: number | null;
}

/** The floor of a plan result: Timing is over the runs' wall times. */
export interface FloorResult extends Timing {
  requests: number;
  /** Median over the runs of cpuMs / requests. */
  cpuPerRequestMs: number;
  /** Median over the runs of their median latency per request. */
  latencyMedianMs: number;
  /** Median of the runs' network phases on the simulator's clock, null when none was measured. */
  networkPhaseMedianMs: number | null;
  runs: FloorRun[];
}

/** The watch phase: `dss-gitops watch` on the same tree, its ticks timed by its log lines. */
export interface WatchResult extends Timing, MeasuredOn {
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
export function projectsTree(c: BenchCase): BenchTree {
  return { write: (dir) => writeManifests(dir, c.projects, c.scenarios), projects: c.projects, scenarios: c.scenarios };
}

/** The command line of a phase's run, and the exit code it must end with. */
export function commandFor(phase: RunPhase, parallelism: number): { argv: string[]; exit: number } {
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

// The figures the bench derives from what it measures (medians, the network bound and phase, the client's CPU per
// request, the watch's schedule and log lines) and the text lines it prints.

import type { FloorResult, FloorRun, PhaseResult, Timing, WatchResult } from './report.js';
import type { SimStats } from './workload.js';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function timing(times: number[]): Timing {
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

/**
 * The floor of a phase from its runs (medians of their wall times, CPU per request, latency and network phase), and
 * the phase's network phase as a ratio to the floor's, both on the simulator's clock (first arrival to last arrival
 * plus the latency); both null without a run, the ratio null without either network phase.
 */
export function floorFigures(runs: FloorRun[], networkPhaseMedianMs: number | null): { floor: FloorResult | null; networkRatioToFloor: number | null } {
  const [first] = runs;
  if (first === undefined) return { floor: null, networkRatioToFloor: null };
  const floor: FloorResult = {
    ...timing(runs.map((r) => r.wallMs)),
    requests: first.requests,
    cpuPerRequestMs: median(runs.map((r) => r.cpuMs / r.requests)),
    latencyMedianMs: median(runs.map((r) => r.latencyMedianMs)),
    networkPhaseMedianMs: medianOrNull(runs.map((r) => r.networkPhaseMs)),
    runs,
  };
  return { floor, networkRatioToFloor: ratioTo(networkPhaseMedianMs, floor.networkPhaseMedianMs) };
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
    (r.floor === null ? '' : `  floor ${s(r.floor.medianMs)} s, ${r.floor.cpuPerRequestMs.toFixed(3)} ms CPU/request`) +
    (r.networkRatioToFloor === null ? '' : ` (network phase ${r.networkRatioToFloor.toFixed(2)}× it)`) +
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

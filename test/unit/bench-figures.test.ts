// The figures `npm run bench` derives from what it measures (the network phase, its bound and ratio, the client's
// CPU per request, the watch's schedule and log lines) and the README tables it prints from a report.

import { describe, expect, it } from 'vitest';
import { clientCpuPerRequest, floorFigures, medianOrNull, networkBoundMs, networkPhaseMs, ratioTo, watchEvent, watchScheduleSeconds } from '../../bench/figures.js';
import { planGetPaths } from '../../bench/floor.js';
import type { BenchReport, FloorRun, PhaseResult, WatchResult } from '../../bench/report.js';
import { readmeTable } from '../../bench/table.js';

describe('the network phase', () => {
  it('runs from the first arrival to the last arrival plus the latency', () => {
    expect(networkPhaseMs({ timing: { originMs: 1e12, firstArrivalMs: 1000.5, lastArrivalMs: 2300.5 } }, 20)).toBe(1320);
    expect(networkPhaseMs({ timing: { originMs: 1e12, firstArrivalMs: 10, lastArrivalMs: 10 } }, 0)).toBe(0);
  });

  it('is unknown without a request, or from a simulator that keeps no times', () => {
    expect(networkPhaseMs({ timing: { originMs: 1e12, firstArrivalMs: null, lastArrivalMs: null } }, 20)).toBeNull();
    expect(networkPhaseMs({ timing: null }, 20)).toBeNull();
    expect(networkPhaseMs({}, 20)).toBeNull();
  });

  it('has the bound of full rounds of requests, each waiting the latency, and a ratio only to a bound above 0', () => {
    expect(networkBoundMs(801, 16, 20)).toBe(51 * 20);
    expect(networkBoundMs(801, 64, 20)).toBe(13 * 20);
    expect(networkBoundMs(64, 64, 20)).toBe(20);
    expect(networkBoundMs(801, 16, 0)).toBe(0);
    expect(ratioTo(390, 260)).toBe(1.5);
    expect(ratioTo(390, 0)).toBeNull();
    expect(ratioTo(null, 260)).toBeNull();
    expect(ratioTo(390, null)).toBeNull();
  });

  it('takes the median of the runs that measured it', () => {
    expect(medianOrNull([3, null, 1, 2])).toBe(2);
    expect(medianOrNull([4, 1])).toBe(2.5);
    expect(medianOrNull([null, null])).toBeNull();
  });
});

describe("the client's CPU per request", () => {
  it('shares the CPU of the phase among its requests', () => {
    expect(clientCpuPerRequest({ requests: 800, wallMs: 900, cpuMs: 80 }, 800)).toBe(0.1);
  });

  it('is unknown when the client completed none, or not the requests the simulator counted', () => {
    expect(clientCpuPerRequest(null, 801)).toBeNull();
    expect(clientCpuPerRequest({ requests: 0, wallMs: 0, cpuMs: 0 }, 0)).toBeNull();
    expect(clientCpuPerRequest({ requests: 400, wallMs: 900, cpuMs: 80 }, 801)).toBeNull();
  });
});

describe('the floor', () => {
  const floorRun = (wallMs: number, cpuMs: number, latencyMedianMs: number, networkPhaseMs: number | null): FloorRun => ({
    requests: 800,
    wallMs,
    cpuMs,
    latencyMedianMs,
    networkPhaseMs,
  });

  it('takes the medians of its runs, and gives the network phase as a ratio to its own, on the one clock', () => {
    const runs = [floorRun(380, 344, 21.8, 372), floorRun(370, 328, 21.5, 361), floorRun(390, 352, 22.1, null)];
    const { floor, networkRatioToFloor } = floorFigures(runs, 430);
    expect(floor).toEqual({
      medianMs: 380,
      minMs: 370,
      maxMs: 390,
      timesMs: [380, 370, 390],
      requests: 800,
      cpuPerRequestMs: 0.43,
      latencyMedianMs: 21.8,
      networkPhaseMedianMs: 366.5,
      runs,
    });
    expect(networkRatioToFloor).toBe(430 / 366.5);
  });

  it('has no ratio without a network phase, and neither floor nor ratio without a run', () => {
    expect(floorFigures([floorRun(1100, 350, 22, 1090)], null)).toMatchObject({ floor: { medianMs: 1100 }, networkRatioToFloor: null });
    expect(floorFigures([], 1170)).toEqual({ floor: null, networkRatioToFloor: null });
    expect(floorFigures([floorRun(1100, 350, 22, null)], 1170)).toMatchObject({ floor: { medianMs: 1100, networkPhaseMedianMs: null }, networkRatioToFloor: null });
  });

  it("sends the plan's GETs again, and refuses a recording with a write or another origin", () => {
    const origin = 'http://127.0.0.1:4100';
    expect(planGetPaths([['GET', origin, '/public/api/projects/'], ['GET', origin, '/public/api/projects/A/variables/']], origin)).toEqual([
      '/public/api/projects/',
      '/public/api/projects/A/variables/',
    ]);
    expect(() => planGetPaths([['GET', origin, '/public/api/projects/'], ['PUT', origin, '/public/api/projects/A/variables/']], origin)).toThrow(
      "the floor sends a plan's GETs again, but the plan sent PUT /public/api/projects/A/variables/",
    );
    expect(() => planGetPaths([['GET', 'http://127.0.0.1:4200', '/public/api/projects/']], origin)).toThrow('but the plan sent one to http://127.0.0.1:4200');
  });
});

describe('the watch phase', () => {
  it('ticks on a period that divides a minute and leaves at least the tick again before the next one', () => {
    expect(watchScheduleSeconds(100)).toBe(1);
    expect(watchScheduleSeconds(500)).toBe(1);
    expect(watchScheduleSeconds(501)).toBe(2);
    expect(watchScheduleSeconds(1450)).toBe(3);
    expect(watchScheduleSeconds(3600)).toBe(10);
    expect(watchScheduleSeconds(15_000)).toBe(30);
    expect(() => watchScheduleSeconds(15_001)).toThrow('too long to bench on a schedule of seconds');
  });

  it('reads finished, failed and skipped ticks from the log, and nothing from the other lines', () => {
    const line = (fields: object): string => JSON.stringify({ level: 30, time: 1, ...fields });
    expect(watchEvent(line({ msg: 'drift run finished', result: 'in_sync', durationSeconds: 1.234 }))).toEqual({ type: 'tick', durationMs: 1234 });
    expect(watchEvent(line({ msg: 'drift run failed', error: 'connection refused', durationSeconds: 0.1 }))).toEqual({
      type: 'failed',
      error: 'connection refused',
    });
    expect(watchEvent(line({ msg: 'previous run still in progress; skipping this tick', skippedTicks: 1 }))).toEqual({ type: 'skipped' });
    expect(watchEvent(line({ msg: 'watch started', schedule: '*/3 * * * * *' }))).toBeUndefined();
    expect(watchEvent(line({ msg: 'drift run finished' }))).toBeUndefined();
    expect(watchEvent('{ not json')).toBeUndefined();
    expect(watchEvent('plain text')).toBeUndefined();
  });
});

const phase = (fields: Partial<PhaseResult>): PhaseResult => ({
  phase: 'plan',
  projects: 100,
  scenarios: 5,
  objects: 800,
  latencyMs: 20,
  parallelism: 64,
  requests: 801,
  reads: 801,
  writes: 0,
  byRoute: {},
  boundMs: 260,
  ratioToBound: 2.5,
  peakRssMiB: 110.4,
  cpuMedianMs: 740,
  speedupVsParallelism1: null,
  medianMs: 650,
  minMs: 640,
  maxMs: 700,
  timesMs: [640, 650, 700],
  networkPhaseTimesMs: [380, 390, 400],
  networkPhaseMedianMs: 390,
  networkRatioToBound: 1.5,
  clientNetworkCpuMedianMs: 80.1,
  clientCpuPerRequestMs: 0.1,
  clientNetworkRuns: [{ requests: 801, wallMs: 360, cpuMs: 80.1 }],
  floor: {
    medianMs: 300,
    minMs: 290,
    maxMs: 320,
    timesMs: [290, 300, 320],
    requests: 801,
    cpuPerRequestMs: 0.42,
    latencyMedianMs: 21.5,
    networkPhaseMedianMs: 300,
    runs: [],
  },
  networkRatioToFloor: 1.3,
  ...fields,
});

const watch: WatchResult = {
  projects: 100,
  scenarios: 5,
  objects: 800,
  latencyMs: 20,
  parallelism: 64,
  scheduleSeconds: 3,
  firstTickMs: 900,
  ticks: 5,
  skippedTicks: 0,
  requestsPerTick: [901, 901, 901, 901, 901],
  requests: 901,
  reads: 901,
  writes: 0,
  byRoute: {},
  boundMs: 300,
  networkPhaseTimesMs: [420, 430, 440, 450, 460],
  networkPhaseMedianMs: 440,
  networkRatioToBound: 440 / 300,
  planMedianMs: 650,
  ratioToPlan: 0.8,
  planNetworkPhaseMs: 390,
  ratioToPlanNetworkPhase: 520 / 390,
  peakRssMiB: 130,
  medianMs: 520,
  minMs: 500,
  maxMs: 560,
  timesMs: [500, 510, 520, 530, 560],
};

const report = (fields: Partial<BenchReport>): BenchReport => ({
  formatVersion: 1,
  date: '2026-12-05T08:00:00.000Z',
  machine: { nproc: 2, cpu: 'AMD EPYC', node: 'v20.20.2', platform: 'linux' },
  runs: 3,
  startup: [],
  phases: [phase({})],
  ...fields,
});

describe('the README tables', () => {
  it('give each phase its network phase, its ratio to the bound, the floor (the plan only) and the client CPU per request', () => {
    const drift = phase({ phase: 'drift', networkPhaseMedianMs: null, networkRatioToBound: null, clientCpuPerRequestMs: null, floor: null, networkRatioToFloor: null });
    const lines = readmeTable(report({ phases: [phase({}), drift] })).split('\n');
    expect(lines[2]).toBe(
      '| Size | Phase | Latency | Parallelism | Requests (writes) | Median | Min–max | × network bound | Network phase | Network phase × bound | Floor network phase (undici alone) | Network phase × floor | Client CPU / request | CPU | Peak RSS | × faster than parallelism 1 |',
    );
    expect(lines[4]).toBe('| 100 × 5 | plan | 20 ms | 64 | 801 (0) | 0.65 s | 0.64–0.70 s | 2.50 | 0.39 s | 1.50 | 0.30 s | 1.30 | 0.100 ms | 0.74 s | 110 MiB | – |');
    expect(lines[5]).toBe('| 100 × 5 | drift | 20 ms | 64 | 801 (0) | 0.65 s | 0.64–0.70 s | 2.50 | – | – | – | – | – | 0.74 s | 110 MiB | – |');
    expect(lines).toHaveLength(7);
  });

  it('give the watch its ticks, their network phase, and their ratio to the plan and its network phase', () => {
    const lines = readmeTable(report({ watch: [watch, { ...watch, skippedTicks: 2, ratioToPlan: null, ratioToPlanNetworkPhase: null, planMedianMs: null, planNetworkPhaseMs: null }] })).split('\n');
    const at = lines.findIndex((l) => l.startsWith('| Size | Watch |'));
    expect(lines[at]).toBe(
      "| Size | Watch | Latency | Parallelism | Requests per tick | Median tick | Min–max | First tick | Network phase | Network phase × bound | × plan | × plan's network phase | Peak RSS |",
    );
    expect(lines[at + 2]).toBe('| 100 × 5 | every 3 s, 5 ticks | 20 ms | 64 | 901 | 0.52 s | 0.50–0.56 s | 0.90 s | 0.44 s | 1.47 | 0.80 | 1.33 | 130 MiB |');
    expect(lines[at + 3]).toBe('| 100 × 5 | every 3 s, 5 ticks (2 skipped) | 20 ms | 64 | 901 | 0.52 s | 0.50–0.56 s | 0.90 s | 0.44 s | 1.47 | – | – | 130 MiB |');
  });

  it("name a tree by its label when it has one (the platform tree's), by its projects and scenarios otherwise", () => {
    const lines = readmeTable(report({ phases: [phase({ tree: '500u×100g×50c', projects: 0, scenarios: 0 })], watch: [{ ...watch, tree: '500u×100g×50c' }] })).split('\n');
    expect(lines[4]).toBe('| 500u×100g×50c | plan | 20 ms | 64 | 801 (0) | 0.65 s | 0.64–0.70 s | 2.50 | 0.39 s | 1.50 | 0.30 s | 1.30 | 0.100 ms | 0.74 s | 110 MiB | – |');
    expect(lines.find((l) => l.startsWith('| 500u×100g×50c | every'))).toBeDefined();
  });

  it('still print a report made before the network phase and the watch were measured', () => {
    const old = phase({});
    for (const key of ['networkPhaseTimesMs', 'networkPhaseMedianMs', 'networkRatioToBound', 'clientNetworkCpuMedianMs', 'clientCpuPerRequestMs', 'clientNetworkRuns', 'floor', 'networkRatioToFloor'] as const) {
      delete (old as Partial<PhaseResult>)[key];
    }
    const lines = readmeTable(report({ phases: [old] })).split('\n');
    expect(lines[4]).toBe('| 100 × 5 | plan | 20 ms | 64 | 801 (0) | 0.65 s | 0.64–0.70 s | 2.50 | – | – | – | – | – | 0.74 s | 110 MiB | – |');
    expect(lines.some((l) => l.startsWith('| Size | Watch |'))).toBe(false);
  });

  it('print a report made before the floor was measured, its network phase still there', () => {
    const old = phase({});
    delete (old as Partial<PhaseResult>).floor;
    delete (old as Partial<PhaseResult>).networkRatioToFloor;
    const lines = readmeTable(report({ phases: [old] })).split('\n');
    expect(lines[4]).toBe('| 100 × 5 | plan | 20 ms | 64 | 801 (0) | 0.65 s | 0.64–0.70 s | 2.50 | 0.39 s | 1.50 | – | – | 0.100 ms | 0.74 s | 110 MiB | – |');
  });
});

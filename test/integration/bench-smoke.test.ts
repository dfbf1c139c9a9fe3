// Keeps `npm run bench` from rotting: its smallest configuration runs the CLI (from source) against a simulator
// process, and the report has the shape the README table is generated from and the request counts a run of that
// size sends. Timings are never asserted.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchReport, PhaseResult } from '../../bench/report.js';

const run = promisify(execFile);
const PROJECTS = 2;
const SCENARIOS = 1;

function byPhase(report: BenchReport, phase: string, parallelism = 2): PhaseResult {
  const found = report.phases.find((p) => p.phase === phase && p.parallelism === parallelism);
  if (!found) throw new Error(`no ${phase} at parallelism ${parallelism} in the report`);
  return found;
}

describe('npm run bench --quick', () => {
  it('measures every phase of the CLI and the watch, and reports requests, timings, bounds, network phases, the floor beside the plans, peak RSS and the README table', { timeout: 180_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--quick', '--json', '--sizes', `${PROJECTS}x${SCENARIOS}`, '--latency', '1', '--parallelism', '2,1', '--cli', 'src/cli/main.ts'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as BenchReport;
    expect(report.formatVersion).toBe(1);
    expect(report.machine.nproc).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.startup.map((r) => r.command)).toEqual(['node -e 0', '--version', '--help', 'validate -f manifests-example']);
    expect(report.phases.map((p) => `${p.phase}@${p.parallelism}`)).toEqual(['fresh-apply@2', 'plan@2', 'plan@1', 'noop-apply@2', 'drift@2']);

    // A plan reads each object once: the project list (the connection check's read of it), then per project its
    // metadata, variables and permissions, and each scenario; a no-op apply reads the same and writes nothing. An
    // apply looks at the run lock while it checks the connection, and reads the project list again after that.
    const objects = PROJECTS * (3 + SCENARIOS);
    for (const p of [byPhase(report, 'plan'), byPhase(report, 'plan', 1), byPhase(report, 'noop-apply')]) {
      expect(p.objects).toBe(objects);
      expect(p.requests).toBe(1 + objects + (p.phase === 'noop-apply' ? 2 : 0));
      expect(p.byRoute['GET /projects']).toBe(p.phase === 'noop-apply' ? 2 : 1);
      expect(p.byRoute['GET /admin/variables'] ?? 0).toBe(p.phase === 'noop-apply' ? 1 : 0);
      expect(p.writes).toBe(0);
      expect(p.byRoute['GET /projects/:projectKey/variables']).toBe(PROJECTS);
      expect(p.byRoute['GET /projects/:projectKey/scenarios/:scenarioId']).toBe(PROJECTS * SCENARIOS);
    }
    const fresh = byPhase(report, 'fresh-apply');
    expect(fresh.byRoute['POST /projects']).toBe(PROJECTS);
    expect(fresh.byRoute['POST /projects/:projectKey/scenarios']).toBe(PROJECTS * SCENARIOS);
    expect(fresh.byRoute['PUT /projects/:projectKey/variables']).toBe(PROJECTS);
    const drift = byPhase(report, 'drift');
    expect(drift.writes).toBe(0);
    expect(drift.byRoute['GET /projects/:projectKey/scenarios']).toBe(PROJECTS);

    const plan = byPhase(report, 'plan');
    expect(plan.boundMs).toBe(Math.ceil(plan.requests / 2) * 1);
    expect(plan.ratioToBound).toBeCloseTo(plan.medianMs / plan.boundMs);
    expect(plan.speedupVsParallelism1).toBeCloseTo(byPhase(report, 'plan', 1).medianMs / plan.medianMs);
    expect(plan.peakRssMiB).toBeGreaterThan(10);
    expect(plan.cpuMedianMs).toBeGreaterThan(0);
    expect(plan.minMs).toBeLessThanOrEqual(plan.medianMs);

    // The network phase: from the first request's arrival to the last one's plus the latency, inside the run; the
    // client's CPU over its requests, which the hook saw as many as the simulator counted.
    for (const p of report.phases) {
      expect(p.networkPhaseTimesMs).toHaveLength(1);
      const network = p.networkPhaseMedianMs as number;
      expect(network).toBeGreaterThanOrEqual(p.latencyMs);
      expect(network).toBeLessThan(p.medianMs);
      expect(p.networkRatioToBound).toBeCloseTo(network / p.boundMs);
      expect(p.clientCpuPerRequestMs).toBeCloseTo((p.clientNetworkCpuMedianMs as number) / p.requests);
      expect(p.clientNetworkCpuMedianMs).toBeLessThan(p.cpuMedianMs);
      expect(p.clientNetworkRuns.map((r) => r?.requests)).toEqual([p.requests]);
    }

    // The floor: after each plan run, the plan's own GETs sent by undici alone, every one counted by the simulator;
    // the other phases have none.
    for (const p of report.phases) {
      if (p.phase !== 'plan') {
        expect(p.floor).toBeNull();
        expect(p.networkRatioToFloor).toBeNull();
        continue;
      }
      const floor = p.floor;
      if (floor === null) throw new Error(`no floor beside the plan at parallelism ${p.parallelism}`);
      expect(floor.requests).toBe(p.requests);
      expect(floor.runs.map((r) => r.requests)).toEqual([p.requests]);
      expect(floor.medianMs).toBeGreaterThan(0);
      expect(floor.cpuPerRequestMs).toBeGreaterThan(0);
      expect(floor.latencyMedianMs).toBeGreaterThan(0);
      expect(floor.networkPhaseMedianMs).toBeGreaterThanOrEqual(p.latencyMs);
      expect(p.networkRatioToFloor).toBeCloseTo((p.networkPhaseMedianMs as number) / (floor.networkPhaseMedianMs as number));
    }

    // The watch: two ticks after the first, each a whole drift run of the tree (the counts taken between ticks).
    const [watch, ...otherWatch] = report.watch ?? [];
    expect(otherWatch).toHaveLength(0);
    if (!watch) throw new Error('no watch phase in the report');
    expect(watch.ticks).toBe(2);
    expect(watch.timesMs).toHaveLength(2);
    expect(watch.skippedTicks).toBe(0);
    expect(watch.requestsPerTick).toEqual([drift.requests, drift.requests]);
    expect(watch.writes).toBe(0);
    expect(watch.byRoute['GET /projects/:projectKey/variables']).toBe(PROJECTS);
    expect(watch.byRoute['GET /projects/:projectKey/scenarios']).toBe(PROJECTS);
    expect(watch.boundMs).toBe(Math.ceil(drift.requests / 2) * 1);
    expect(watch.networkPhaseMedianMs).toBeLessThanOrEqual(watch.maxMs);
    expect(watch.ratioToPlan).toBeCloseTo(watch.medianMs / plan.medianMs);
    expect(watch.ratioToPlanNetworkPhase).toBeCloseTo(watch.medianMs / (plan.networkPhaseMedianMs as number));

    const file = join(mkdtempSync(join(tmpdir(), 'dss-gitops-bench-test-')), 'bench.json');
    writeFileSync(file, stdout);
    const table = (await run(process.execPath, ['--import', 'tsx', 'bench/readme-table.ts', file])).stdout.split('\n');
    expect(table[0]).toContain(`Node ${process.version}`);
    expect(table.filter((line) => line.startsWith(`| ${PROJECTS} × ${SCENARIOS} |`))).toHaveLength(report.phases.length + 1);
    expect(table.filter((line) => line.startsWith(`| ${PROJECTS} × ${SCENARIOS} | every `))).toHaveLength(1);
    // The floor's two columns follow the network phase's ratio to the bound: figures for the plans, – for the others.
    const cells = (phaseName: string, parallelism: number): string[] | undefined =>
      table.find((line) => line.startsWith(`| ${PROJECTS} × ${SCENARIOS} | ${phaseName} | 1 ms | ${parallelism} |`))?.split(' | ');
    expect(cells('plan', 2)?.slice(10, 12)).toEqual([`${((plan.floor?.networkPhaseMedianMs ?? 0) / 1000).toFixed(2)} s`, (plan.networkRatioToFloor as number).toFixed(2)]);
    expect(cells('drift', 2)?.slice(10, 12)).toEqual(['–', '–']);
    expect(table.filter((line) => line.startsWith('| `'))).toHaveLength(report.startup.length);
  });
});

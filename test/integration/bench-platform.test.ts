// Keeps `npm run bench -- --tree platform` from rotting: a tiny platform tree (users, groups, connections) runs
// through the CLI (from source) against a simulator process, and the report has the projects benchmark's shape
// and the requests such a tree costs. Timings are never asserted.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchReport, PhaseResult } from '../../bench/report.js';
import { platformSize, writePlatformManifests } from '../../bench/platform-workload.js';
import { runCliCaptured } from '../helpers/cli.js';

const run = promisify(execFile);
const [USERS, GROUPS, CONNECTIONS] = [6, 3, 2];

function byPhase(report: BenchReport, phase: string, parallelism = 2): PhaseResult {
  const found = report.phases.find((p) => p.phase === phase && p.parallelism === parallelism);
  if (!found) throw new Error(`no ${phase} at parallelism ${parallelism} in the report`);
  return found;
}

describe('the platform benchmark tree', () => {
  it('is 500 users, 100 groups and 50 connections by default, and says how to give another size', () => {
    expect(platformSize('platform')).toEqual({ users: 500, groups: 100, connections: 50 });
    expect(platformSize('platform:20x4x3')).toEqual({ users: 20, groups: 4, connections: 3 });
    expect(() => platformSize('platform:20x4')).toThrow('--tree is projects, platform or platform:USERSxGROUPSxCONNECTIONS');
    expect(() => platformSize('platform:5x0x1')).toThrow('at least one group');
  });

  it('writes a tree that validates, every user in groups it declares', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dss-gitops-bench-platform-test-'));
    try {
      expect(writePlatformManifests(join(dir, 'm'), { users: 40, groups: 7, connections: 5 })).toBe(52);
      const env = { BENCH_USER_PASSWORD: 'x', BENCH_WAREHOUSE_PASSWORD: 'y' };
      const validated = await runCliCaptured(['validate', '-f', 'm'], { env, cwd: dir });
      expect(validated.stderr).toBe('');
      expect(validated.stdout).toContain('52 documents valid.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run bench -- --tree platform', () => {
  it('measures every phase with the projects benchmark figures and the requests of the tree', { timeout: 180_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--quick', '--json', '--tree', `platform:${USERS}x${GROUPS}x${CONNECTIONS}`, '--latency', '1', '--parallelism', '2,1', '--cli', 'src/cli/main.ts'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as BenchReport;
    expect(report.formatVersion).toBe(1);
    expect(report.phases.map((p) => `${p.phase}@${p.parallelism}`)).toEqual(['fresh-apply@2', 'plan@2', 'plan@1', 'noop-apply@2', 'drift@2']);

    const fresh = byPhase(report, 'fresh-apply');
    expect(fresh.objects).toBe(USERS + GROUPS + CONNECTIONS);
    expect(fresh.byRoute['POST /admin/users']).toBe(USERS);
    expect(fresh.byRoute['POST /admin/groups']).toBe(GROUPS);
    expect(fresh.byRoute['POST /admin/connections']).toBe(CONNECTIONS);
    // Groups and users are read from their lists once per run, not one GET each.
    for (const p of [byPhase(report, 'plan'), byPhase(report, 'plan', 1), byPhase(report, 'noop-apply'), byPhase(report, 'drift')]) {
      expect(p.writes).toBe(0);
      expect(p.byRoute['GET /admin/users']).toBe(1);
      expect(p.byRoute['GET /admin/groups']).toBe(1);
      expect(p.byRoute['GET /admin/connections/:name']).toBe(CONNECTIONS);
    }
    const plan = byPhase(report, 'plan');
    expect(plan.boundMs).toBe(Math.ceil(plan.requests / 2) * 1);
    expect(plan.ratioToBound).toBeCloseTo(plan.medianMs / plan.boundMs);
    expect(plan.speedupVsParallelism1).toBeCloseTo(byPhase(report, 'plan', 1).medianMs / plan.medianMs);
    expect(plan.peakRssMiB).toBeGreaterThan(10);
    expect(plan.cpuMedianMs).toBeGreaterThan(0);
    expect(plan.networkRatioToBound).toBeCloseTo((plan.networkPhaseMedianMs as number) / plan.boundMs);
    // The watch ticks on the same tree, each a drift run of it.
    const watch = report.watch?.[0];
    if (!watch) throw new Error('no watch phase in the report');
    expect(watch.requestsPerTick).toEqual([byPhase(report, 'drift').requests, byPhase(report, 'drift').requests]);
    expect(watch.byRoute['GET /admin/connections/:name']).toBe(CONNECTIONS);
  });
});

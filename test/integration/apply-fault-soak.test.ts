// Fault soak: a generated tree of 50 projects with 5 scenarios each, applied against a simulator that fails a few
// percent of every kind of request (500/502/503 on reads and writes, answers lost after writes, connections
// reset before handling, 429), converges within 3 runs to the state a fault-free run makes, with no duplicate.
// The faults are drawn from a seed, so a failing run replays.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/simulator/faults.js';
import type { SimState } from '../../src/simulator/state.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const PROJECTS = 50;
const SCENARIOS = 5;
// SOAK_SEED=N replays another draw of the faults.
const SEED = Number(process.env.SOAK_SEED ?? 424242);
const MAX_RUNS = 3;

/** mulberry32: a small seeded generator of draws in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULTS: FaultRule[] = [
  { kind: 'status', status: [500, 502, 503], rate: 0.03 },
  { kind: 'lost-response', method: 'POST', rate: 0.03 },
  { kind: 'lost-response', method: 'PUT', rate: 0.03 },
  { kind: 'reset-before', rate: 0.03 },
  { kind: 'throttle', retryAfterSeconds: 0, rate: 0.02 },
];

function projectKey(i: number): string {
  return `SOAK_${String(i).padStart(2, '0')}`;
}

function projectYaml(i: number): string {
  const key = projectKey(i);
  const docs = [
    `apiVersion: dss-gitops/v1
kind: Project
metadata:
  name: ${key}
spec:
  name: Soak project ${i}
  folder: Soak/Group${i % 5}
  owner: admin
  shortDesc: Generated project ${i}
  description: A project of the fault soak.
  tags: [soak, group-${i % 5}]
  custom:
    team: team-${i % 7}
  variables:
    standard:
      threshold: 0.${i % 10}
      index: ${i}
    local:
      rows: ${1000 + i}
  permissions:
    - group: analysts
      readProjectContent: true
      readDashboards: true
`,
  ];
  for (let s = 0; s < SCENARIOS; s++) {
    docs.push(`apiVersion: dss-gitops/v1
kind: Scenario
metadata:
  name: SCENARIO_${s}
  project: ${key}
spec:
  name: Scenario ${s} of ${key}
  type: step_based
  active: ${s % 2 === 0}
  description: Step ${s}
  params:
    steps:
      - id: build
        type: build_flowitem
        name: Build output ${s}
        params:
          builds:
            - type: DATASET
              itemId: output_${s}
  triggers:
    - id: nightly
      type: temporal
      name: Every night
      params:
        frequency: Daily
        hour: ${s}
        minute: ${i % 60}
`);
  }
  return docs.join('---\n');
}

function writeTree(root: string): void {
  mkdirSync(path.join(root, 'projects'), { recursive: true });
  writeFileSync(
    path.join(root, 'dss-gitops.yaml'),
    `source: fault-soak
defaults:
  parallelism: 8
  retries:
    attempts: 6
    baseDelayMs: 20
    maxDelayMs: 400
`,
  );
  for (let i = 0; i < PROJECTS; i++) writeFileSync(path.join(root, 'projects', `${projectKey(i)}.yaml`), projectYaml(i));
}

/**
 * The design node's state as a user sees it: folders by path (their ids are generated), projects and scenarios
 * without the server's version stamps and creation times, which differ between any two runs.
 */
function comparable(state: SimState): Record<string, unknown> {
  const folders = state.design.folders;
  const pathOf = (id: string): string => {
    const folder = folders[id];
    if (!folder || folder.parentId === null) return '';
    return `${pathOf(folder.parentId)}/${String(folder.settings.name)}`;
  };
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (['versionTag', 'creationTag', 'creationTime', 'lastModifiedOn', 'runs'].includes(key)) continue;
      out[key] = strip(inner);
    }
    return out;
  };
  const tree = Object.values(folders)
    .map((f) => ({ path: pathOf(f.id), projects: [...f.projectKeys].sort(), children: f.childrenIds.length }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const projects = Object.fromEntries(
    Object.entries(state.design.projects).map(([key, p]) => {
      const { folderId, ...rest } = p;
      return [key, strip({ ...rest, folder: pathOf(folderId) })];
    }),
  );
  return { tree, projects };
}

let dir: string;
let reference: TestSimulator;
let faulty: TestSimulator;

const env = (sim: TestSimulator): NodeJS.ProcessEnv => ({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey });
const apply = (sim: TestSimulator): Promise<CliResult> =>
  runCliCaptured(['apply', '-f', 'tree', '--auto-approve'], { env: env(sim), cwd: dir });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-soak-'));
  writeTree(path.join(dir, 'tree'));
  reference = await startTestSimulator();
  faulty = await startTestSimulator({ random: seeded(SEED) });
});

afterAll(async () => {
  await Promise.all([reference?.close(), faulty?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('apply under faults', () => {
  it(`converges within ${MAX_RUNS} runs to the state of a fault-free run, with no duplicate`, async () => {
    const clean = await apply(reference);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);

    faulty.setFaults(FAULTS);
    const runs: Array<{ code: number; failed: string[] }> = [];
    for (let run = 1; run <= MAX_RUNS; run++) {
      const result = await apply(faulty);
      runs.push({ code: result.code, failed: result.stdout.split('\n').filter((l) => / failed: /.test(l)) });
      if (result.code === 0) break;
    }
    const stats = faulty.stats();
    faulty.setFaults([]);
    // The numbers of the soak, for whoever reads the test output.
    process.stdout.write(
      `fault soak (seed ${SEED}): ${runs.length} run(s) to converge; ${stats.total} requests; faults ${JSON.stringify(stats.faults)}; ` +
        `failures per run ${JSON.stringify(runs.map((r) => r.failed.length))}\n`,
    );
    expect(runs.at(-1)).toEqual({ code: 0, failed: [] });
    expect(Object.values(stats.faults ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(50);

    const after = await runCliCaptured(['plan', '-f', 'tree', '--detailed-exitcode'], { env: env(faulty), cwd: dir });
    expect(after.stdout).toContain('No changes.');
    expect(after.code).toBe(0);

    const got = comparable(faulty.state());
    const want = comparable(reference.state());
    expect(Object.keys(got.projects as object)).toHaveLength(PROJECTS);
    for (const project of Object.values(faulty.state().design.projects)) expect(Object.keys(project.scenarios)).toHaveLength(SCENARIOS);
    // No folder made twice: one per path.
    const paths = (got.tree as Array<{ path: string }>).map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(got).toEqual(want);
  }, 240_000);
});

// One writer at a time: applies take a lock kept in DSS's instance variables, so that two runs never write at
// once; plan and drift take none.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo, runCliCaptured, type CliResult, type CliRunOptions } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const LOCK = 'dss-gitops.lock';
const SCOPED_KEY = 'churn-admin-key';

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[], options: Partial<CliRunOptions> & { key?: string } = {}): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: options.key ?? sim.adminKey, WAREHOUSE_PASSWORD: 'pw', ...options.env },
    cwd: dir,
    ...(options.tty === undefined ? {} : { tty: options.tty }),
    ...(options.answer === undefined ? {} : { answer: options.answer }),
  });
}

const apply = (...extra: string[]): Promise<CliResult> => cli(['apply', '-f', 'm', '--auto-approve', ...extra]);

function edit(file: string, from: string, to: string): void {
  const full = path.join(dir, 'm', file);
  const text = readFileSync(full, 'utf8');
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
}

async function variables(): Promise<Record<string, unknown>> {
  return sim.ok<Record<string, unknown>>('GET', '/admin/variables/');
}

/** Another run's lock, as it would have written it. */
async function heldBy(holder: string, expiresInMs: number, id = 'other-run-lock-id'): Promise<void> {
  const now = Date.now();
  await sim.ok('PUT', '/admin/variables/', {
    ...(await variables()),
    [LOCK]: {
      id,
      holder,
      reason: 'apply from git:github.com/team/dss#manifests',
      createdAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + expiresInMs).toISOString(),
      generation: 7,
    },
  });
}

const lockWrites = (): number => sim.stats().byRoute['PUT /admin/variables'] ?? 0;
const lockReads = (): number => sim.stats().byRoute['GET /admin/variables'] ?? 0;

async function expectInSync(): Promise<void> {
  sim.reset({ stats: true, state: false });
  const again = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('No changes.');
  expect(sim.stats().writes).toBe(0);
}

beforeEach(async () => {
  sim = await startTestSimulator({ apiKeys: [{ key: SCOPED_KEY, login: 'churn-admin', projects: { CHURN: ['ADMIN'] }, global: ['READ_CONF'] }] });
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-lock-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
  // Kept by DSS for others: the lock must never lose it.
  await sim.ok('PUT', '/admin/variables/', { team: 'data', limits: { maxJobs: 4 } });
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two applies at once', () => {
  it('one waits for the other (--lock-timeout), neither fails half-way, and DSS ends as the manifests say', async () => {
    // Slow enough that the second run's lock check lands while the first one writes.
    await sim.control('PUT', '/latency', { latencyMs: 15 });
    const [first, second] = await Promise.all([apply('--lock-timeout', '60s'), apply('--lock-timeout', '60s')]);
    await sim.control('PUT', '/latency', { latencyMs: 0 });
    for (const run of [first, second]) {
      expect(run.stderr).not.toContain('Error');
      expect(run.code).toBe(0);
    }
    const outputs = [first.stdout, second.stdout];
    // One created everything; the other waited, planned again under the lock, found nothing left to do.
    expect(outputs.filter((o) => /Apply complete! Resources: [1-9]\d* added, 0 changed, 0 destroyed\./.test(o))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.'))).toHaveLength(1);
    expect([first.stderr, second.stderr].filter((e) => e.includes('another run held the lock and DSS changed since the plan'))).toHaveLength(1);
    // Released by both; the other variables are intact.
    expect(await variables()).toEqual({ team: 'data', limits: { maxJobs: 4 }, [LOCK]: { generation: 2 } });
    await expectInSync();
  });

  it('refuses at once, naming the holder, when another run holds the lock and there is no --lock-timeout', async () => {
    await heldBy('alice@laptop', 10 * 60_000);
    sim.reset({ stats: true, state: false });
    const refused = await apply();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DSS is locked: the run lock on node design is held by alice@laptop (apply from git:github.com/team/dss#manifests) since ');
    expect(refused.stderr).toContain('dss-gitops force-unlock other-run-lock-id');
    expect(refused.stderr).toContain('--lock-timeout');
    // Refused before any object was read or written: the connection check and the lock are the only reads.
    expect(sim.stats().writes).toBe(0);
    expect(sim.stats().reads).toBe(2);
    expect(sim.stats().byRoute['GET /admin/variables']).toBe(1);

    const started = Date.now();
    const waited = await apply('--lock-timeout', '1s');
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain('Waited 1s (--lock-timeout)');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sim.stats().writes).toBe(0);
    expect((await variables())[LOCK]).toMatchObject({ id: 'other-run-lock-id', holder: 'alice@laptop' });
  });
});

describe('the lock', () => {
  it('is taken only by runs that write: plan, drift and a no-op apply send no write to /admin/variables', async () => {
    expect((await apply()).code).toBe(0);
    sim.reset({ stats: true, state: false });
    expect((await cli(['plan', '-f', 'm'])).code).toBe(0);
    expect((await cli(['drift', '-f', 'm'])).code).toBe(0);
    expect(lockReads()).toBe(0);
    expect(lockWrites()).toBe(0);
    const noop = await apply();
    expect(noop.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(sim.stats().writes).toBe(0);
    // Plan and drift work while another run holds the lock.
    await heldBy('bob@ci', 60_000);
    expect((await cli(['plan', '-f', 'm'])).code).toBe(0);
  });

  it('holds holder, reason and expiry while the apply writes, and is released with the other variables intact', async () => {
    let seen: unknown;
    // The first scenario write finds the lock in place.
    const watcher = setInterval(() => {
      void variables().then((v) => {
        if ((v[LOCK] as { id?: string } | undefined)?.id !== undefined) seen ??= v[LOCK];
      }, () => undefined);
    }, 5);
    await sim.control('PUT', '/latency', { latencyMs: 10 });
    const applied = await apply();
    clearInterval(watcher);
    await sim.control('PUT', '/latency', { latencyMs: 0 });
    expect(applied.code).toBe(0);
    expect(seen).toMatchObject({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) as unknown,
      holder: expect.stringContaining('@') as unknown,
      reason: 'apply from dss-gitops-example',
      generation: 1,
    });
    const { createdAt, expiresAt } = seen as { createdAt: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(15 * 60_000);
    expect(await variables()).toEqual({ team: 'data', limits: { maxJobs: 4 }, [LOCK]: { generation: 1 } });
  });

  it('names the CI job as the holder when the environment says so', async () => {
    await heldBy('alice@laptop', -1);
    const run = cli(['apply', '-f', 'm', '--auto-approve'], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'team/dss', GITHUB_RUN_ID: '42', GITHUB_ACTOR: 'carol' },
    });
    let holder: unknown;
    const watcher = setInterval(() => {
      void variables().then((v) => {
        const lock = v[LOCK] as { id?: string; holder?: string } | undefined;
        if (lock?.id !== 'other-run-lock-id' && lock?.holder !== undefined) holder ??= lock.holder;
      }, () => undefined);
    }, 5);
    const done = await run;
    clearInterval(watcher);
    expect(done.code).toBe(0);
    expect(holder).toBe('github-actions:team/dss run 42 (carol)');
  });

  it('is taken over after it expired, with a warning naming the old holder', async () => {
    await heldBy('alice@laptop', -60_000);
    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(applied.stderr).toContain('Warning: the run lock on node design held by alice@laptop (apply from git:github.com/team/dss#manifests) since ');
    expect(applied.stderr).toContain('has expired: this run takes it over (lock id other-run-lock-id was never released');
    expect(await variables()).toEqual({ team: 'data', limits: { maxJobs: 4 }, [LOCK]: { generation: 8 } });
  });

  it('is released after a failed apply', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'active: true', 'active: false');
    await sim.control('POST', '/faults', { kind: 'status', status: 400, method: 'PUT', route: '/projects/:projectKey/scenarios/:scenarioId' });
    const failed = await apply();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Scenario/CHURN/DAILY_REFRESH');
    expect(await variables()).toEqual({ team: 'data', limits: { maxJobs: 4 }, [LOCK]: { generation: 2 } });
    await sim.control('DELETE', '/faults');
    expect((await apply()).code).toBe(0);
  });

  it('needs a key that may write instance variables, or --lock=false, which warns', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'active: true', 'active: false');
    const refused = await cli(['apply', '-f', 'm/projects/CHURN', '--auto-approve'], { key: SCOPED_KEY });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot use the run lock on node design: its API key may not read and write DSS instance variables');
    expect(refused.stderr).toContain('--lock=false (--no-lock)');
    expect(refused.stderr).not.toContain(SCOPED_KEY);
    expect((await sim.ok<{ active: boolean }>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH')).active).toBe(true);

    for (const [flag, active] of [['--lock=false', false], ['--no-lock', true]] as const) {
      if (active) edit('projects/CHURN/scenario-daily-refresh.yaml', 'active: false', 'active: true');
      const unlocked = await cli(['apply', '-f', 'm/projects/CHURN', '--auto-approve', flag], { key: SCOPED_KEY });
      expect(unlocked.code).toBe(0);
      expect(unlocked.stderr).toContain('Warning: running without the run lock (--lock=false)');
      expect((await sim.ok<{ active: boolean }>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH')).active).toBe(active);
    }
  });
});

describe('a plan reviewed before the lock', () => {
  it('is refused, with nothing written, when another run wrote while the person was reading it', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'active: true', 'active: false');
    const captured = captureIo({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'pw' }, dir);
    const code = await runCli(['apply', '-f', 'm'], {
      ...captured.io,
      stdinIsTTY: true,
      // While the question is on screen, someone else's apply changes the same scenario.
      readLine: async () => {
        const daily = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
        await sim.ok('PUT', '/admin/variables/', { ...(await variables()), [LOCK]: { generation: 5 } });
        await sim.ok('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH', { ...daily, description: 'changed by the other run' });
        return 'yes';
      },
    });
    expect(code).toBe(1);
    expect(captured.stderr()).toContain('DSS changed between the plan and the run lock (another run held the lock): the plan approved is not the plan now, and nothing was written');
    expect((await sim.ok<{ active: boolean }>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH')).active).toBe(true);
    expect((await variables())[LOCK]).toEqual({ generation: 6 });
  });

  it('is applied as planned when nobody took the lock meanwhile, reading DSS once', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'active: true', 'active: false');
    const scenarioReads = (): number => sim.stats().byRoute['GET /projects/:projectKey/scenarios/:scenarioId'] ?? 0;
    sim.reset({ stats: true, state: false });
    expect((await cli(['plan', '-f', 'm'])).code).toBe(0);
    const planned = scenarioReads();
    expect(planned).toBeGreaterThan(1);
    sim.reset({ stats: true, state: false });
    const applied = await cli(['apply', '-f', 'm'], { tty: true, answer: 'yes' });
    expect(applied.code).toBe(0);
    // Not planned again: the plan's reads, and at most the written scenario read again right before its PUT.
    expect(scenarioReads()).toBeLessThanOrEqual(planned + 1);
    // Looked at before the plan, taken (GET, PUT, GET to check), released (GET, PUT).
    expect(lockReads()).toBe(4);
    expect(lockWrites()).toBe(2);
  });

  it('saved with plan --out is refused while another run holds the lock, and applied once it is broken', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'active: true', 'active: false');
    expect((await cli(['plan', '-f', 'm', '--out', 'reviewed.plan'])).code).toBe(0);
    await heldBy('alice@laptop', 10 * 60_000);
    const refused = await cli(['apply', 'reviewed.plan']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is held by alice@laptop');
    expect((await cli(['force-unlock', 'other-run-lock-id', '--force'])).code).toBe(0);
    const applied = await cli(['apply', 'reviewed.plan']);
    expect(applied.code).toBe(0);
    expect((await sim.ok<{ active: boolean }>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH')).active).toBe(false);
  });
});

describe('force-unlock', () => {
  it('breaks a lock only when the id matches, after confirmation or with --force', async () => {
    await heldBy('alice@laptop', 10 * 60_000);
    const wrong = await cli(['force-unlock', 'not-the-lock-id', '--force']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not-the-lock-id');
    expect(wrong.stderr).toContain('other-run-lock-id');

    const unasked = await cli(['force-unlock', 'other-run-lock-id']);
    expect(unasked.code).toBe(1);
    expect(unasked.stderr).toContain('--force');

    const declined = await cli(['force-unlock', 'other-run-lock-id'], { tty: true, answer: 'no' });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('alice@laptop');
    expect((await variables())[LOCK]).toMatchObject({ id: 'other-run-lock-id' });

    const confirmed = await cli(['force-unlock', 'other-run-lock-id'], { tty: true, answer: 'yes' });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('Lock other-run-lock-id on node design (held by alice@laptop');
    expect(await variables()).toEqual({ team: 'data', limits: { maxJobs: 4 }, [LOCK]: { generation: 7 } });

    await heldBy('alice@laptop', 10 * 60_000, 'second-lock-id');
    const forced = await cli(['force-unlock', 'second-lock-id', '--force']);
    expect(forced.code).toBe(0);
    expect((await apply()).code).toBe(0);
  });
});

// The shape of a run on the wire: what it reads once, what it sends at once rather than one after the other, and
// what a writing run must read again after it looked at the run lock. Through a proxy that records the order of
// the requests and acts between them.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDriftRunner } from '../../src/cli/watch-run.js';
import { createManifestSource } from '../../src/watch/source.js';
import { silentLogger, type RunOutcome } from '../../src/watch/types.js';
import { captureIo, runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startLockWatchingProxy, startProxy, type ProxyHooks, type TestProxy } from '../helpers/proxy.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
/** The projects manifests-example declares. */
const PROJECTS = ['CHURN', 'FINANCE_REPORTING', 'MARKETING_ATTRIBUTION'];

let sim: TestSimulator;
let dir: string;
const proxies: TestProxy[] = [];

/** The secrets manifests-example-platform reads. */
const PLATFORM_SECRETS = Object.fromEntries(
  ['ALICE_PASSWORD', 'BOB_PASSWORD', 'CAROL_PASSWORD', 'SVC_AIRFLOW_PASSWORD', 'GOOGLESHEETS_CLIENT_SECRET'].map((name) => [name, `${name}-never-printed`]),
);

async function cli(argv: string[], url = sim.url): Promise<CliResult> {
  return runCliCaptured(argv, { env: { DSS_URL: url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed', ...PLATFORM_SECRETS }, cwd: dir });
}

async function proxied(hooks: ProxyHooks = {}): Promise<TestProxy> {
  const proxy = await startProxy(sim.url, hooks);
  proxies.push(proxy);
  return proxy;
}

const isProjectList = (r: { method: string; path: string }): boolean => r.method === 'GET' && r.path === '/projects/';
const isScenarioList = (r: { method: string; path: string }): boolean => r.method === 'GET' && /^\/projects\/[^/]+\/scenarios\/?$/.test(r.path);

/** startLockWatchingProxy in front of the simulator, closed after the test. */
async function lockReadDuringPreflight(): Promise<{ proxy: TestProxy; lockReadWhileHeld: () => boolean }> {
  const watched = await startLockWatchingProxy(sim.url);
  proxies.push(watched.proxy);
  return watched;
}

/** One `watch` run over the manifests through `url`. */
function watchRun(url: string, selfHeal: boolean): Promise<RunOutcome> {
  const env = { DSS_URL: url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed' };
  return createDriftRunner({
    source: createManifestSource({ path: path.join(dir, 'm') }),
    load: (manifests) => ({ paths: [manifests], vars: [], varFiles: [], env, cwd: dir }),
    flags: {},
    selfHeal,
    prune: false,
    io: captureIo(env, dir).io,
    debug: false,
    logger: silentLogger,
  })();
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-round-trips-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
});

afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reads of a run', () => {
  it('plan and drift read the project list once: the preflight read it already', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    sim.reset({ stats: true, state: false });
    expect((await cli(['plan', '-f', 'm', '--detailed-exitcode'])).code).toBe(0);
    expect(sim.stats().byRoute['GET /projects']).toBe(1);
    sim.reset({ stats: true, state: false });
    expect((await cli(['drift', '-f', 'm'])).code).toBe(0);
    expect(sim.stats().byRoute['GET /projects']).toBe(1);
    expect(sim.stats().byRoute['GET /projects/:projectKey/scenarios']).toBe(PROJECTS.length);
  });

  it('plan --prune finds the projects that left the manifests in the same project list, and apply --prune reads it only again after the lock', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    sim.reset({ stats: true, state: false });
    expect((await cli(['plan', '-f', 'm', '--prune', '--detailed-exitcode'])).code).toBe(0);
    expect(sim.stats().byRoute['GET /projects']).toBe(1);
    sim.reset({ stats: true, state: false });
    expect((await cli(['apply', '-f', 'm', '--prune', '--auto-approve'])).code).toBe(0);
    expect(sim.stats().byRoute['GET /projects']).toBe(2);
  });

  it('apply checks the connection and looks at the run lock at once, not one after the other', async () => {
    const watched = await lockReadDuringPreflight();
    const result = await cli(['apply', '-f', 'm', '--auto-approve'], watched.proxy.url);
    expect(result.code).toBe(0);
    expect(watched.lockReadWhileHeld()).toBe(true);
  });

  it('an apply plans from a project list read after it looked at the lock: a project created right after the preflight is not planned as a create', async () => {
    let created = false;
    const proxy = await proxied({
      after: async (request) => {
        // Another writer creates a project the manifests declare, after DSS answered the run's first list.
        if (!isProjectList(request) || created) return undefined;
        created = true;
        await sim.ok('POST', '/projects/', { projectKey: 'FINANCE_REPORTING', name: 'Made meanwhile', owner: 'admin' });
        return undefined;
      },
    });
    const result = await cli(['apply', '-f', 'm', '--auto-approve', '--output', 'json'], proxy.url);
    expect(created).toBe(true);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { results: Array<{ address: string; action: string; status: string }> };
    const project = report.results.find((r) => r.address === 'Project/FINANCE_REPORTING');
    expect(project?.action).not.toBe('create');
    expect(report.results.filter((r) => r.status !== 'applied' && r.status !== 'unchanged')).toEqual([]);
    sim.reset({ stats: true, state: false });
    expect((await cli(['plan', '-f', 'm', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('DSS down', () => {
  it.each([['status'], ['drop']])('an apply retries its connection check alone, not the lock read beside it (%s): one set of warnings, the same error', async (kind) => {
    await sim.control('POST', '/faults', { kind, status: 503 });
    sim.reset({ stats: true, state: false });
    const result = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: cannot use the design node at ${sim.url}: check DSS_URL (or the node's url) and that DSS is up.`);
    expect(result.stderr.match(/^Error:/gm)).toHaveLength(1);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('retrying DSS request'));
    // The client's five attempts of the check, and nothing else: the lock was read once beside its first.
    expect(warnings).toHaveLength(4);
    expect(warnings.filter((line) => !line.includes('"path":"/projects/"'))).toEqual([]);
    expect(sim.stats().writes).toBe(0);
  }, 90_000);
});

describe('a lock read that fails once beside a good connection check', () => {
  it('is read again with retries: the lock is seen, and the plan is not made again under it', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const readsOfAnApply = async (): Promise<number> => {
      await sim.ok('PUT', '/projects/CHURN/variables', { standard: { scoreThreshold: Math.random() }, local: {} });
      sim.reset({ stats: true, state: false });
      const result = await cli(['apply', '-f', 'm', '--auto-approve']);
      expect(result.code).toBe(0);
      const { byRoute } = sim.stats();
      return Object.entries(byRoute).filter(([route]) => route.startsWith('GET /projects/')).reduce((sum, [, count]) => sum + count, 0);
    };
    const reads = await readsOfAnApply();
    await sim.control('POST', '/faults', { kind: 'status', status: 503, method: 'GET', path: '/admin/variables', times: 1 });
    const readsWithTheFault = await readsOfAnApply();
    expect(sim.stats().faults).toEqual({ 'status 503': 1 });
    // An unseen lock counts as taken by another run in between, and the plan would be made again under it.
    expect(readsWithTheFault).toBe(reads);
  });
});

describe('the run lock of destroy', () => {
  it('destroy checks the connection and looks at the run lock at once, as apply does', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const watched = await lockReadDuringPreflight();
    const result = await cli(['destroy', '-f', 'm', '--auto-approve'], watched.proxy.url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(watched.lockReadWhileHeld()).toBe(true);
    // Nothing written before the lock was held: its first write comes before the first deletion.
    const firstLockWrite = watched.proxy.arrivals.findIndex((r) => r.method === 'PUT' && r.path === '/admin/variables/');
    const firstDelete = watched.proxy.arrivals.findIndex((r) => r.method === 'DELETE');
    expect(firstLockWrite).toBeGreaterThan(-1);
    expect(firstDelete).toBeGreaterThan(firstLockWrite);
  });
});

describe('the run lock of an apply', () => {
  const isLockWrite = (r: { method: string; path: string }): boolean => r.method === 'PUT' && r.path === '/admin/variables/';
  const isObjectRead = (r: { method: string; path: string }): boolean => r.method === 'GET' && /^\/projects\/[^/]+\/./.test(r.path);

  it('an apply without asking takes the lock as soon as the plan finds a write, while the plan still reads', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    // A change in the project the plan reads first (at parallelism 1, in the order of the manifests).
    await sim.ok('PUT', '/projects/CHURN/variables', { standard: { scoreThreshold: 0.9 }, local: {} });
    const proxy = await proxied();
    const result = await cli(['apply', '-f', 'm', '--auto-approve', '--parallelism', '1'], proxy.url);
    expect(result.code).toBe(0);
    const firstLockWrite = proxy.arrivals.findIndex(isLockWrite);
    const firstObjectWrite = proxy.arrivals.findIndex((r) => r.method !== 'GET' && r.path.startsWith('/projects/'));
    expect(firstLockWrite).toBeGreaterThan(-1);
    expect(firstObjectWrite).toBeGreaterThan(firstLockWrite);
    // Between the lock's write and the first write of an object: the rest of the plan's reads (the old order had only
    // the one read of the object written, GET-modify-PUT).
    const readsMeanwhile = proxy.arrivals.slice(firstLockWrite, firstObjectWrite).filter(isObjectRead);
    expect(readsMeanwhile.length).toBeGreaterThan(5);
    // Taken once, released at the end; the next plan is empty.
    expect(proxy.arrivals.filter(isLockWrite)).toHaveLength(2);
    const variables = (await sim.ok('GET', '/admin/variables/')) as Record<string, unknown>;
    expect(JSON.stringify(variables['dss-gitops.lock'])).not.toContain('"holder"');
    expect((await cli(['plan', '-f', 'm', '--detailed-exitcode'])).code).toBe(0);
  });

  it('an apply that finds nothing to write takes no lock', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const proxy = await proxied();
    expect((await cli(['apply', '-f', 'm', '--auto-approve', '--parallelism', '1'], proxy.url)).code).toBe(0);
    expect(proxy.arrivals.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('watch', () => {
  beforeEach(async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
  });

  it('a run reads the project list once, like drift', async () => {
    sim.reset({ stats: true, state: false });
    const outcome = await watchRun(sim.url, false);
    expect(outcome.error).toBeUndefined();
    expect(sim.stats().byRoute['GET /projects']).toBe(1);
  });

  it('a self-healing run checks the connection and looks at the run lock at once', async () => {
    const watched = await lockReadDuringPreflight();
    const outcome = await watchRun(watched.proxy.url, true);
    expect(outcome.error).toBeUndefined();
    expect(watched.lockReadWhileHeld()).toBe(true);
  });
});

describe('drift', () => {
  beforeEach(async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC', name: 'Ad hoc', type: 'step_based', params: {} });
  });

  it('lists the objects of the managed projects while the plan reads, not after it', async () => {
    const proxy = await proxied();
    const result = await cli(['drift', '-f', 'm', '--output', 'json', '--parallelism', '1'], proxy.url);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { unmanaged: Array<{ address: string }> }).unmanaged.map((e) => e.address)).toEqual([
      'Scenario/CHURN/ADHOC',
    ]);
    const firstList = proxy.arrivals.findIndex(isScenarioList);
    const lastRead = proxy.arrivals.findLastIndex((r) => r.method === 'GET' && !isScenarioList(r) && !isProjectList(r));
    expect(firstList).toBeGreaterThan(-1);
    expect(firstList).toBeLessThan(lastRead);
    expect(proxy.arrivals.filter(isScenarioList)).toHaveLength(PROJECTS.length);
  });

  it('lists the platform objects of the kinds the manifests declare while the plan reads, not after it', async () => {
    cpSync(path.resolve(import.meta.dirname, '../../manifests-example-platform'), path.join(dir, 'platform'), { recursive: true });
    expect((await cli(['apply', '-f', 'platform', '--auto-approve'])).code).toBe(0);
    const proxy = await proxied();
    const result = await cli(['drift', '-f', 'platform', '--output', 'json', '--parallelism', '1'], proxy.url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The lists of objects by kind (some of which the reads use too) against every other read.
    const lists = new Set(['/admin/connections/', '/admin/code-envs/', '/plugins/', '/admin/groups/', '/admin/users/', '/projects/']);
    const connectionList = proxy.arrivals.findIndex((r) => r.method === 'GET' && r.path === '/admin/connections/');
    const lastRead = proxy.arrivals.findLastIndex((r) => r.method === 'GET' && !lists.has(r.path));
    expect(connectionList).toBeGreaterThan(-1);
    expect(connectionList).toBeLessThan(lastRead);
  });

  it('a platform drift reads each list of objects once: the plugin kind lists the plugins once for its reads and its unmanaged objects', async () => {
    cpSync(path.resolve(import.meta.dirname, '../../manifests-example-platform'), path.join(dir, 'platform'), { recursive: true });
    expect((await cli(['apply', '-f', 'platform', '--auto-approve'])).code).toBe(0);
    const proxy = await proxied();
    const result = await cli(['drift', '-f', 'platform', '--output', 'json'], proxy.url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lists = ['/admin/connections/', '/admin/code-envs/', '/plugins/', '/admin/groups/', '/admin/users/', '/projects/'];
    const counts = Object.fromEntries(lists.map((route) => [route, proxy.arrivals.filter((r) => r.method === 'GET' && r.path === route).length]));
    expect(counts['/plugins/']).toBe(1);
    for (const route of lists) expect(counts[route], route).toBeLessThanOrEqual(1);
  });

  it('takes a managed project the project list does not name as absent: nothing of it is read or listed', async () => {
    // The list as DSS gave it before CHURN existed: the list is what tells a project's existence.
    const proxy = await proxied({
      after: (request, body) => {
        if (!isProjectList(request)) return undefined;
        const list = JSON.parse(body.toString()) as Array<{ projectKey: string }>;
        return Buffer.from(JSON.stringify(list.filter((p) => p.projectKey !== 'CHURN')));
      },
    });
    const result = await cli(['drift', '-f', 'm', '--output', 'json'], proxy.url);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { unmanaged: Array<{ address: string }>; pending: Array<{ address: string }> };
    expect(report.unmanaged).toEqual([]);
    expect(report.pending.map((e) => e.address)).toContain('Project/CHURN#metadata');
    expect(proxy.arrivals.filter((r) => r.path.startsWith('/projects/CHURN'))).toEqual([]);
    expect(proxy.arrivals.filter(isScenarioList).map((r) => r.path.split('/')[2]).sort()).toEqual(PROJECTS.filter((p) => p !== 'CHURN'));
  });
});

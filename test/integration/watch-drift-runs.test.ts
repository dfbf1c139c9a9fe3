// The watch controller's runs against the simulator and a real git repository: the commit of every run, a new
// commit picked up by the next run, self-heal of drift only, metrics that match the run, one webhook message per
// drift change, and no overlapping runs. The schedule is a manual clock: runs start when the test says.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createDriftRunner } from '../../src/cli/watch-run.js';
import type { ScheduleFn } from '../../src/watch/scheduler.js';
import { createManifestSource } from '../../src/watch/source.js';
import { silentLogger, type RunOutcome, type WatchLogger } from '../../src/watch/types.js';
import { startWatch, type RunningWatch } from '../../src/watch/watch.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { captureIo, editFile, manifestRepository, parsePrometheus, sampleValue, webhookReceiver } from '../helpers/watch.js';

let sim: TestSimulator;
let work: string;
let repo: ReturnType<typeof manifestRepository>;
const cleanups: Array<() => Promise<void> | void> = [];

const env = (): NodeJS.ProcessEnv => ({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed' });

function manualClock(): ScheduleFn {
  return () => ({ stop: () => undefined });
}

function runner(options: { git?: boolean; selfHeal?: boolean; prune?: boolean; logger?: WatchLogger } = {}): () => Promise<RunOutcome> {
  const captured = captureIo(env(), work);
  const source = options.git
    ? createManifestSource({ gitUrl: repo.dir, gitRef: 'main', gitPath: 'manifests', cacheDir: path.join(work, 'cache') })
    : createManifestSource({ path: repo.manifests });
  return createDriftRunner({
    source,
    load: (dir) => ({ paths: [dir], vars: [], varFiles: [], env: env(), cwd: work }),
    flags: {},
    selfHeal: options.selfHeal ?? false,
    prune: options.prune ?? false,
    io: captured.io,
    debug: false,
    logger: options.logger ?? silentLogger,
  });
}

async function applyManifests(): Promise<void> {
  const captured = captureIo(env(), work);
  expect(await runCli(['apply', '-f', repo.manifests, '--auto-approve'], captured.io)).toBe(0);
}

async function setThresholdInDss(value: number): Promise<void> {
  const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
  await sim.ok('PUT', '/projects/CHURN/variables/', { ...vars, standard: { ...vars.standard, scoreThreshold: value } });
}

async function threshold(): Promise<unknown> {
  return (await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/')).standard.scoreThreshold;
}

async function watchWith(runOnce: () => Promise<RunOutcome>, extra: { listen?: boolean; webhook?: string } = {}): Promise<RunningWatch> {
  const watch = await startWatch({
    schedule: '* * * * *',
    runOnce,
    scheduleFn: manualClock(),
    ...(extra.listen ? { listen: { host: '127.0.0.1', port: 0 } } : {}),
    ...(extra.webhook ? { webhook: extra.webhook } : {}),
  });
  cleanups.push(() => watch.stop());
  // The run on start.
  await vi.waitFor(() => expect(watch.controller.completedRuns).toBe(1), { timeout: 30_000, interval: 20 });
  return watch;
}

beforeEach(async () => {
  sim = await startTestSimulator();
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-watch-'));
  repo = manifestRepository();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await sim.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(repo.dir, { recursive: true, force: true });
});

describe('watch runs from git', () => {
  it('reports the commit checked and picks up a new commit on the next run', async () => {
    await applyManifests();
    const first = repo.head();
    const watch = await watchWith(runner({ git: true }));
    const start = watch.controller.lastOutcome as RunOutcome;
    expect(start.error).toBeUndefined();
    expect(start.commit).toBe(first);
    expect(start.counts.Scenario).toMatchObject({ in_sync: 5, pending: 0 });

    editFile(path.join(repo.manifests, 'projects/CHURN/project.yaml'), 'scoreThreshold: 0.7', 'scoreThreshold: 0.8');
    const second = repo.commitAll('raise the churn threshold');
    const next = (await watch.controller.trigger()) as RunOutcome;
    expect(next.commit).toBe(second);
    expect(next.commit).not.toBe(first);
    expect(next.counts.Project).toMatchObject({ pending: 1, drifted: 0 });
    expect(next.drifted).toEqual([]);
  });

  it('a failed git fetch is a failed run that keeps the controller going', async () => {
    const source = createManifestSource({ gitUrl: path.join(work, 'no-such-repo'), cacheDir: path.join(work, 'cache') });
    const runOnce = createDriftRunner({
      source,
      load: (dir) => ({ paths: [dir], vars: [], varFiles: [], env: env(), cwd: work }),
      flags: {},
      selfHeal: false,
      prune: false,
      io: captureIo(env(), work).io,
      debug: false,
      logger: silentLogger,
    });
    const outcome = await runOnce();
    expect(outcome.error).toEqual(expect.any(String));
    expect(outcome.counts).toEqual({});
  });
});

describe('self-heal', () => {
  it('repairs a drifted object and leaves a pending one alone', async () => {
    await applyManifests();
    await setThresholdInDss(0.95);
    editFile(path.join(repo.manifests, 'projects/CHURN/scenario-daily-refresh.yaml'), 'hour: 2', 'hour: 3');

    const outcome = await runner({ selfHeal: true })();
    expect(outcome.error).toBeUndefined();
    expect(outcome.healed).toEqual(['Project/CHURN#variables']);
    expect(outcome.drifted).toEqual([]);
    expect(outcome.counts.Scenario).toMatchObject({ pending: 1 });
    expect(await threshold()).toBe(0.7);
    const scenario = await sim.ok<{ triggers: Array<{ id: string; params: { hour: number } }> }>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
    expect(scenario.triggers.find((t) => t.id === 'nightly')?.params.hour).toBe(2);

    // The pending change is still pending: the heal did not record it as applied.
    const after = await runner()();
    expect(after.counts.Scenario).toMatchObject({ pending: 1, drifted: 0 });
    expect(after.counts.Project).toMatchObject({ drifted: 0, pending: 0 });
  });

  it('heals under the run lock: skips the heal while another run holds it (logged), and releases it after healing', async () => {
    await applyManifests();
    await setThresholdInDss(0.95);
    const now = Date.now();
    const held = {
      id: 'apply-run-lock-id',
      holder: 'alice@laptop',
      reason: 'apply from dss-gitops-example',
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 600_000).toISOString(),
      generation: 4,
    };
    await sim.ok('PUT', '/admin/variables/', { 'dss-gitops.lock': held });
    const warnings: Array<{ fields: object; message: string }> = [];
    const logger: WatchLogger = { ...silentLogger, warn: (fields, message) => void warnings.push({ fields, message }) };

    const skipped = await runner({ selfHeal: true, logger })();
    expect(skipped.error).toBeUndefined();
    expect(skipped.healed).toEqual([]);
    expect(skipped.drifted.map((d) => d.address)).toEqual(['Project/CHURN#variables']);
    expect(await threshold()).toBe(0.95);
    const skip = warnings.find((w) => w.message.includes('self-heal skipped this run'));
    expect(JSON.stringify(skip?.fields)).toContain('alice@laptop');

    await sim.ok('PUT', '/admin/variables/', { 'dss-gitops.lock': { generation: 4 } });
    const healed = await runner({ selfHeal: true, logger })();
    expect(healed.healed).toEqual(['Project/CHURN#variables']);
    expect(await threshold()).toBe(0.7);
    expect(await sim.ok('GET', '/admin/variables/')).toEqual({ 'dss-gitops.lock': { generation: 5 } });

    // A run with nothing to heal takes no lock.
    sim.reset({ stats: true, state: false });
    const quiet = await runner({ selfHeal: true, logger })();
    expect(quiet.drifted).toEqual([]);
    expect(sim.stats().writes).toBe(0);
  });

  it('without --self-heal a run writes nothing, drift or not', async () => {
    await applyManifests();
    await setThresholdInDss(0.95);
    sim.reset({ stats: true, state: false });
    const outcome = await runner()();
    expect(sim.stats().writes).toBe(0);
    expect(outcome.drifted.map((d) => d.address)).toEqual(['Project/CHURN#variables']);
    expect(outcome.drifted[0]?.fields).toEqual(['standard.scoreThreshold']);
    expect(outcome.healed).toBeUndefined();
    expect(await threshold()).toBe(0.95);
  });

  it('never prunes without --prune, and deletes an owned object that left the manifests with it', async () => {
    await applyManifests();
    await setThresholdInDss(0.95);
    rmSync(path.join(repo.manifests, 'projects/CHURN/scenario-retrain-weekly.yaml'));
    const healed = await runner({ selfHeal: true })();
    expect(healed.healed).toEqual(['Project/CHURN#variables']);
    expect((await sim.call('GET', '/projects/CHURN/scenarios/RETRAIN_WEEKLY')).status).toBe(200);

    await setThresholdInDss(0.96);
    const pruned = await runner({ selfHeal: true, prune: true })();
    expect(pruned.healed).toEqual(['Project/CHURN#variables', 'Scenario/CHURN/RETRAIN_WEEKLY']);
    expect((await sim.call('GET', '/projects/CHURN/scenarios/RETRAIN_WEEKLY')).status).toBe(404);
  });
});

describe('watch --prune with a project removed', () => {
  it('keeps running: the project is not deleted, each run warns about it, and the rest is still healed', async () => {
    await applyManifests();
    rmSync(path.join(repo.manifests, 'projects/MARKETING_ATTRIBUTION'), { recursive: true });
    await setThresholdInDss(0.95);
    const warnings: string[] = [];
    const logger: WatchLogger = { ...silentLogger, warn: (fields) => void warnings.push(JSON.stringify(fields)) };
    const outcome = await runner({ selfHeal: true, prune: true, logger })();
    expect(outcome.error).toBeUndefined();
    expect(outcome.healed).toEqual(['Project/CHURN#variables']);
    expect(warnings.join('\n')).toMatch(/REFUSED: Project\/MARKETING_ATTRIBUTION.*--allow-empty/);
    expect((await sim.call('GET', '/projects/MARKETING_ATTRIBUTION/metadata')).status).toBe(200);
  });
});

describe('metrics, webhook and overlap', () => {
  it('serves Prometheus text whose numbers match the run', async () => {
    await applyManifests();
    await setThresholdInDss(0.9);
    await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC', name: 'Ad hoc', type: 'step_based', params: {} });
    const watch = await watchWith(runner(), { listen: true });
    const outcome = watch.controller.lastOutcome as RunOutcome;
    const response = await request(`http://127.0.0.1:${watch.address?.port}/metrics`);
    expect(response.statusCode).toBe(200);
    expect(String(response.headers['content-type'])).toContain('text/plain');
    const samples = parsePrometheus(await response.body.text());

    expect(sampleValue(samples, 'dss_gitops_runs_total', { result: 'drift' })).toBe(1);
    expect(sampleValue(samples, 'dss_gitops_runs_total', { result: 'in_sync' })).toBe(0);
    expect(sampleValue(samples, 'dss_gitops_run_duration_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'dss_gitops_run_duration_seconds_sum')).toBeCloseTo(outcome.durationSeconds, 6);
    for (const [kind, counts] of Object.entries(outcome.counts)) {
      for (const [state, value] of Object.entries(counts)) {
        expect(sampleValue(samples, 'dss_gitops_objects', { kind, state })).toBe(value);
      }
    }
    expect(sampleValue(samples, 'dss_gitops_objects', { kind: 'Project', state: 'drifted' })).toBe(1);
    expect(sampleValue(samples, 'dss_gitops_objects', { kind: 'Scenario', state: 'unmanaged' })).toBe(1);
    const gets = outcome.requests?.find((r) => r.node === 'design' && r.method === 'GET')?.count;
    expect(gets).toBeGreaterThan(0);
    expect(sampleValue(samples, 'dss_gitops_dss_requests_total', { node: 'design', method: 'GET' })).toBe(gets);
    expect(sampleValue(samples, 'dss_gitops_dss_requests_total', { node: 'design', method: 'PUT' })).toBeUndefined();
    const finished = Date.parse(outcome.startedAt) / 1000 + outcome.durationSeconds;
    expect(sampleValue(samples, 'dss_gitops_last_success_timestamp_seconds')).toBeCloseTo(finished, 3);
    expect((await request(`http://127.0.0.1:${watch.address?.port}/readyz`)).statusCode).toBe(200);
  });

  it('posts one webhook message per change of the drift set, and one when back in sync', async () => {
    const hook = await webhookReceiver();
    cleanups.push(() => hook.close());
    await applyManifests();
    const watch = await watchWith(runner(), { webhook: hook.url });
    expect(hook.messages).toHaveLength(0);

    await setThresholdInDss(0.9);
    await watch.controller.trigger();
    await watch.controller.trigger();
    expect(hook.messages).toHaveLength(1);
    expect(hook.messages[0]?.report).toMatchObject({ status: 'drift', added: ['Project/CHURN#variables'], resolved: [] });
    expect(hook.messages[0]?.text).toContain('Project/CHURN#variables');
    expect(hook.messages[0]?.report.commit).toBe(repo.head());

    // A second, different change to the same object is a change of the drift set.
    await setThresholdInDss(0.91);
    await watch.controller.trigger();
    expect(hook.messages).toHaveLength(2);

    await setThresholdInDss(0.7);
    await watch.controller.trigger();
    await watch.controller.trigger();
    expect(hook.messages).toHaveLength(3);
    expect(hook.messages[2]?.report).toMatchObject({ status: 'in_sync', drifted: [], resolved: ['Project/CHURN#variables'] });
    expect(JSON.stringify(hook.messages)).not.toContain('0.91');
  });

  it('never runs twice at once: a tick during a run is skipped and counted', async () => {
    await applyManifests();
    const watch = await watchWith(runner(), { listen: true });
    const running = watch.controller.trigger();
    expect(watch.controller.running).toBe(true);
    expect(await watch.controller.trigger()).toBeUndefined();
    expect((await running)?.error).toBeUndefined();
    expect(watch.controller.completedRuns).toBe(2);
    expect(watch.controller.skippedTicks).toBe(1);
    const samples = parsePrometheus(await (await request(`http://127.0.0.1:${watch.address?.port}/metrics`)).body.text());
    expect(sampleValue(samples, 'dss_gitops_overlapping_runs_skipped_total')).toBe(1);
  });
});

describe('local manifests', () => {
  it('reports the commit of the checkout a local path is in, and none outside git', async () => {
    await applyManifests();
    expect((await runner()()).commit).toBe(repo.head());
    const plain = mkdtempSync(path.join(tmpdir(), 'dss-gitops-plain-'));
    cleanups.push(() => rmSync(plain, { recursive: true, force: true }));
    writeFileSync(path.join(plain, 'folder.yaml'), 'apiVersion: dss-gitops/v1\nkind: ProjectFolder\nmetadata:\n  name: Analytics\nspec: {}\n');
    const runOnce = createDriftRunner({
      source: createManifestSource({ path: plain }),
      load: (dir) => ({ paths: [dir], vars: [], varFiles: [], env: env(), cwd: work }),
      flags: {},
      selfHeal: false,
      prune: false,
      io: captureIo(env(), work).io,
      debug: false,
      logger: silentLogger,
    });
    const outcome = await runOnce();
    expect(outcome.error).toBeUndefined();
    expect(outcome.commit).toBeUndefined();
  });
});

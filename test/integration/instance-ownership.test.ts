// Instance ownership against the simulator, through the reconciler's entry points with a registry that holds the
// shipped kinds and small instance-scoped test kinds (test/fixtures/instance-kind): the node's instance record in
// `/admin/variables/` under `dss-gitops.ownership`, prune of owned platform objects only (with the opt-in rules of
// `pruneNeedsOptIn`), drift vs pending vs unmanaged, forged records, and the run lock beside the record.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/base/logger.js';
import { DEFAULTS } from '../../src/config/types.js';
import { diffManaged } from '../../src/diff/index.js';
import { createDssClient } from '../../src/dss/client.js';
import type { DssClient } from '../../src/dss/types.js';
import { LOCK_VARIABLE } from '../../src/lock/lock-info.js';
import { refreshNodeLock } from '../../src/lock/node-lock.js';
import { RunLock } from '../../src/lock/run-lock.js';
import type { ManifestDocument } from '../../src/manifest/types.js';
import { driftRun } from '../../src/reconciler/drift-run.js';
import { specHash } from '../../src/reconciler/hash.js';
import { buildPlanFile, staleObjects } from '../../src/reconciler/plan-file.js';
import { writeInstanceRecord } from '../../src/reconciler/ownership/instance-store.js';
import { ownershipScopes } from '../../src/reconciler/ownership/scopes.js';
import { applyRun, planRun, type RunSetup } from '../../src/reconciler/reconcile.js';
import { heal } from '../../src/reconciler/heal.js';
import { editScopeRecord, readSourceRecords, withoutAddresses } from '../../src/reconciler/state.js';
import type { PlanOptions } from '../../src/reconciler/types.js';
import { KINDS, kindRegistry } from '../../src/resources/registry.js';
import { instanceKind } from '../fixtures/instance-kind/kind.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { docOf } from '../unit/kind-docs.js';

const RECORD = 'dss-gitops.ownership';
const SOURCE = 'github.com/team/platform';
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const registry = kindRegistry([
  ...KINDS,
  instanceKind(),
  instanceKind({ kind: 'SoftSetting', prefix: 'soft-setting.', pruneNeedsOptIn: 'soft' }),
  instanceKind({ kind: 'KeptSetting', prefix: 'kept-setting.', pruneNeedsOptIn: 'keep' }),
  instanceKind({ kind: 'DeployerSetting', prefix: 'deployer-setting.', node: 'deployer' }),
]);

let sim: TestSimulator;
let client: DssClient;

beforeEach(async () => {
  sim = await startTestSimulator();
  client = createDssClient({ url: sim.url, apiKey: sim.adminKey, insecure: false }, { nodeName: 'design', defaults: DEFAULTS, logger: quiet });
  await sim.ok('PUT', '/admin/variables/', { keep: 'me' });
});

afterEach(async () => {
  await client.close();
  await sim.close();
});

function setup(options: Partial<PlanOptions> = {}, source = SOURCE): RunSetup {
  return {
    registry,
    clients: { design: client, deployer: client },
    log: quiet,
    parallelism: 4,
    compare: (desired, live, policy, opts) => diffManaged(desired, live, policy, opts),
    source,
    options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: [], ...options },
  };
}

function setting(name: string, value: string, kind = 'TestSetting', annotations?: Record<string, string>): ManifestDocument {
  const doc = docOf(kind, name, { value });
  if (annotations) doc.metadata.annotations = annotations;
  return doc;
}

async function apply(docs: ManifestDocument[], options: Partial<PlanOptions> = {}, source = SOURCE) {
  const planned = await planRun(setup(options, source), docs);
  const report = await applyRun(setup(options, source), planned);
  return { planned, report };
}

const variables = (): Promise<Record<string, unknown>> => sim.ok<Record<string, unknown>>('GET', '/admin/variables/');

interface StoredRecord {
  source: string;
  inventory: Record<string, { hash: string; pruneDelete?: boolean }>;
}
const record = async (): Promise<StoredRecord | undefined> => (await variables())[RECORD] as StoredRecord | undefined;

describe('the instance record', () => {
  it('is written in /admin/variables/ under dss-gitops.ownership with every other variable kept, and the second run writes nothing', async () => {
    const docs = [setting('color', 'blue'), setting('size', 'large')];
    const first = await apply(docs);
    expect(first.report.failed).toBe(0);
    expect(first.planned.plan.report.summary).toEqual({ add: 2, change: 0, destroy: 0 });
    const stored = await variables();
    expect(stored.keep).toBe('me');
    expect(stored['test-setting.color']).toEqual({ enabled: true, value: 'blue', createdBy: 'sim' });
    expect(stored[RECORD]).toEqual({
      version: 1,
      source: SOURCE,
      inventory: {
        'TestSetting/color': { hash: specHash(first.planned.allUnits[0]!) },
        'TestSetting/size': { hash: specHash(first.planned.allUnits[1]!) },
      },
    });

    const writes = client.stats().writes;
    const second = await apply(docs);
    expect(second.planned.plan.units.map((u) => u.action)).toEqual(['no-op', 'no-op']);
    expect(second.planned.plan.report.warnings).toEqual([]);
    expect(second.planned.plan.report.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(client.stats().writes).toBe(writes);
  });

  it('is listed by state (readSourceRecords) beside the projects of the same source', async () => {
    await apply([setting('color', 'blue')]);
    const owned = await readSourceRecords(client, SOURCE, 2, { clients: { design: client }, scopes: ownershipScopes(registry) });
    expect(owned.map((p) => [p.store, p.key, Object.keys(p.record?.inventory ?? {})])).toEqual([['instance', 'design', ['TestSetting/color']]]);
    expect(await readSourceRecords(client, 'someone-else', 2, { clients: { design: client }, scopes: ownershipScopes(registry) })).toEqual([]);
  });

  it('and the run lock live side by side in the instance variables', async () => {
    const lock = new RunLock({
      holder: 'tester@host',
      reason: 'apply',
      timeoutMs: 0,
      ttlMs: 60_000,
      settleMs: 10,
      clock: { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), warn: () => undefined },
    });
    await lock.acquire([client]);
    await apply([setting('color', 'blue')]);
    const held = await variables();
    expect(held[LOCK_VARIABLE]).toMatchObject({ id: lock.id });
    expect(Object.keys((held[RECORD] as StoredRecord).inventory)).toEqual(['TestSetting/color']);
    await lock.release();
    const after = await variables();
    expect(after[LOCK_VARIABLE]).toEqual({ generation: 1 });
    expect(after[RECORD]).toEqual(held[RECORD]);
    expect(after.keep).toBe('me');
  });

  it('survives a lock refresh sent at the same time as its write (the two GET-modify-PUTs are queued)', async () => {
    const lock = new RunLock({
      holder: 'tester@host',
      reason: 'apply',
      timeoutMs: 0,
      ttlMs: 60_000,
      settleMs: 10,
      clock: { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), warn: () => undefined },
    });
    await lock.acquire([client]);
    const info = (await variables())[LOCK_VARIABLE] as { id: string; holder: string; reason: string; createdAt: string; expiresAt: string };
    const scopes = ownershipScopes(registry);
    const written = { version: 1 as const, source: SOURCE, inventory: { 'TestSetting/color': { hash: 'a'.repeat(64) } } };
    const expiresAt = new Date(Date.now() + 120_000).toISOString();
    await Promise.all([
      refreshNodeLock(client, { ...info, expiresAt } as never),
      writeInstanceRecord(client, 'design', scopes.instanceKinds('design'), written),
    ]);
    const stored = await variables();
    expect(stored[RECORD]).toEqual(written);
    expect(stored[LOCK_VARIABLE]).toMatchObject({ id: lock.id, expiresAt });
    await lock.release();
  });
});

describe('prune of instance-scoped objects', () => {
  it('deletes only what this source recorded, only with --prune; an object made by hand stays', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')]);
    await sim.ok('PUT', '/admin/variables/', { ...(await variables()), 'test-setting.handmade': { value: 'x' } });

    const without = await planRun(setup(), [setting('color', 'blue')]);
    expect(without.plan.deletions).toEqual([]);
    expect(without.plan.report.warnings).toContain('1 object(s) applied earlier left the manifests; run with --prune to delete them');

    const pruned = await apply([setting('color', 'blue')], { prune: true });
    expect(pruned.planned.plan.deletions.map((d) => d.address)).toEqual(['TestSetting/size']);
    expect(pruned.report.failed).toBe(0);
    const stored = await variables();
    expect(stored['test-setting.size']).toBeUndefined();
    expect(stored['test-setting.handmade']).toEqual({ value: 'x' });
    expect(Object.keys((stored[RECORD] as StoredRecord).inventory)).toEqual(['TestSetting/color']);
  });

  it('refuses to prune every platform object when the manifests declare none of them any more, unless --allow-empty', async () => {
    await apply([setting('color', 'blue'), docOf('Project', 'CHURN', { name: 'Churn', owner: 'admin' })]);
    const docs = [docOf('Project', 'CHURN', { name: 'Churn', owner: 'admin' })];
    const refused = await planRun(setup({ prune: true }), docs);
    expect(refused.plan.deletions).toEqual([]);
    expect(refused.plan.report.warnings.join('\n')).toMatch(/REFUSED: the manifests declare no platform object of instance\/design.*TestSetting\/color.*--allow-empty/);
    const allowed = await apply(docs, { prune: true, allowEmpty: true });
    expect(allowed.planned.plan.deletions.map((d) => d.address)).toEqual(['TestSetting/color']);
    expect((await variables())['test-setting.color']).toBeUndefined();
    expect((await record())?.inventory).toEqual({});
  });

  it("never prunes what another source's record lists, and never anything when there is no record", async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')], {}, 'github.com/team/other');
    const foreign = await planRun(setup({ prune: true }), [setting('color', 'blue')]);
    expect(foreign.plan.deletions).toEqual([]);
    expect(foreign.plan.report.warnings.join('\n')).toContain(
      'instance/design is recorded as applied from github.com/team/other, not from this run\'s github.com/team/platform: 1 object(s) listed there and absent here are not pruned (TestSetting/size)',
    );
    expect(foreign.plan.report.warnings.join('\n')).toContain('instance/design is owned by github.com/team/other');

    const { [RECORD]: _dropped, ...rest } = await variables();
    await sim.ok('PUT', '/admin/variables/', rest);
    const none = await planRun(setup({ prune: true }), [setting('color', 'blue')]);
    expect(none.plan.deletions).toEqual([]);
    expect(none.plan.report.warnings).toContain(
      'instance/design#ownership: apply writes the ownership record (the objects dss-gitops manages; the node has no instance record yet); no object changes, so it is not counted as a change',
    );
  });

  it('--adopt takes the instance record over, keeping what the other source applied', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')], {}, 'github.com/team/other');
    const adopted = await apply([setting('color', 'blue')], { adopt: true });
    expect(adopted.planned.plan.report.resourceChanges.map((c) => [c.address, c.action, c.reason])).toEqual([
      ['instance/design#ownership', 'update', `--adopt: ownership passes from github.com/team/other to ${SOURCE}`],
    ]);
    expect(await record()).toMatchObject({ source: SOURCE, inventory: { 'TestSetting/color': {}, 'TestSetting/size': {} } });
  });

  it('soft: disables an object that did not opt in, says how to opt in, and stops managing it', async () => {
    await apply([setting('color', 'blue'), setting('alice', 'a', 'SoftSetting')]);
    const pruned = await apply([setting('color', 'blue')], { prune: true });
    const change = pruned.planned.plan.report.resourceChanges.find((c) => c.address === 'SoftSetting/alice');
    expect(change?.action).toBe('update');
    expect(change?.reason).toContain('disabled');
    expect(change?.reason).toContain('dss-gitops/prune: "delete"');
    expect(pruned.planned.plan.report.summary).toEqual({ add: 0, change: 1, destroy: 0 });
    expect(pruned.report.results.find((r) => r.address === 'SoftSetting/alice')).toMatchObject({ action: 'update', status: 'applied' });
    expect((await variables())['soft-setting.alice']).toEqual({ enabled: false, value: 'a', createdBy: 'sim' });
    expect(Object.keys((await record())?.inventory ?? {})).toEqual(['TestSetting/color']);
  });

  it('soft: deletes an object whose manifest opted in with dss-gitops/prune: "delete" when it was applied', async () => {
    await apply([setting('color', 'blue'), setting('bob', 'b', 'SoftSetting', { 'dss-gitops/prune': 'delete' })]);
    expect((await record())?.inventory['SoftSetting/bob']?.pruneDelete).toBe(true);
    expect((await record())?.inventory['TestSetting/color']).toEqual({ hash: expect.any(String) });
    const pruned = await apply([setting('color', 'blue')], { prune: true });
    expect(pruned.planned.plan.deletions).toEqual([expect.objectContaining({ address: 'SoftSetting/bob', store: 'instance' })]);
    expect((await variables())['soft-setting.bob']).toBeUndefined();
  });

  it('keep: leaves the object in DSS with a warning, and it leaves the record', async () => {
    await apply([setting('color', 'blue'), setting('plug', 'p', 'KeptSetting')]);
    const pruned = await apply([setting('color', 'blue')], { prune: true });
    expect(pruned.planned.plan.deletions).toEqual([]);
    expect(pruned.planned.plan.report.warnings).toContain(
      'KeptSetting/plug left the manifests: prune does not delete KeptSetting objects unless their manifest was applied with the annotation dss-gitops/prune: "delete"; it stays in DSS and is no longer managed',
    );
    expect((await variables())['kept-setting.plug']).toEqual({ enabled: true, value: 'p', createdBy: 'sim' });
    expect(Object.keys((await record())?.inventory ?? {})).toEqual(['TestSetting/color']);
  });
});

describe('drift of instance-scoped objects', () => {
  it('tells drift (changed in DSS) from pending (manifest changed) and lists objects made by hand as unmanaged', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')]);
    const stored = await variables();
    await sim.ok('PUT', '/admin/variables/', {
      ...stored,
      'test-setting.color': { ...(stored['test-setting.color'] as object), value: 'red' },
      'test-setting.handmade': { value: 'x' },
    });
    const { report } = await driftRun(setup(), [setting('color', 'blue'), setting('size', 'huge')]);
    expect(report.drift.map((e) => [e.address, e.reason])).toEqual([
      ['TestSetting/color', 'changed in DSS since the last apply (the manifest did not change)'],
    ]);
    expect(report.drift[0]?.recorded).toBeUndefined();
    expect(report.pending.map((e) => [e.address, e.reason])).toEqual([['TestSetting/size', 'the manifest changed since the last apply']]);
    expect(report.unmanaged.map((e) => [e.address, e.reason])).toEqual([
      ['TestSetting/handmade', 'in DSS on node design, declared in no manifest and listed in no record'],
    ]);
  });

  it('lists an owned object that left the manifests as pending, and lists nothing of kinds the manifests do not manage', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')]);
    await sim.ok('PUT', '/admin/variables/', { ...(await variables()), 'soft-setting.byhand': { value: 'x' } });
    const { report } = await driftRun(setup(), [setting('color', 'blue')]);
    expect(report.pending.map((e) => [e.address, e.action])).toEqual([['TestSetting/size', 'delete']]);
    expect(report.unmanaged).toEqual([]);
  });
});

describe('a forged instance record', () => {
  it('has its out-of-scope entries dropped with a warning, and none of them is deleted', async () => {
    await apply([docOf('Project', 'CHURN', { name: 'Churn', owner: 'admin' }), setting('color', 'blue')]);
    const hash = 'a'.repeat(64);
    const color = JSON.stringify((await record())?.inventory['TestSetting/color']);
    // A record as text, as anyone may PUT it: `__proto__` is an own key of the parsed inventory, not its prototype.
    const forged = JSON.parse(
      `{"version":1,"source":${JSON.stringify(SOURCE)},"inventory":{"TestSetting/color":${color},` +
        `"__proto__":{"hash":"${hash}"},"Project/CHURN":{"hash":"${hash}"},"Scenario/CHURN/DAILY":{"hash":"${hash}"},` +
        `"DeployerSetting/remote":{"hash":"${hash}"},"TestSetting/a/b":{"hash":"${hash}"},"TestSetting/x#../y":{"hash":"${hash}"},` +
        `"TestSetting/garbage":"not an entry","SoftSetting/opt":{"hash":"${hash}","pruneDelete":"yes"}}}`,
    ) as Record<string, unknown>;
    expect(Object.keys(forged.inventory as object)).toContain('__proto__');
    await sim.ok('PUT', '/admin/variables/', { ...(await variables()), [RECORD]: forged, 'soft-setting.opt': { value: 'o' } });

    const planned = await planRun(setup({ prune: true }), [docOf('Project', 'CHURN', { name: 'Churn', owner: 'admin' }), setting('color', 'blue')]);
    const warnings = planned.plan.report.warnings.join('\n');
    for (const address of ['Project/CHURN', 'Scenario/CHURN/DAILY', 'DeployerSetting/remote', 'TestSetting/a/b', 'TestSetting/x#../y', '__proto__']) {
      expect(warnings).toContain(`instance/design#ownership: entry ${JSON.stringify(address)} is ignored: it is not a platform object of node design`);
    }
    expect(warnings).toContain('instance/design#ownership: entry "TestSetting/garbage" is ignored: it is a string, not an object');
    expect(warnings).toContain('instance/design#ownership: entry "SoftSetting/opt" has a prune opt-in that is not true or false; prune does not delete it');
    // Only the in-scope entry that left the manifests is pruned, and its unreadable opt-in only disables it; nothing
    // of a project, of another node or malformed is touched.
    expect(planned.plan.deletions.map((d) => [d.address, d.soft])).toEqual([['SoftSetting/opt', true]]);
    await applyRun(setup({ prune: true }), planned);
    expect((await sim.call('GET', '/projects/CHURN/metadata')).status).toBe(200);
    expect((await variables())['soft-setting.opt']).toEqual({ value: 'o', enabled: false });
    expect(Object.keys((await record())?.inventory ?? {})).toEqual(['TestSetting/color']);
  });

  it('that is not a record at all is ignored whole, and prunes nothing', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')]);
    await sim.ok('PUT', '/admin/variables/', { ...(await variables()), [RECORD]: ['TestSetting/size'] });
    const planned = await planRun(setup({ prune: true }), [setting('color', 'blue')]);
    expect(planned.plan.deletions).toEqual([]);
    expect(planned.plan.report.warnings).toContain(
      'instance/design#ownership: the ownership record read from DSS is ignored: it is an array, not an object; nothing it lists is pruned or counted as applied',
    );
  });
});

describe('instance-scoped objects in the other verbs', () => {
  it('--target writes the targeted object and its entry, keeps the other entries, and prunes nothing', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')]);
    const targeted = await apply([setting('color', 'green'), setting('size', 'huge')], { targets: ['TestSetting/color'], prune: true });
    expect(targeted.planned.plan.units.map((u) => [u.unit.address, u.action])).toEqual([['TestSetting/color', 'update']]);
    expect((await variables())['test-setting.size']).toMatchObject({ value: 'large' });
    const inventory = (await record())?.inventory ?? {};
    expect(inventory['TestSetting/color']?.hash).toBe(specHash(targeted.planned.plan.units[0]!.unit));
    expect(Object.keys(inventory)).toEqual(['TestSetting/color', 'TestSetting/size']);
  });

  it('self-heal reverts recorded drift of a platform object and leaves its pending change alone', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')]);
    const stored = await variables();
    await sim.ok('PUT', '/admin/variables/', { ...stored, 'test-setting.color': { ...(stored['test-setting.color'] as object), value: 'red' } });
    const docs = [setting('color', 'blue'), setting('size', 'huge')];
    const run = await driftRun(setup(), docs);
    const healed = await heal(setup(), run.planned, run.report, false);
    expect(healed?.results.filter((r) => r.status === 'applied').map((r) => r.address)).toEqual(['TestSetting/color']);
    const after = await variables();
    expect(after['test-setting.color']).toMatchObject({ value: 'blue', createdBy: 'sim' });
    expect(after['test-setting.size']).toMatchObject({ value: 'large' });
  });

  it('state rm edits the instance record with GET-modify-PUT of its own variable, and the objects stay', async () => {
    await apply([setting('color', 'blue'), setting('size', 'large')]);
    const scopes = ownershipScopes(registry);
    const ref = scopes.scopeOfAddress('TestSetting/size');
    expect(ref).toEqual({ store: 'instance', node: 'design' });
    const before = await variables();
    await editScopeRecord({ design: client }, ref!, (r) => (r ? withoutAddresses(r, ['TestSetting/size']) : undefined), scopes);
    const after = await variables();
    expect(Object.keys((after[RECORD] as StoredRecord).inventory)).toEqual(['TestSetting/color']);
    const { [RECORD]: _a, ...restAfter } = after;
    const { [RECORD]: _b, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
  });
});

describe('a saved plan', () => {
  it('fingerprints the instance record alone: the run lock taken before apply does not make it stale, an edit of the record does', async () => {
    await apply([setting('color', 'blue')]);
    const docs = [setting('color', 'green')];
    const planned = await planRun(setup(), docs);
    const file = buildPlanFile(planned, docs, {
      source: SOURCE,
      manifests: { cwd: '/m', paths: ['.'] },
      options: { prune: false, allowEmpty: false, targets: [] },
      salt: 'salt',
      createdAt: '2026-01-01T00:00:00Z',
    });
    expect(Object.keys(file.fingerprints)).toEqual(['TestSetting/color', 'instance/design (ownership record)']);
    const lock = new RunLock({
      holder: 'tester@host',
      reason: 'apply',
      timeoutMs: 0,
      ttlMs: 60_000,
      settleMs: 10,
      clock: { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), warn: () => undefined },
    });
    await lock.acquire([client]);
    expect(staleObjects(file, await planRun(setup(), docs))).toEqual([]);
    const stored = await variables();
    await sim.ok('PUT', '/admin/variables/', { ...stored, [RECORD]: { ...(stored[RECORD] as object), commit: 'abcdef1' } });
    expect(staleObjects(file, await planRun(setup(), docs))).toEqual(['instance/design (ownership record)']);
    await lock.release();
  });
});

describe('a key that may not read the instance variables', () => {
  it('plans projects with --prune, with a warning that no platform object is pruned, and stops on a declared platform object', async () => {
    await sim.close();
    sim = await startTestSimulator({ apiKeys: [{ key: 'project-key', projects: { CHURN: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
    await client.close();
    client = createDssClient({ url: sim.url, apiKey: 'project-key', insecure: false }, { nodeName: 'design', defaults: DEFAULTS, logger: quiet });
    const project = docOf('Project', 'CHURN', { name: 'Churn', owner: 'admin' });
    const planned = await planRun(setup({ prune: true }), [project]);
    expect(planned.plan.deletions).toEqual([]);
    expect(planned.plan.report.warnings.join('\n')).toMatch(
      /^instance\/design#ownership: cannot read the instance ownership record of node design: its API key may not read DSS instance variables \(GET \/admin\/variables\/, administrators only; DSS answered 403\).*: no platform object of node design is pruned$/m,
    );
    await expect(planRun(setup(), [project, setting('color', 'blue')])).rejects.toThrow(
      /instance\/design \(ownership record\): cannot read the instance ownership record of node design.*use an administrator key/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { applyRun, planRun } from '../../src/reconciler/reconcile.js';
import { planChanges } from '../../src/reconciler/plan.js';
import { readLive } from '../../src/reconciler/read.js';
import { kindRegistry } from '../../src/resources/registry.js';
import { unitsOf } from '../../src/reconciler/reconcile.js';
import { compareShallow, doc, FakeClient, fakeRegistry, setupFor } from './reconciler-fakes.js';

const manifests = () => [
  doc('Project', 'CHURN', { description: 'churn' }),
  doc('Scenario', 'DAILY', { active: true }, { project: 'CHURN' }),
  doc('Scenario', 'WEEKLY', { active: false }, { project: 'CHURN' }),
  doc('Project', 'SALES', { description: 'sales' }),
];

async function applied(client: FakeClient, docs = manifests()) {
  const setup = setupFor(client);
  const report = await applyRun(setup, await planRun(setup, docs));
  expect(report.failed).toBe(0);
  client.resetStats();
}

describe('plan and apply with fake kinds', () => {
  it('creates from nothing, then plans no changes and applies with zero writes', async () => {
    const client = new FakeClient();
    const setup = setupFor(client);
    const first = await planRun(setup, manifests());
    expect(first.plan.report.summary).toEqual({ add: 4, change: 0, destroy: 0 });
    const report = await applyRun(setup, first);
    expect(report.summary).toEqual({ add: 4, change: 0, destroy: 0 });
    expect(client.store.get('/projects/CHURN/metadata')).toMatchObject({ custom: { kv: { 'dss-gitops': { source: 'test-source' } } } });

    client.resetStats();
    const second = await planRun(setup, manifests());
    expect(second.plan.report.resourceChanges).toEqual([]);
    const again = await applyRun(setup, second);
    expect(again.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(client.stats().writes).toBe(0);
    // Each unit once, plus each project's metadata once.
    expect(client.stats().reads).toBe(6);
    expect(new Set(client.log).size).toBe(client.log.length);
  });

  it("keeps the record's own inventory when the run changes nothing it lists, and a sorted new one when it does", async () => {
    const client = new FakeClient();
    await applied(client);
    const inSync = await planRun(setupFor(client), manifests());
    expect(inSync.plan.records.length).toBeGreaterThan(0);
    for (const r of inSync.plan.records) expect(r.after.inventory).toBe(r.before?.inventory);

    const docs = manifests();
    (docs[1] as { spec: Record<string, unknown> }).spec = { active: false };
    const changed = await planRun(setupFor(client), docs);
    const churn = changed.plan.records.find((r) => r.projectKey === 'CHURN');
    const before = churn?.before?.inventory ?? {};
    const after = churn?.after.inventory ?? {};
    expect(after).not.toBe(before);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(Object.keys(after)).toEqual([...Object.keys(after)].sort());
    expect(after['Scenario/CHURN/DAILY']?.hash).not.toBe(before['Scenario/CHURN/DAILY']?.hash);
    // The entries the run does not change are the ones read.
    expect(after['Scenario/CHURN/WEEKLY']).toBe(before['Scenario/CHURN/WEEKLY']);
    expect(changed.plan.records.find((r) => r.projectKey === 'SALES')?.after.inventory).toBe(
      changed.plan.records.find((r) => r.projectKey === 'SALES')?.before?.inventory,
    );
  });

  it('updates with GET-modify-PUT from the plan-phase read, keeping fields it does not manage', async () => {
    const client = new FakeClient();
    await applied(client);
    const docs = manifests();
    (docs[0] as { spec: Record<string, unknown> }).spec = { description: 'new' };
    const setup = setupFor(client);
    const planned = await planRun(setup, docs);
    expect(planned.plan.report.resourceChanges.map((c) => [c.address, c.action])).toEqual([['Project/CHURN', 'update']]);
    client.resetStats();
    await applyRun(setup, planned);
    // Only the metadata is read again, for the ownership record, because the project was just written.
    expect(client.log.filter((l) => l.startsWith('GET'))).toEqual(['GET /projects/CHURN/metadata']);
    expect(client.store.get('/projects/CHURN')).toEqual({ description: 'new', serverAdded: 'kept' });
  });

  it('skips the dependents of a failed object and still applies the others', async () => {
    const client = new FakeClient();
    client.failOn.add('/projects/CHURN');
    client.store.set('/projects/CHURN', undefined);
    const setup = setupFor(client);
    const planned = await planRun(setup, manifests()).catch(() => undefined);
    expect(planned).toBeUndefined(); // a read failure stops the plan
    client.failOn.clear();
    const plannedOk = await planRun(setup, manifests());
    client.failOn.add('/projects/CHURN');
    const report = await applyRun(setup, plannedOk);
    const status = Object.fromEntries(report.results.map((r) => [r.address, r.status]));
    expect(status).toMatchObject({
      'Project/CHURN': 'failed',
      'Scenario/CHURN/DAILY': 'skipped',
      'Scenario/CHURN/WEEKLY': 'skipped',
      'Project/SALES': 'applied',
    });
    expect(report.failed).toBe(1);
    expect(report.skipped).toBe(2);
    expect(report.results.find((r) => r.address === 'Scenario/CHURN/DAILY')?.error).toContain('Project/CHURN');
  });

  it('limits a run to the targets and what they depend on, with a warning', async () => {
    const client = new FakeClient();
    const planned = await planRun(setupFor(client, { targets: ['Scenario/CHURN/DAILY'] }), manifests());
    expect(planned.plan.units.map((u) => u.unit.address)).toEqual(['Project/CHURN', 'Scenario/CHURN/DAILY']);
    expect(planned.plan.report.warnings[0]).toContain('--target limits this run to 2 of 4 objects');
    await expect(planRun(setupFor(client, { targets: ['Project/NOPE'] }), manifests())).rejects.toThrow(/Project\/NOPE/);
  });
});

describe('prune', () => {
  it('deletes only owned objects that left the manifests, and only with prune', async () => {
    const client = new FakeClient();
    await applied(client);
    client.store.set('/projects/CHURN/scenarios/HANDMADE', { active: true });
    client.store.set('/projects/OTHER', { description: 'by hand' });
    const docs = manifests().filter((d) => d.metadata.name !== 'WEEKLY' && d.metadata.name !== 'SALES');

    const without = await planRun(setupFor(client), docs);
    expect(without.plan.report.summary.destroy).toBe(0);
    expect(without.plan.report.warnings.join('\n')).toContain('1 object(s) applied earlier left the manifests');

    const refused = await planRun(setupFor(client, { prune: true }), docs);
    expect(refused.plan.deletions.map((d) => d.address)).toEqual(['Scenario/CHURN/WEEKLY']);
    expect(refused.plan.report.warnings.join('\n')).toMatch(/Project\/SALES.*--allow-empty/);
    const setup = setupFor(client, { prune: true, allowEmpty: true });
    const planned = await planRun(setup, docs);
    expect(planned.plan.report.resourceChanges.map((c) => [c.address, c.action])).toEqual([
      ['Project/SALES', 'delete'],
      ['Scenario/CHURN/WEEKLY', 'delete'],
    ]);
    const report = await applyRun(setup, planned);
    expect(report.summary.destroy).toBe(2);
    expect(client.store.has('/projects/CHURN/scenarios/WEEKLY')).toBe(false);
    expect(client.store.has('/projects/SALES')).toBe(false);
    expect(client.store.has('/projects/CHURN/scenarios/HANDMADE')).toBe(true);
    expect(client.store.has('/projects/OTHER')).toBe(true);

    client.resetStats();
    const after = await applyRun(setup, await planRun(setup, docs));
    expect(after.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(client.stats().writes).toBe(0);
  });

  it('never deletes protected objects', async () => {
    const client = new FakeClient();
    await applied(client, [
      ...manifests().slice(0, 2),
      doc('Scenario', 'WEEKLY', { active: false }, { project: 'CHURN', annotations: { 'dss-gitops/protected': 'true' } }),
    ]);
    const planned = await planRun(setupFor(client, { prune: true }), manifests().slice(0, 2));
    expect(planned.plan.deletions).toEqual([]);
    expect(planned.plan.report.warnings.join('\n')).toContain('Scenario/CHURN/WEEKLY left the manifests but is protected');

    const tagged = new FakeClient();
    await applied(tagged);
    const meta = tagged.store.get('/projects/SALES/metadata') as { tags: string[] };
    meta.tags = ['dss-gitops-protected'];
    const plan2 = await planRun(setupFor(tagged, { prune: true }), manifests().slice(0, 3));
    expect(plan2.plan.deletions).toEqual([]);
  });

  it('drops objects of kinds that are never deleted from the inventory, without a warning', async () => {
    const client = new FakeClient();
    await applied(client);
    const { delete: _drop, ...scenarioKind } = fakeRegistry.get('Scenario')!;
    const setup = { ...setupFor(client, { prune: true }), registry: kindRegistry([fakeRegistry.get('Project')!, scenarioKind]) };
    const docs = manifests().filter((d) => d.metadata.name !== 'WEEKLY');
    const planned = await planRun(setup, docs);
    expect(planned.plan.deletions).toEqual([]);
    // Only the note that the record changes (it drops the scenario), nothing about the kind.
    expect(planned.plan.report.warnings).toEqual([
      'Project/CHURN#ownership: apply writes the ownership record (the objects dss-gitops manages; the record is out of date); ' +
        'no object changes, so it is not counted as a change',
    ]);
    await applyRun(setup, planned);
    const record = client.store.get('/projects/CHURN/metadata') as { custom: { kv: Record<string, { inventory: object }> } };
    expect(Object.keys(record.custom.kv['dss-gitops']?.inventory ?? {})).not.toContain('Scenario/CHURN/WEEKLY');
    expect(client.store.has('/projects/CHURN/scenarios/WEEKLY')).toBe(true);
  });

  it('refuses to prune everything when the manifests are empty, unless allowed', async () => {
    const client = new FakeClient();
    await applied(client);
    await expect(planRun(setupFor(client, { prune: true }), [])).rejects.toThrow(/--allow-empty/);
    const planned = await planRun(setupFor(client, { prune: true, allowEmpty: true }), []);
    expect(planned.plan.report.summary.destroy).toBe(2);
  });
});

describe('planChanges', () => {
  it('is pure: the same input gives the same plan and is left untouched', async () => {
    const client = new FakeClient();
    await applied(client);
    const docs = manifests();
    (docs[1] as { spec: Record<string, unknown> }).spec = { active: false };
    const units = unitsOf(docs, fakeRegistry);
    const setup = setupFor(client);
    const { live, projects } = await readLive({
      units,
      kindOf: (k) => fakeRegistry.get(k)!,
      contextFor: () => ({ client, clients: setup.clients, log: setup.log }),
      designClient: client,
      parallelism: 2,
      discoverProjects: false,
      declaredProjects: new Set(),
    });
    const input = {
      allUnits: units,
      units,
      live,
      projects,
      source: 's',
      options: setup.options,
      compare: compareShallow,
      nodeOf: () => 'design',
      canDelete: () => true,
    };
    const snapshot = JSON.stringify({ units: units.map((u) => u.desired), live: [...live], projects: [...projects] });
    client.resetStats();
    const a = planChanges(input);
    const b = planChanges(input);
    expect(client.log).toEqual([]);
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report));
    expect(a.report.resourceChanges.map((c) => c.address)).toEqual(['Scenario/CHURN/DAILY']);
    expect(JSON.stringify({ units: units.map((u) => u.desired), live: [...live], projects: [...projects] })).toBe(snapshot);

    // What a kind observed without it being a change (e.g. a deployment in ERROR) reaches the plan's warnings.
    const [address, state] = [...live].find(([, l]) => l !== undefined)!;
    const noticed = new Map(live).set(address, { ...state!, notices: [`${address} is ERROR: scenario failed`] });
    expect(planChanges({ ...input, live: noticed }).report.warnings).toContain(`${address} is ERROR: scenario failed`);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/reconciler/drift.js';
import { canonicalJson } from '../../src/reconciler/hash.js';
import { hasHealing, healingPlan, isRolloutOnlyDrift } from '../../src/reconciler/heal.js';
import { sameJson, sameOwnership, type OwnershipRecord } from '../../src/reconciler/ownership.js';
import { applyRun, planRun } from '../../src/reconciler/reconcile.js';
import type { PlanOptions } from '../../src/reconciler/types.js';
import { doc, FakeClient, setupFor } from './reconciler-fakes.js';

const manifests = () => [
  doc('Project', 'CHURN', { description: 'churn' }),
  doc('Scenario', 'DAILY', { active: true }, { project: 'CHURN' }),
  doc('Scenario', 'WEEKLY', { active: false }, { project: 'CHURN' }),
];

type Metadata = { custom: { kv: Record<string, { source: string; inventory: Record<string, unknown> }> } };
const recordIn = (client: FakeClient) => (client.store.get('/projects/CHURN/metadata') as Metadata).custom.kv['dss-gitops'];

const as = (client: FakeClient, source: string, options: Partial<PlanOptions> = {}) => ({ ...setupFor(client, options), source });

async function appliedFrom(client: FakeClient, source: string) {
  const setup = as(client, source);
  const report = await applyRun(setup, await planRun(setup, manifests()));
  expect(report.failed).toBe(0);
}

describe('ownership across sources', () => {
  it('writes the objects of another source but leaves its record, with a warning naming both and --adopt', async () => {
    const client = new FakeClient();
    await appliedFrom(client, 'git:github.com/team/dss#manifests');
    const docs = manifests().filter((d) => d.metadata.name !== 'WEEKLY');
    (docs[1] as { spec: Record<string, unknown> }).spec = { active: false };
    const setup = as(client, 'dir:/tmp/CHURN');
    const planned = await planRun(setup, docs);
    expect(planned.plan.records).toEqual([]);
    expect(planned.plan.report.resourceChanges.map((c) => c.address)).toEqual(['Scenario/CHURN/DAILY']);
    const warning = planned.plan.report.warnings.find((w) => w.includes('Project/CHURN is owned by'));
    expect(warning).toContain('git:github.com/team/dss#manifests');
    expect(warning).toContain('dir:/tmp/CHURN');
    expect(warning).toContain('--adopt');
    await applyRun(setup, planned);
    expect(client.store.get('/projects/CHURN/scenarios/DAILY')).toMatchObject({ active: false });
    // The owner's inventory is intact, so its prune still removes WEEKLY later.
    expect(recordIn(client)?.source).toBe('git:github.com/team/dss#manifests');
    expect(Object.keys(recordIn(client)?.inventory ?? {})).toContain('Scenario/CHURN/WEEKLY');
  });

  it('with --adopt shows the takeover as its own entry and keeps the previous inventory', async () => {
    const client = new FakeClient();
    await appliedFrom(client, 'old-source');
    const setup = as(client, 'new-source', { adopt: true });
    const planned = await planRun(setup, manifests().slice(0, 2));
    const adopted = planned.plan.report.resourceChanges.find((c) => c.address === 'Project/CHURN#ownership');
    expect(adopted).toMatchObject({ action: 'update', reason: expect.stringContaining('old-source') as unknown });
    expect(planned.plan.report.summary.change).toBe(1);
    await applyRun(setup, planned);
    expect(recordIn(client)?.source).toBe('new-source');
    expect(Object.keys(recordIn(client)?.inventory ?? {})).toContain('Scenario/CHURN/WEEKLY');
    // Now the owner, the adopting source prunes what it no longer declares.
    const pruned = await planRun(as(client, 'new-source', { prune: true }), manifests().slice(0, 2));
    expect(pruned.plan.deletions.map((d) => d.address)).toEqual(['Scenario/CHURN/WEEKLY']);
  });

  it('self-heal never changes the source of a record', async () => {
    const client = new FakeClient();
    await appliedFrom(client, 'owner');
    client.store.set('/projects/CHURN/scenarios/DAILY', { active: false });
    const planned = await planRun(as(client, 'elsewhere', { adopt: true }), manifests());
    const report = { drift: [{ address: 'Scenario/CHURN/DAILY' }] } as unknown as DriftReport;
    const plan = healingPlan(planned, report, false);
    expect(plan.units.filter((u) => u.action !== 'no-op').map((u) => u.unit.address)).toEqual(['Scenario/CHURN/DAILY']);
    expect(plan.records.map((r) => r.after.source)).toEqual(['owner']);
    await applyRun(as(client, 'elsewhere'), { ...planned, plan });
    expect(recordIn(client)?.source).toBe('owner');
  });
});

describe('prune of a whole project', () => {
  it('refuses that project alone, with a warning naming it and --allow-empty, and plans the rest', async () => {
    const client = new FakeClient();
    const all = [...manifests(), doc('Project', 'SALES', { description: 'sales' })];
    const setup = setupFor(client);
    await applyRun(setup, await planRun(setup, all));
    const docs = manifests().slice(0, 2);
    const planned = await planRun(setupFor(client, { prune: true }), docs);
    expect(planned.plan.deletions.map((d) => d.address)).toEqual(['Scenario/CHURN/WEEKLY']);
    const warning = planned.plan.report.warnings.find((w) => w.includes('Project/SALES'));
    expect(warning).toMatch(/REFUSED.*--allow-empty/);
    const allowed = await planRun(setupFor(client, { prune: true, allowEmpty: true }), docs);
    expect(allowed.plan.deletions.map((d) => d.address).sort()).toEqual(['Project/SALES', 'Scenario/CHURN/WEEKLY']);
    // Declaring nothing at all is still refused as a whole.
    await expect(planRun(setupFor(client, { prune: true }), [])).rejects.toThrow(/declare nothing.*--allow-empty/s);
  });
});

describe('self-heal and the rollout marker', () => {
  const inSync = { pointer: '/inSync', path: 'inSync', kind: 'modify' as const, before: false, after: true, sensitive: false };
  const bundle = { pointer: '/bundleId', path: 'bundleId', kind: 'modify' as const, before: 'v1', after: 'v2', sensitive: false };

  it('tells drift that is only a deployment not running its bundle', () => {
    const entry = { address: 'Deployment/churn-prod', kind: 'Deployment', node: 'deployer', class: 'drift' as const, action: 'update' as const, reason: '' };
    expect(isRolloutOnlyDrift({ ...entry, changes: [inSync] })).toBe(true);
    expect(isRolloutOnlyDrift({ ...entry, changes: [inSync, bundle] })).toBe(false);
    expect(isRolloutOnlyDrift({ ...entry, kind: 'Scenario', changes: [inSync] })).toBe(false);
  });

  it('leaves such drift out of the healing plan', async () => {
    const client = new FakeClient();
    await appliedFrom(client, 'test-source');
    client.store.set('/projects/CHURN/scenarios/DAILY', { active: false });
    const planned = await planRun(setupFor(client), manifests());
    const drifted = { address: 'Scenario/CHURN/DAILY', kind: 'Scenario', changes: [inSync] };
    expect(hasHealing(healingPlan(planned, { drift: [drifted] } as unknown as DriftReport, false))).toBe(true);
    const marker = { ...drifted, kind: 'Deployment' };
    expect(hasHealing(healingPlan(planned, { drift: [marker] } as unknown as DriftReport, false))).toBe(false);
  });
});

describe('sameOwnership', () => {
  // Values as records hold them, with what JSON drops or turns to null: keys holding undefined, NaN, -0.
  const value = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(undefined, null, true, false, 0, -0, 1, NaN, Infinity, 'a', 'b', '"', 'h1'),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('hash', 'protected', 'sensitive', 'a', 'b'), tie('value'), { maxKeys: 3 }),
    ),
  })).value;
  const record = (inventory: unknown, source = 's'): OwnershipRecord => ({ version: 1, source, inventory: inventory as OwnershipRecord['inventory'] });

  it('says two records own the same things exactly when their inventories have the same canonical JSON', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
        expect(sameJson(a, a)).toBe(true);
        expect(sameJson(a, structuredClone(a))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells inventories apart by an entry, a field, a key holding undefined or not, and the source', () => {
    const inventory = { 'Project/A': { hash: 'h1' }, 'Scenario/A/S': { hash: 'h2', sensitive: ['/x'] } };
    expect(sameOwnership(record(inventory), record(structuredClone(inventory)))).toBe(true);
    expect(sameOwnership(record(inventory), record({ ...inventory, 'Project/A': { hash: 'h1', protected: undefined } }))).toBe(true);
    expect(sameOwnership(record(inventory), record({ ...inventory, 'Project/A': { hash: 'h1', protected: true } }))).toBe(false);
    expect(sameOwnership(record(inventory), record({ ...inventory, 'Project/B': { hash: 'h3' } }))).toBe(false);
    expect(sameOwnership(record(inventory), record({ 'Project/A': { hash: 'h1' } }))).toBe(false);
    expect(sameOwnership(record(inventory), record({ ...inventory, 'Scenario/A/S': { hash: 'h2', sensitive: ['/y'] } }))).toBe(false);
    expect(sameOwnership(record(inventory), record(inventory, 't'))).toBe(false);
    expect(sameOwnership(record(inventory), undefined)).toBe(false);
    expect(sameOwnership(undefined, undefined)).toBe(true);
  });
});

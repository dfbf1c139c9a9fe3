// The plan's comparisons are done while the reads go on (CompareAhead), each unit once, and the plan is the same
// as one that compares everything after the last read.

import { describe, expect, it } from 'vitest';
import type { LiveState } from '../../src/resources/types.js';
import { specHash } from '../../src/reconciler/hash.js';
import { planChanges } from '../../src/reconciler/plan.js';
import { applyRun, CompareAhead, planRun, unitsOf } from '../../src/reconciler/reconcile.js';
import type { CompareFn, PlanInput } from '../../src/reconciler/types.js';
import { compareShallow, doc, FakeClient, fakeRegistry, setupFor } from './reconciler-fakes.js';

const manifests = () => [
  doc('Project', 'CHURN', { description: 'churn' }),
  doc('Scenario', 'DAILY', { active: true }, { project: 'CHURN' }),
  doc('Scenario', 'WEEKLY', { active: false }, { project: 'CHURN' }),
  doc('Project', 'SALES', { description: 'sales' }),
];

/** A client whose every GET answers after a turn of the event loop, as a node over the network does. */
class SlowClient extends FakeClient {
  override async getOrAbsent<T>(path: string): Promise<T | undefined> {
    const value = await super.getOrAbsent<T>(path);
    await new Promise((resolve) => setTimeout(resolve, 2));
    return value;
  }
}

/** compareShallow, recording for each call the address compared and the GETs answered by then. */
function recording(client: FakeClient): { compare: CompareFn; calls: Array<{ desired: unknown; reads: number }> } {
  const calls: Array<{ desired: unknown; reads: number }> = [];
  return {
    calls,
    compare: (desired, live, policy, options) => {
      calls.push({ desired, reads: client.stats().reads });
      return compareShallow(desired, live, policy, options);
    },
  };
}

describe('comparing while the reads go on', () => {
  it('compares each unit once, some before the last read, and plans what a plan after the reads does', async () => {
    const client = new SlowClient();
    const setup = setupFor(client, {}, 1);
    await applyRun(setup, await planRun(setup, manifests()));
    const docs = manifests();
    (docs[1] as { spec: Record<string, unknown> }).spec = { active: false };
    client.resetStats();

    const { compare, calls } = recording(client);
    const planned = await planRun({ ...setup, compare }, docs);
    const reads = client.stats().reads;

    expect(calls).toHaveLength(4);
    expect(calls.some((c) => c.reads < reads)).toBe(true);
    expect(planned.plan.report.resourceChanges.map((c) => [c.address, c.action, c.changes.map((f) => f.path)])).toEqual([
      ['Scenario/CHURN/DAILY', 'update', ['active']],
    ]);
    // The same plan as one compared after the last read.
    const units = unitsOf(docs, fakeRegistry);
    const input: PlanInput = {
      allUnits: units,
      units,
      live: planned.plan.units.reduce((m, u) => m.set(u.unit.address, u.live), new Map<string, LiveState | undefined>()),
      projects: planned.projects,
      source: setup.source,
      options: setup.options,
      compare: compareShallow,
      nodeOf: () => 'design',
      canDelete: () => true,
    };
    const after = planChanges(input);
    expect(planned.plan.report).toEqual(after.report);
    // The records list the spec hashes made while reading: the same as the plan's own.
    expect(planned.plan.records.map((r) => r.after)).toEqual(after.records.map((r) => r.after));
    expect(planned.plan.records.flatMap((r) => Object.keys(r.after.inventory))).toHaveLength(4);
  });

  it('counts a comparison only for the live state it was made with', async () => {
    const [unit] = unitsOf([doc('Project', 'CHURN', { description: 'new' })], fakeRegistry);
    if (unit === undefined) throw new Error('no unit');
    const read: LiveState = { raw: { description: 'old' }, view: { description: 'old' } };
    const ahead = new CompareAhead(compareShallow, []);
    ahead.add(unit, read);
    await new Promise((resolve) => setImmediate(resolve));
    const compared = ahead.stop();
    expect(compared.get(unit.address)?.changes.map((c) => [c.path, c.before, c.after])).toEqual([['description', 'old', 'new']]);
    expect(compared.get(unit.address)?.specHash).toBe(specHash(unit));

    const input = (live: LiveState): PlanInput => ({
      allUnits: [unit],
      units: [unit],
      live: new Map([[unit.address, live]]),
      projects: new Map(),
      source: 'test-source',
      options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: [] },
      compare: compareShallow,
      nodeOf: () => 'design',
      canDelete: () => true,
      compared,
    });
    // Another state of the same object (what a caller passing other reads would have): compared again.
    const other: LiveState = { raw: { description: 'new' }, view: { description: 'new' } };
    expect(planChanges(input(other)).report.resourceChanges).toEqual([]);
    expect(planChanges(input(read)).report.resourceChanges.map((c) => c.action)).toEqual(['update']);
  });

  it('leaves what is queued when it stops, and a comparison that throws, to the plan', async () => {
    const units = unitsOf(manifests(), fakeRegistry);
    const throwing: CompareFn = (desired, live, policy, options) => {
      if (desired.active === false) throw new Error('cannot compare');
      return compareShallow(desired, live, policy, options);
    };
    const ahead = new CompareAhead(throwing, []);
    for (const unit of units) ahead.add(unit, undefined);
    await new Promise((resolve) => setImmediate(resolve));
    const late = units[0];
    if (late === undefined) throw new Error('no unit');
    ahead.add(late, { raw: {}, view: {} });
    const compared = ahead.stop();
    expect([...compared.keys()].sort()).toEqual(['Project/CHURN', 'Project/SALES', 'Scenario/CHURN/DAILY']);
    expect(compared.get('Project/CHURN')?.live).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(compared.size).toBe(3);
  });

  it('drains what is queued in slices, the event loop turning between them, and resolves at once when nothing is', async () => {
    const units = unitsOf(manifests(), fakeRegistry);
    let turns = 0;
    const slow: CompareFn = (desired, live, policy, options) => {
      // Longer than a slice: each comparison ends one, and the event loop turns before the next.
      const until = performance.now() + 3;
      while (performance.now() < until);
      return compareShallow(desired, live, policy, options);
    };
    const ahead = new CompareAhead(slow, []);
    for (const unit of units) ahead.add(unit, undefined);
    const ticking = setInterval(() => (turns += 1), 0);
    await ahead.drained();
    clearInterval(ticking);
    expect([...ahead.stop().keys()].sort()).toEqual(units.map((u) => u.address).sort());
    expect(turns).toBeGreaterThan(0);
    await expect(new CompareAhead(compareShallow, []).drained()).resolves.toBeUndefined();
  });

  it('wakes a wait for the queue to drain when it stops', async () => {
    const units = unitsOf(manifests(), fakeRegistry);
    const ahead = new CompareAhead(compareShallow, []);
    for (const unit of units) ahead.add(unit, undefined);
    const waiting = ahead.drained();
    expect(ahead.stop().size).toBe(0);
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe('a plan that tells when it finds a write (an apply taking its lock meanwhile)', () => {
  it('tells of the write of a fresh apply, whose reads end with the project list, before the plan is made', async () => {
    const client = new FakeClient();
    const found: Array<{ node: string; planned: boolean }> = [];
    let planned = false;
    const setup = { ...setupFor(client, {}, 1), onWriteFound: (node: string) => found.push({ node, planned }) };
    const plan = await planRun(setup, manifests());
    planned = true;
    expect(plan.plan.report.resourceChanges.map((c) => c.action)).toEqual(['create', 'create', 'create', 'create']);
    expect(found).toEqual([{ node: 'design', planned: false }]);
  });

  it('tells nothing when the plan writes nothing', async () => {
    const client = new FakeClient();
    const setup = setupFor(client, {}, 1);
    await applyRun(setup, await planRun(setup, manifests()));
    const found: string[] = [];
    const again = await planRun({ ...setup, onWriteFound: (node) => found.push(node) }, manifests());
    expect(again.plan.report.resourceChanges).toEqual([]);
    expect(found).toEqual([]);
  });
});

describe('a plan started while the preflight still waits for its answer', () => {
  it('sends nothing until the preflight has its answer, then plans as usual', async () => {
    const client = new FakeClient();
    const setup = setupFor(client, {}, 2);
    await applyRun(setup, await planRun(setup, manifests()));
    client.resetStats();
    let answer!: () => void;
    const connected = new Promise<void>((resolve) => (answer = resolve));

    const planning = planRun(setup, manifests(), undefined, connected);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const readsBefore = client.stats().reads;
    answer();
    const planned = await planning;

    expect(readsBefore).toBe(0);
    expect(client.stats().reads).toBeGreaterThan(0);
    expect(planned.plan.report.resourceChanges).toEqual([]);
  });

  it('fails with the preflight’s error, having sent nothing, when the preflight fails', async () => {
    const client = new FakeClient();
    const whole = setupFor(client, {}, 2);
    const targeted = { ...whole, options: { ...whole.options, targets: ['Scenario/CHURN/DAILY'] } };
    const refused = new Error('cannot use the design node');

    for (const setup of [whole, targeted]) {
      await expect(planRun(setup, manifests(), undefined, Promise.reject(refused))).rejects.toBe(refused);
    }
    expect(client.stats().reads).toBe(0);
  });
});

// The read step's scheduling: at most `parallelism` reads in flight, records and lists included, no slot left idle
// while reads wait, the units the plan may refuse first, each failure reported, and the work of a read made only as
// it starts.

import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { kindRegistry } from '../../src/resources/registry.js';
import type { ResourceKind, ResourceUnit } from '../../src/resources/types.js';
import { ReadError, readLive, type ReadInput } from '../../src/reconciler/read.js';
import { ownershipScopes } from '../../src/reconciler/ownership/scopes.js';
import { unitsOf } from '../../src/reconciler/reconcile.js';
import { doc, fakeRegistry, FakeClient } from './reconciler-fakes.js';

/** A client whose GETs wait until the test releases them, so that what is in flight at once can be counted. */
class GatedClient extends FakeClient {
  readonly waiting: Array<() => void> = [];
  /** The paths in the order they were asked for. */
  readonly sent: string[] = [];
  override getOrAbsent<T>(path: string): Promise<T | undefined> {
    this.sent.push(path);
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => super.getOrAbsent<T>(path));
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/**
 * Runs `reading` round by round: lets every request in flight answer at once, and gives the paths each round held
 * (in order of path: the requests of one round start together).
 */
async function rounds(client: GatedClient, reading: Promise<unknown>): Promise<string[][]> {
  let finished = false;
  const end = reading.then(
    () => (finished = true),
    () => (finished = true),
  );
  const held: string[][] = [];
  for (;;) {
    await settle();
    if (client.waiting.length === 0) break;
    held.push(client.sent.splice(0).sort());
    expect(held.at(-1)).toHaveLength(client.waiting.length);
    for (const release of client.waiting.splice(0)) release();
  }
  await end;
  expect(finished).toBe(true);
  return held;
}

// A kind the plan may refuse: it is read before the others, wherever its documents are.
const guarded: ResourceKind = { ...(fakeRegistry.get('Scenario') as ResourceKind), kind: 'Guarded', validateChange: () => [] };
const registry = kindRegistry([...fakeRegistry.values(), guarded]);
const unitsOfGuarded = (project: string, name: string): ResourceUnit[] =>
  unitsOf([doc('Scenario', name, { active: true }, { project })], fakeRegistry).map((u) => ({
    ...u,
    kind: 'Guarded',
    address: `Guarded/${project}/${name}`,
  }));

function inputFor(client: FakeClient, units: ResourceUnit[], parallelism: number, more: Partial<ReadInput> = {}): ReadInput {
  return {
    units,
    kindOf: (k) => registry.get(k) as ResourceKind,
    contextFor: () => ({ client, clients: { design: client, deployer: client }, log: { debug() {}, info() {}, warn() {}, error() {} } }),
    designClient: client,
    parallelism,
    discoverProjects: false,
    declaredProjects: new Set(),
    scopes: ownershipScopes(registry),
    ...more,
  };
}

const scenarios = (project: string, names: string[]): ResourceUnit[] =>
  unitsOf(names.map((n) => doc('Scenario', n, { active: true }, { project })), fakeRegistry);

describe('readLive', () => {
  it('keeps parallelism reads in flight, records and the project list included, and leaves no slot idle while reads wait', async () => {
    const client = new GatedClient();
    client.store.set('/projects/OLD', {});
    const units = [...scenarios('A', ['S1', 'S2', 'S3']), ...scenarios('B', ['S1', 'S2']), ...unitsOfGuarded('C', 'G')];
    const reads: Array<[number, number]> = [];
    const reading = readLive(inputFor(client, units, 2, { discoverProjects: true, onRead: (done, total) => reads.push([done, total]) }));
    // 6 units, 3 records, the list, then the record of the project it found that the manifests do not declare.
    expect(await rounds(client, reading)).toEqual([
      ['/projects/A/scenarios/S1', '/projects/C/scenarios/G'],
      ['/projects/A/scenarios/S2', '/projects/A/scenarios/S3'],
      ['/projects/B/scenarios/S1', '/projects/B/scenarios/S2'],
      ['/projects/A/metadata', '/projects/B/metadata'],
      ['/projects/', '/projects/C/metadata'],
      ['/projects/OLD/metadata'],
    ]);
    const { projects } = await reading;
    expect([...projects.keys()].sort()).toEqual(['A', 'B', 'C', 'OLD']);
    expect(reads.map(([done]) => done)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(reads.at(-1)).toEqual([11, 11]);
    expect(reads.every(([done, total]) => done <= total)).toBe(true);
  });

  it('starts readsAhead reads beyond the parallelism, for a pool that keeps them waiting for a connection', async () => {
    const client = new GatedClient();
    const units = [...scenarios('A', ['S1', 'S2', 'S3']), ...scenarios('B', ['S1', 'S2'])];
    const reading = readLive(inputFor(client, units, 2, { readsAhead: 2 }));
    expect(await rounds(client, reading)).toEqual([
      ['/projects/A/scenarios/S1', '/projects/A/scenarios/S2', '/projects/A/scenarios/S3', '/projects/B/scenarios/S1'],
      ['/projects/A/metadata', '/projects/B/metadata', '/projects/B/scenarios/S2'],
    ]);
    expect([...(await reading).live.keys()].sort()).toEqual(units.map((u) => u.address).sort());
  });

  it('lists every read that failed, by address, after the others are done', async () => {
    const client = new FakeClient();
    client.failOn.add('/projects/A/scenarios/S2');
    client.failOn.add('/projects/B/metadata');
    const units = [...scenarios('B', ['S1']), ...scenarios('A', ['S1', 'S2', 'S3'])];
    const error = await readLive(inputFor(client, units, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadError);
    expect((error as Error).message).toBe(
      'could not read 2 object(s):\n' +
        '  Project/B (ownership record): HTTP 500 on GET /projects/B/metadata\n' +
        '  Scenario/A/S2: HTTP 500 on GET /projects/A/scenarios/S2',
    );
    expect(client.log).toHaveLength(6);
  });

  it('asks whether a project exists once it is told: the other reads of the project ask nothing, and an absent one reads nothing', async () => {
    const asked: string[] = [];
    const project: ResourceKind = {
      ...(fakeRegistry.get('Project') as ResourceKind),
      scopeExists: (_ctx, key) => {
        asked.push(key);
        return Promise.resolve(key === 'A');
      },
    };
    const withList = kindRegistry([project, fakeRegistry.get('Scenario') as ResourceKind]);
    const client = new FakeClient();
    const units = [...scenarios('A', ['S1', 'S2', 'S3']), ...scenarios('B', ['S1', 'S2'])];
    const { live, projects } = await readLive(
      inputFor(client, units, 1, { kindOf: (k) => withList.get(k) as ResourceKind, scopes: ownershipScopes(withList) }),
    );
    expect(asked).toEqual(['A', 'B']);
    expect(client.log).toEqual(['GET /projects/A/scenarios/S1', 'GET /projects/A/scenarios/S2', 'GET /projects/A/scenarios/S3', 'GET /projects/A/metadata']);
    expect([...live.keys()].sort()).toEqual(units.map((u) => u.address).sort());
    expect(live.get('Scenario/B/S1')).toBeUndefined();
    expect(projects.get('B')).toEqual({ key: 'B', exists: false, tags: [] });
  });

  it('makes the work of a read only as it starts: thousands of units waiting cost no promises', async () => {
    const client = new GatedClient();
    const units = scenarios(
      'A',
      Array.from({ length: 5000 }, (_, i) => `S${i}`),
    );
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    });
    hook.enable();
    let reading: Promise<unknown>;
    try {
      reading = readLive(inputFor(client, units, 4));
      await settle();
    } finally {
      hook.disable();
    }
    // Four reads in flight, and a few promises each: not one chain per unit waiting.
    expect(client.waiting).toHaveLength(4);
    expect(promises).toBeLessThan(200);
    const held = await rounds(client, reading);
    expect(held.map((paths) => paths.length)).toEqual([...Array.from({ length: 1250 }, () => 4), 1]);
  });
});

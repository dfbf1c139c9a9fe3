import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import type { DiffPolicy, FieldChange } from '../../src/diff/types.js';

const none: DiffPolicy = {};

/** The changes as `kind path` lines with values, the way a reviewer reads them. */
function lines(changes: FieldChange[]): string[] {
  return changes.map((c) => `${c.kind} ${c.path} ${JSON.stringify(c.before)} ${JSON.stringify(c.after)}`);
}

describe('diffManaged: maps', () => {
  it('reports a changed scalar with a readable path and its pointer', () => {
    const changes = diffManaged(
      { variables: { standard: { threshold: 0.8 } } },
      { variables: { standard: { threshold: 0.7, other: 1 } } },
      none,
    );
    expect(changes).toEqual([
      {
        pointer: '/variables/standard/threshold',
        path: 'variables.standard.threshold',
        kind: 'modify',
        before: 0.7,
        after: 0.8,
        sensitive: false,
      },
    ]);
  });

  it('merges maps key by key: live keys the manifest does not declare are not changes', () => {
    expect(diffManaged({ a: 1, nested: { b: 2 } }, { a: 1, z: 9, nested: { b: 2, y: 8 } }, none)).toEqual([]);
  });

  it('reports declared keys missing live as additions, leaf by leaf', () => {
    expect(lines(diffManaged({ a: { b: 1, c: 'x' } }, {}, none))).toEqual([
      'add a.b undefined 1',
      'add a.c undefined "x"',
    ]);
  });

  it('ignores key order', () => {
    expect(diffManaged({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }, none)).toEqual([]);
  });

  it('treats an undefined desired key as not declared', () => {
    expect(diffManaged({ a: undefined, b: 1 }, { a: 5, b: 1 }, none)).toEqual([]);
    expect(lines(diffManaged({ a: undefined, b: 1 }, { a: 5, b: 1 }, { exact: [''] }))).toEqual(['remove a 5 undefined']);
  });

  it('removes live keys the desired side lacks under an exact pointer, and only there', () => {
    const changes = diffManaged(
      { variables: { standard: { keep: 1 }, local: { x: 1 } } },
      { variables: { standard: { keep: 1, old: 'v', nested: { a: 1 } }, local: { x: 1, y: 2 } } },
      { exact: ['/variables/standard'] },
    );
    expect(lines(changes)).toEqual([
      'remove variables.standard.nested {"a":1} undefined',
      'remove variables.standard.old "v" undefined',
    ]);
  });

  it('makes everything below an exact map exact too', () => {
    const changes = diffManaged({ v: { obj: { a: 1 } } }, { v: { obj: { a: 1, b: 2 } } }, { exact: ['/v'] });
    expect(lines(changes)).toEqual(['remove v.obj.b 2 undefined']);
  });

  it('reports a type change as one modification', () => {
    expect(lines(diffManaged({ a: { b: 1 } }, { a: 'text' }, none))).toEqual(['modify a "text" {"b":1}']);
  });

  it('quotes keys that would not read as plain path segments', () => {
    expect(diffManaged({ kv: { 'a.b': 1 } }, { kv: { 'a.b': 2 } }, none)[0]?.path).toBe('kv["a.b"]');
  });
});

describe('diffManaged: keyed lists', () => {
  const triggers: DiffPolicy = { keyedLists: { '/triggers': ['id'] } };

  it('matches items by key whatever their order and merges each declared item over the live one', () => {
    const live = {
      triggers: [
        { id: 'weekly', type: 'temporal', params: { frequency: 'Weekly' }, addedByDss: true },
        { id: 'daily', type: 'temporal', params: { frequency: 'Daily', daysOfWeek: [] } },
      ],
    };
    const desired = { triggers: [{ id: 'daily', params: { frequency: 'Hourly' } }, { id: 'weekly' }] };
    expect(lines(diffManaged(desired, live, triggers))).toEqual([
      'modify triggers[id=daily].params.frequency "Daily" "Hourly"',
    ]);
  });

  it('adds a missing item whole and keeps extra live items unless exact', () => {
    const live = { triggers: [{ id: 'manual' }] };
    const desired = { triggers: [{ id: 'daily', type: 'temporal' }] };
    expect(lines(diffManaged(desired, live, triggers))).toEqual([
      'add triggers[id=daily] undefined {"id":"daily","type":"temporal"}',
    ]);
    const exact = { ...triggers, exact: ['/triggers'] };
    expect(lines(diffManaged(desired, live, exact))).toEqual([
      'add triggers[id=daily] undefined {"id":"daily","type":"temporal"}',
      'remove triggers[id=manual] {"id":"manual"} undefined',
    ]);
  });

  it('matches grants on whichever key field they have (group or user)', () => {
    const policy: DiffPolicy = { keyedLists: { '/permissions': ['group', 'user'] }, exact: ['/permissions'] };
    const live = {
      permissions: [
        { group: 'analysts', readProjectContent: true, writeProjectContent: false, admin: false },
        { user: 'alice', admin: true },
        { group: 'interns', readProjectContent: true },
      ],
    };
    const desired = {
      permissions: [
        { user: 'alice', admin: true },
        { group: 'analysts', readProjectContent: true, writeProjectContent: true },
      ],
    };
    expect(lines(diffManaged(desired, live, policy))).toEqual([
      'modify permissions[group=analysts].writeProjectContent false true',
      'remove permissions[group=interns] {"group":"interns","readProjectContent":true} undefined',
    ]);
  });

  it('makes an item itself exact when its pointer is listed with a wildcard', () => {
    const policy: DiffPolicy = { keyedLists: { '/permissions': ['group'] }, exact: ['/permissions/*'] };
    const changes = diffManaged(
      { permissions: [{ group: 'g', read: true }] },
      { permissions: [{ group: 'g', read: true, admin: true }] },
      policy,
    );
    expect(lines(changes)).toEqual(['remove permissions[group=g].admin true undefined']);
  });

  it('matches keyed lists nested under wildcards', () => {
    const policy: DiffPolicy = { keyedLists: { '/scenarios/*/steps': ['id'] } };
    const changes = diffManaged(
      { scenarios: { s1: { steps: [{ id: 'b', name: 'B2' }] } } },
      { scenarios: { s1: { steps: [{ id: 'a' }, { id: 'b', name: 'B' }] } } },
      policy,
    );
    expect(lines(changes)).toEqual(['modify scenarios.s1.steps[id=b].name "B" "B2"']);
  });
});

describe('diffManaged: ordered keyed lists', () => {
  const steps: DiffPolicy = { keyedLists: { '/params/steps': ['id'] }, ordered: ['/params/steps'] };
  const live = {
    params: {
      steps: [
        { id: 'build', type: 'build_flowitem', runConditionType: 'RUN_IF_STATUS_MATCH' },
        { id: 'check', type: 'check_dataset' },
      ],
    },
  };

  it('reports a reorder of the declared items as one change on the list, with the key orders', () => {
    const changes = diffManaged({ params: { steps: [{ id: 'check' }, { id: 'build' }] } }, live, steps);
    expect(changes).toEqual([
      {
        pointer: '/params/steps',
        path: 'params.steps',
        kind: 'modify',
        before: ['build', 'check'],
        after: ['check', 'build'],
        sensitive: false,
        reorder: true,
      },
    ]);
  });

  it('reports no change when the orders agree, or when the list is not ordered', () => {
    expect(diffManaged({ params: { steps: [{ id: 'build' }, { id: 'check' }] } }, live, steps)).toEqual([]);
    const reordered = { params: { steps: [{ id: 'check' }, { id: 'build' }] } };
    expect(diffManaged(reordered, live, { keyedLists: steps.keyedLists ?? {} })).toEqual([]);
  });

  it('compares the relative order of the declared items only: undeclared live items and new items do not count', () => {
    const withExtra = { params: { steps: [{ id: 'build' }, { id: 'manual' }, { id: 'check' }] } };
    expect(diffManaged({ params: { steps: [{ id: 'build' }, { id: 'check' }] } }, withExtra, steps)).toEqual([]);
    expect(lines(diffManaged({ params: { steps: [{ id: 'build' }, { id: 'new' }, { id: 'check' }] } }, live, steps))).toEqual([
      'add params.steps[id=new] undefined {"id":"new"}',
    ]);
  });

  it('reports the reorder next to the item changes, first, and removals under exact', () => {
    const desired = { params: { steps: [{ id: 'check', name: 'Check' }, { id: 'build' }] } };
    const withExtra = { params: { steps: [...live.params.steps, { id: 'manual' }] } };
    const changes = diffManaged(desired, withExtra, { ...steps, exact: ['/params/steps'] });
    expect(lines(changes)).toEqual([
      'modify params.steps ["build","check"] ["check","build"]',
      'add params.steps[id=check].name undefined "Check"',
      'remove params.steps[id=manual] {"id":"manual"} undefined',
    ]);
  });

  it('names items by their label when the list has several key fields', () => {
    const policy: DiffPolicy = { keyedLists: { '/permissions': ['group', 'user'] }, ordered: ['/permissions'] };
    const changes = diffManaged(
      { permissions: [{ user: 'alice' }, { group: 'analysts' }] },
      { permissions: [{ group: 'analysts' }, { user: 'alice' }] },
      policy,
    );
    expect(changes.map((c) => [c.before, c.after])).toEqual([[['group=analysts', 'user=alice'], ['user=alice', 'group=analysts']]]);
  });

  it('masks the order of a sensitive list', () => {
    const changes = diffManaged({ params: { steps: [{ id: 'check' }, { id: 'build' }] } }, live, { ...steps, sensitive: ['/params'] });
    expect(changes).toMatchObject([{ reorder: true, sensitive: true, before: '(sensitive value)', after: '(sensitive value)' }]);
  });
});

describe('diffManaged: sets and plain lists', () => {
  it('compares sets without regard to order and reports each added or removed item at the set path', () => {
    const policy: DiffPolicy = { sets: ['/tags'], exact: ['/tags'] };
    expect(diffManaged({ tags: ['b', 'a'] }, { tags: ['a', 'b'] }, policy)).toEqual([]);
    expect(lines(diffManaged({ tags: ['gold', 'a'] }, { tags: ['a', 'old'] }, policy))).toEqual([
      'remove tags "old" undefined',
      'add tags undefined "gold"',
    ]);
  });

  it('keeps extra live set items when the set is not exact', () => {
    expect(diffManaged({ tags: ['a'] }, { tags: ['b', 'a'] }, { sets: ['/tags'] })).toEqual([]);
  });

  it('compares plain lists position by position, merging objects, and whole when lengths differ', () => {
    expect(diffManaged({ l: [{ a: 1 }] }, { l: [{ a: 1, extra: 2 }] }, none)).toEqual([]);
    expect(lines(diffManaged({ l: [1, 2] }, { l: [1, 3] }, none))).toEqual(['modify l[1] 3 2']);
    expect(lines(diffManaged({ l: [1, 2] }, { l: [1] }, none))).toEqual(['modify l [1] [1,2]']);
  });
});

describe('diffManaged: normalization', () => {
  it('uses DSS defaults: absence on one side equals the default on the other', () => {
    const policy: DiffPolicy = { defaults: { '/triggers/*/active': true, '/tags': [] }, exact: [''] };
    expect(diffManaged({ triggers: [{ active: true }] }, { triggers: [{}] }, policy)).toEqual([]);
    expect(diffManaged({ triggers: [{}] }, { triggers: [{ active: true }] }, policy)).toEqual([]);
    expect(diffManaged({}, { tags: [] }, policy)).toEqual([]);
    expect(lines(diffManaged({ triggers: [{ active: false }] }, { triggers: [{}] }, policy))).toEqual([
      'modify triggers[0].active true false',
    ]);
  });

  it('compares scalars by their string form under stringified pointers only', () => {
    const policy: DiffPolicy = { stringified: ['/params'] };
    expect(diffManaged({ params: { n: 10, on: true } }, { params: { n: '10', on: 'true' } }, policy)).toEqual([]);
    expect(lines(diffManaged({ other: 10 }, { other: '10' }, policy))).toEqual(['modify other "10" 10']);
  });

  it('never compares ignored pointers, from the policy or from the options, with wildcards', () => {
    const policy: DiffPolicy = { ignore: ['/versionTag'], keyedLists: { '/triggers': ['id'] }, exact: [''] };
    const changes = diffManaged(
      { versionTag: 1, triggers: [{ id: 'd', lastRun: 'x', delay: 5 }] },
      { versionTag: 2, triggers: [{ id: 'd', lastRun: 'y', delay: 5 }], creationTag: {} },
      policy,
      { ignorePointers: ['/triggers/*/lastRun', '/creationTag'] },
    );
    expect(changes).toEqual([]);
  });

  it('compares each policy by its own rules, however many equal or near-equal policies came before it', () => {
    // Policies are compiled once per distinct content: one that differs in a single list, in the ignore pointers
    // the options add, or in the values of its defaults must not be served another's compiled form.
    const desired = { a: 'new', b: 1 };
    const live = { a: 'old', b: 1, c: 2 };
    const plain: DiffPolicy = { exact: [''] };
    expect(lines(diffManaged(desired, live, plain))).toEqual(['modify a "old" "new"', 'remove c 2 undefined']);
    expect(lines(diffManaged(desired, live, { exact: [''], sensitive: ['/a'] }))).toEqual([
      'modify a "(sensitive value)" "(sensitive value)"',
      'remove c 2 undefined',
    ]);
    expect(lines(diffManaged(desired, live, { exact: [''] }, { ignorePointers: ['/c'] }))).toEqual(['modify a "old" "new"']);
    expect(lines(diffManaged(desired, live, { exact: [''], defaults: { '/c': 2 } }))).toEqual(['modify a "old" "new"']);
    expect(lines(diffManaged(desired, live, { exact: [''], defaults: { '/c': 3 } }))).toEqual(['modify a "old" "new"', 'remove c 2 undefined']);
    expect(lines(diffManaged(desired, live, plain))).toEqual(['modify a "old" "new"', 'remove c 2 undefined']);
  });

  it('gives each change the readable path of its own place, in sets, keyed items and exact blocks', () => {
    const policy: DiffPolicy = { keyedLists: { '/steps': ['id'] }, exact: ['/steps/*', '/vars'], sets: ['/tags'] };
    const changes = diffManaged(
      { steps: [{ id: 'one', params: { n: 2 } }], tags: ['b'], vars: { 'odd key': 1 } },
      { steps: [{ id: 'one', params: { n: 1 }, extra: true }], tags: ['a'], vars: { 'odd key': 0, gone: 1 } },
      policy,
    );
    expect(changes.map((c) => `${c.kind} ${c.path} ${c.pointer}`)).toEqual([
      'remove steps[id=one].extra /steps/0/extra',
      'modify steps[id=one].params.n /steps/0/params/n',
      'add tags /tags/0',
      'remove vars.gone /vars/gone',
      'modify vars["odd key"] /vars/odd key',
    ]);
  });

  it('sorts changes by pointer, indices numerically', () => {
    const desired = { b: 1, a: Array.from({ length: 12 }, (_, i) => i), c: { z: 1, y: 1 } };
    const live = { b: 2, a: Array.from({ length: 12 }, () => -1), c: { z: 0, y: 0 } };
    const paths = diffManaged(desired, live, none).map((c) => c.path);
    expect(paths).toEqual([...Array.from({ length: 12 }, (_, i) => `a[${i}]`), 'b', 'c.y', 'c.z']);
  });

  it('does not modify the objects it is given and returns copies of values', () => {
    const desired = { a: { b: [1, 2] }, tags: ['x'] };
    const live = { a: { b: [1] }, tags: ['y'] };
    const before = structuredClone({ desired, live });
    const changes = diffManaged(desired, live, { sets: ['/tags'], exact: ['/tags'] });
    expect({ desired, live }).toEqual(before);
    (changes[0]?.after as number[]).push(99);
    expect(desired.a.b).toEqual([1, 2]);
  });
});

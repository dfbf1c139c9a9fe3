import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/lock-options.js';
import { currentProcess, describeLock, holderOf, isAbandoned, isExpired, parseLock, printable, processAlive } from '../../src/lock/lock-info.js';
import { SecretRegistry, withRunSecrets } from '../../src/base/secrets.js';
import { nodesWritten } from '../../src/lock/written-nodes.js';
import type { Plan, PlannedUnit } from '../../src/reconciler/types.js';

const info = {
  id: 'abcdefgh12345678',
  holder: 'alice@laptop',
  reason: 'apply from git:github.com/team/dss#manifests',
  createdAt: '2026-12-04T23:00:00.000Z',
  expiresAt: '2026-12-04T23:15:00.000Z',
};

describe('parseLock', () => {
  it('reads a held lock, a free one with its generation, and an absent one as free at generation 0', () => {
    expect(parseLock({ ...info, generation: 3 })).toEqual({ kind: 'held', info, generation: 3 });
    expect(parseLock({ generation: 4 })).toEqual({ kind: 'free', generation: 4 });
    expect(parseLock(undefined)).toEqual({ kind: 'free', generation: 0 });
  });

  it.each([
    ['a string', 'locked'],
    ['an array', [info]],
    ['no generation', info],
    ['a negative generation', { ...info, generation: -1 }],
    ['a holder that is not a string', { ...info, holder: 7, generation: 1 }],
    ['an id that is not an id', { ...info, id: 'x y', generation: 1 }],
    ['an expiry that is not a date', { ...info, expiresAt: 'soon', generation: 1 }],
  ])('says a value with %s is unreadable', (_what, value) => {
    expect(parseLock(value)).toEqual({ kind: 'unreadable' });
  });

  it('cleans what it prints of control characters and bounds its length', () => {
    const parsed = parseLock({ ...info, holder: 'eve\u001b[2J@host', reason: 'r'.repeat(400), generation: 1 });
    expect(parsed.kind === 'held' && parsed.info.holder).toBe('eve?[2J@host');
    expect(parsed.kind === 'held' && parsed.info.reason.length).toBe(301);
  });

  it('tells expiry and describes the lock with holder, reason, since and until', () => {
    expect(isExpired(info, Date.parse('2026-12-04T23:14:59.000Z'))).toBe(false);
    expect(isExpired(info, Date.parse('2026-12-04T23:15:00.000Z'))).toBe(true);
    expect(describeLock(info)).toBe(
      'alice@laptop (apply from git:github.com/team/dss#manifests) since 2026-12-04T23:00:00.000Z, until 2026-12-04T23:15:00.000Z',
    );
  });
});

describe('the process that holds a lock', () => {
  const self = { host: 'runner-1', bootId: '6b1f0c52-8a43-4cf0-9d36-0d2a3f1e7b11', pidNamespace: 'pid:[4026531836]', pid: 100 };
  const heldBy = (process: typeof self) => ({ ...info, process });
  const gone = (): boolean => false;
  const running = (): boolean => true;

  it('is read back with the lock, and ignored when it is not a process', () => {
    const process = { host: 'runner-1', bootId: 'b', pidNamespace: 'pid:[1]', pid: 42 };
    expect(parseLock({ ...info, process, generation: 1 })).toEqual({ kind: 'held', info: { ...info, process }, generation: 1 });
    expect(parseLock({ ...info, process: { host: 'x', pid: -1 }, generation: 1 })).toEqual({ kind: 'held', info, generation: 1 });
  });

  it('abandons a lock only when its process ran on this machine since its boot, in this pid namespace, and is gone', () => {
    expect(isAbandoned(heldBy({ ...self, pid: 200 }), self, gone)).toBe(true);
    expect(isAbandoned(heldBy({ ...self, pid: 200 }), self, running)).toBe(false);
    expect(isAbandoned(heldBy({ ...self, host: 'runner-2', pid: 200 }), self, gone)).toBe(false);
    expect(isAbandoned(heldBy({ ...self, pidNamespace: 'pid:[4026532000]', pid: 200 }), self, gone)).toBe(false);
    // Another machine with the same host name: the root pid namespace has the same number everywhere, the boot id not.
    expect(isAbandoned(heldBy({ ...self, bootId: '0d9e4b7a-1c2f-4e55-8a61-3f4b5c6d7e8f', pid: 200 }), self, gone)).toBe(false);
    expect(isAbandoned(heldBy(self), self, gone)).toBe(false);
    expect(isAbandoned(info, self, gone)).toBe(false);
    expect(isAbandoned(heldBy({ ...self, pid: 200 }), undefined, gone)).toBe(false);
  });

  it('tells a running pid from a gone one on this machine', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
    if (process.platform === 'linux') {
      expect(currentProcess()).toMatchObject({ pid: process.pid, bootId: expect.stringMatching(/^[0-9a-f-]{36}$/), pidNamespace: expect.stringMatching(/^pid:\[\d+\]$/) });
    }
  });
});

describe('holderOf', () => {
  it('names the CI job when the environment says so, else user@host', () => {
    expect(holderOf({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'team/dss', GITHUB_RUN_ID: '9', GITHUB_ACTOR: 'bob' }, 'h', 'u')).toBe(
      'github-actions:team/dss run 9 (bob)',
    );
    expect(holderOf({ GITLAB_CI: 'true', CI_PROJECT_PATH: 'team/dss', CI_JOB_ID: '5' }, 'h', 'u')).toBe('gitlab-ci:team/dss job 5');
    expect(holderOf({ CI: 'true' }, 'runner-1', 'build')).toBe('ci:build@runner-1');
    expect(holderOf({ CI: 'false' }, 'laptop', 'alice')).toBe('alice@laptop');
    expect(holderOf({}, 'laptop', 'alice')).toBe('alice@laptop');
  });
});

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    ['2', 2_000],
    ['1.5s', 1_500],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text, '--lock-timeout')).toBe(ms);
  });

  it.each(['', 'soon', '-1s', '5 minutes', '1d'])('refuses %j, naming the flag', (text) => {
    expect(() => parseDuration(text, '--lock-timeout')).toThrow(/--lock-timeout takes a duration/);
  });
});

describe('nodesWritten', () => {
  const unit = (kind: string, action: PlannedUnit['action']): PlannedUnit =>
    ({ unit: { kind, address: `${kind}/x` }, action }) as unknown as PlannedUnit;
  const nodeOf = (kind: string) => (kind === 'Deployment' ? ('deployer' as const) : ('design' as const));
  const plan = (over: Partial<Plan>): Plan => ({ report: {} as Plan['report'], units: [], deletions: [], records: [], ...over });

  it('lists the nodes of the objects written, deleted, and of changed records', () => {
    expect(nodesWritten(plan({ units: [unit('Scenario', 'no-op'), unit('Deployment', 'no-op')] }), nodeOf)).toEqual([]);
    expect(nodesWritten(plan({ units: [unit('Deployment', 'update')] }), nodeOf)).toEqual(['deployer']);
    expect(nodesWritten(plan({ units: [unit('Deployment', 'update'), unit('Scenario', 'create')] }), nodeOf)).toEqual(['design', 'deployer']);
    expect(
      nodesWritten(plan({ deletions: [{ address: 'Scenario/A/B', kind: 'Scenario', node: 'design', projectKey: 'A', wholeProject: false }] }), nodeOf),
    ).toEqual(['design']);
    const record = { version: 1 as const, source: 's', inventory: {} };
    expect(nodesWritten(plan({ records: [{ projectKey: 'A', before: record, after: { ...record } }] }), nodeOf)).toEqual([]);
    expect(nodesWritten(plan({ records: [{ projectKey: 'A', before: undefined, after: record }] }), nodeOf)).toEqual(['design']);
  });
});

describe('printable', () => {
  it('redacts the run secrets while the text is whole, before cutting it', async () => {
    const secret = 'Sup3rS3cretLockValue';
    const text = `${'h'.repeat(295)}${secret}`;
    const shown = await withRunSecrets(new SecretRegistry([secret]), () => Promise.resolve(printable(text)));
    expect(shown).not.toContain(secret.slice(0, 5));
    expect(shown.startsWith('h'.repeat(295))).toBe(true);
    expect(printable('line\u001b[31m\nbreak')).toBe('line?[31m?break');
  });
});

describe('nodesWritten of instance records', () => {
  const plan = (over: Partial<Plan>): Plan => ({ report: {} as Plan['report'], units: [], deletions: [], records: [], ...over });

  it('locks the node that keeps a changed instance record, not the design node', () => {
    const record = { version: 1 as const, source: 's', inventory: {} };
    const nodeOf = () => 'design' as const;
    expect(nodesWritten(plan({ records: [{ projectKey: 'deployer', store: 'instance', before: undefined, after: record }] }), nodeOf)).toEqual(['deployer']);
    expect(nodesWritten(plan({ records: [{ projectKey: 'deployer', store: 'instance', before: record, after: { ...record } }] }), nodeOf)).toEqual([]);
  });
});

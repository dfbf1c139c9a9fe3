// The run lock against the simulator's instance variables: the settle-and-verify race between two runs, the
// generation that tells a run whether anyone took the lock since it looked, refresh, and release.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/types.js';
import { createDssClient } from '../../src/dss/client.js';
import type { DssClient } from '../../src/dss/types.js';
import { LOCK_VARIABLE } from '../../src/lock/lock-info.js';
import { LockHeldError } from '../../src/lock/node-lock.js';
import { RunLock, withRunLock, type RunLockOptions } from '../../src/lock/run-lock.js';
import type { Logger } from '../../src/base/logger.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

let sim: TestSimulator;
let client: DssClient;
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function options(warnings: string[] = [], over: Partial<RunLockOptions> = {}): RunLockOptions {
  return {
    holder: 'tester@host',
    reason: 'apply from test',
    timeoutMs: 0,
    ttlMs: 60_000,
    settleMs: 50,
    clock: { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), warn: (m) => void warnings.push(m) },
    ...over,
  };
}

const stored = async (): Promise<Record<string, unknown> | undefined> =>
  (await sim.ok<Record<string, Record<string, unknown>>>('GET', '/admin/variables/'))[LOCK_VARIABLE];

beforeEach(async () => {
  sim = await startTestSimulator();
  client = createDssClient({ url: sim.url, apiKey: sim.adminKey, insecure: false }, { nodeName: 'design', defaults: DEFAULTS, logger: quiet });
  await sim.ok('PUT', '/admin/variables/', { keep: 'me' });
});

afterEach(async () => {
  await client.close();
  await sim.close();
});

describe('RunLock', () => {
  it('lets exactly one of two runs that take the lock at the same moment go on', async () => {
    const a = new RunLock(options());
    const b = new RunLock(options());
    const results = await Promise.allSettled([a.acquire([client]), b.acquire([client])]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(LockHeldError);
    const winner = results[0]?.status === 'fulfilled' ? a : b;
    expect(await stored()).toMatchObject({ id: winner.id, holder: 'tester@host', generation: 1 });
    await a.release();
    await b.release();
    expect(await sim.ok('GET', '/admin/variables/')).toEqual({ keep: 'me', [LOCK_VARIABLE]: { generation: 1 } });
  });

  it('is undisturbed when nobody took the lock between observe and acquire, and disturbed when someone did', async () => {
    const calm = new RunLock(options());
    await calm.observe([client]);
    await withRunLock(calm, [client], () => Promise.resolve());
    expect(calm.undisturbed).toBe(true);

    const late = new RunLock(options());
    await late.observe([client]);
    // Another run comes and goes in between.
    const other = new RunLock(options());
    await withRunLock(other, [client], () => Promise.resolve());
    await withRunLock(late, [client], () => Promise.resolve());
    expect(late.undisturbed).toBe(false);
    expect(await stored()).toEqual({ generation: 3 });
  });

  it('waits for a held lock up to the timeout, and gets it once released', async () => {
    const first = new RunLock(options());
    await first.acquire([client]);
    const second = new RunLock(options([], { timeoutMs: 10_000 }));
    const waiting = second.acquire([client]);
    await new Promise((r) => setTimeout(r, 300));
    await first.release();
    await waiting;
    expect(await stored()).toMatchObject({ id: second.id });
    await second.release();
  });

  it('refreshes its expiry while it is held, and warns when it finds the lock taken from it', async () => {
    const warnings: string[] = [];
    const lock = new RunLock(options(warnings, { ttlMs: 300 }));
    await lock.acquire([client]);
    const firstExpiry = Date.parse((await stored())?.expiresAt as string);
    await new Promise((r) => setTimeout(r, 250));
    expect(Date.parse((await stored())?.expiresAt as string)).toBeGreaterThan(firstExpiry);
    // Broken by force-unlock meanwhile.
    await sim.ok('PUT', '/admin/variables/', { keep: 'me', [LOCK_VARIABLE]: { generation: 1 } });
    await new Promise((r) => setTimeout(r, 250));
    expect(warnings.some((w) => w.includes(`the run lock ${lock.id} on node design is no longer this run's`))).toBe(true);
    await lock.release();
    expect(warnings.some((w) => w.includes('was not this run\'s any more when it ended (it is free)'))).toBe(true);
    expect(await sim.ok('GET', '/admin/variables/')).toEqual({ keep: 'me', [LOCK_VARIABLE]: { generation: 1 } });
  });
});

// The instance variables written while the run lock, kept among them, is refreshed on its timer: both are
// GET-modify-PUTs of the same DSS object with no compare-and-swap, and neither may undo the other.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { acquireNodeLock, refreshNodeLock, VARIABLES_PATH } from '../../src/lock/node-lock.js';
import { LOCK_VARIABLE, type LockInfo } from '../../src/lock/lock-info.js';
import { INSTANCE_VARIABLES_PATH, instanceVariablesKind } from '../../src/resources/instance-variables/kind.js';
import { docOf, startKindHarness, type KindHarness } from './kind-harness.js';

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
});
afterAll(() => h.close());

const clock = { now: () => Date.now(), sleep: () => Promise.resolve(), warn: () => {} };

it('keeps both the declared variables and the refreshed lock when a refresh overlaps the write', async () => {
  expect(INSTANCE_VARIABLES_PATH).toBe(VARIABLES_PATH);
  await h.sim.ok('PUT', '/admin/variables/', { old: 1 });
  const lock: LockInfo = { id: 'this-run', holder: 'ci', reason: 'apply', createdAt: new Date().toISOString(), expiresAt: '2030-01-01T00:00:00.000Z' };
  await acquireNodeLock(h.client, lock, { timeoutMs: 0, settleMs: 0 }, clock);

  const [unit] = instanceVariablesKind.units(docOf('InstanceVariables', 'instance', { variables: { env: 'prod' } }));
  const ctx = h.run();
  const live = await instanceVariablesKind.read(ctx, unit!);
  // Slow answers: without queueing, both GETs are answered before either PUT lands, and the later PUT wins.
  await h.sim.control('PUT', '/latency', { latencyMs: 150 });
  try {
    const refreshed = { ...lock, expiresAt: '2031-01-01T00:00:00.000Z' };
    await Promise.all([instanceVariablesKind.update(ctx, unit!, live!), refreshNodeLock(h.client, refreshed)]);
  } finally {
    await h.sim.control('PUT', '/latency', { latencyMs: 0 });
  }
  const after = await h.sim.ok<Record<string, unknown>>('GET', '/admin/variables/');
  expect(after.env).toBe('prod');
  expect(after.old).toBeUndefined();
  expect(after[LOCK_VARIABLE]).toMatchObject({ id: 'this-run', expiresAt: '2031-01-01T00:00:00.000Z' });
});

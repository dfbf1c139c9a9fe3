// The rollback of a failed deployment rollout without a server: every rollout field of the settings before the
// apply is put back by GET-modify-PUT (fields the tool does not manage are kept), and the report says what was
// observed afterwards, never HEALTHY unless the status said so.

import { describe, expect, it } from 'vitest';
import type { DssClient } from '../../src/dss/types.js';
import { restoredSettings, rollbackReport, rollOut, type RolloutPolicy } from '../../src/resources/deployment/rollout.js';
import type { KindContext } from '../../src/resources/types.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const previous = {
  id: 'd',
  bundleId: 'v1',
  localVariables: { env: 'prod' },
  scenariosToActivate: { DAILY: true },
  tags: ['team'],
  versionTag: { versionNumber: 3 },
};
const applied = {
  ...previous,
  bundleId: 'v2',
  localVariables: { env: 'prod', extra: 1 },
  scenariosToActivate: { DAILY: false },
  bundleContainerSettings: { remappedCodeEnvs: {} },
  tags: ['team', 'new'],
  somethingElse: 'set in DSS meanwhile',
  versionTag: { versionNumber: 4 },
};

describe('restoredSettings', () => {
  it('lays every previous rollout field back, removes the ones that were absent, and keeps all other fields', () => {
    const { body, restored } = restoredSettings(applied, previous);
    expect(restored).toEqual(['bundleId', 'localVariables', 'scenariosToActivate', 'bundleContainerSettings']);
    expect(body).toEqual({
      id: 'd',
      bundleId: 'v1',
      localVariables: { env: 'prod' },
      scenariosToActivate: { DAILY: true },
      tags: ['team', 'new'],
      somethingElse: 'set in DSS meanwhile',
      versionTag: { versionNumber: 4 },
    });
  });

  it('restores a change of local variables alone, though the bundle is the same', () => {
    const { body, restored } = restoredSettings({ ...previous, localVariables: { env: 'prod-2' } }, previous);
    expect(restored).toEqual(['localVariables']);
    expect(body.localVariables).toEqual({ env: 'prod' });
  });
});

describe('rollbackReport', () => {
  const target = 'the settings before this apply (bundle v1; restored: bundleId)';
  it('quotes the observed health and its messages', () => {
    expect(rollbackReport(target, { ok: true, health: 'HEALTHY', messages: 'Bundle v1 is active' })).toBe(
      `rolled back to ${target}: health HEALTHY: Bundle v1 is active`,
    );
    expect(rollbackReport(target, { ok: true, detail: 'WARNING: scenario late', health: 'WARNING', messages: 'scenario late' })).toBe(
      `rolled back to ${target}: health WARNING: scenario late`,
    );
  });

  it('says the health was not checked without waitForHealthy', () => {
    const text = rollbackReport(target, { ok: true });
    expect(text).toContain('health not checked (rollout.waitForHealthy is false)');
    expect(text).not.toContain('HEALTHY');
  });

  it('says the rollback failed too, with why', () => {
    expect(rollbackReport(target, { ok: false, detail: 'ERROR: activation refused' })).toBe(`rollback to ${target} failed too: ERROR: activation refused`);
  });
});

describe('rollOut with rollbackOnFailure', () => {
  const failedResult = [{ activateReport: { error: true, messages: [{ message: 'code env missing' }] } }];
  const fine = [{ activateReport: { error: false, messages: [] } }];

  function fake(health: string) {
    const puts: Record<string, unknown>[] = [];
    let current: Record<string, unknown> = structuredClone(applied);
    let updates = 0;
    const client = {
      getJson: (path: string) =>
        Promise.resolve(path.endsWith('/status') ? { health, healthMessages: [{ message: `status says ${health}` }] } : structuredClone(current)),
      putJson: (_path: string, body: Record<string, unknown>) => {
        puts.push(body);
        current = structuredClone(body);
        return Promise.resolve(body);
      },
      // The first update (the apply's) fails; the rollback's succeeds.
      postJson: () => Promise.resolve({ hasResult: true, result: updates++ === 0 ? failedResult : fine }),
    } as unknown as DssClient;
    const ctx: KindContext = { client, clients: { design: client, deployer: client }, log: quiet };
    return { ctx, puts };
  }
  const request = (policy: RolloutPolicy) => ({
    address: 'Deployment/d',
    id: 'd',
    bundleId: 'v2',
    infraId: 'prod',
    previous: { settings: previous },
    policy,
  });

  it('puts the previous settings back and, without a health check, does not claim HEALTHY', async () => {
    const { ctx, puts } = fake('HEALTHY');
    const error = await rollOut(ctx, request({ waitForHealthy: false, timeoutSeconds: 5, rollbackOnFailure: true })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ROLLOUT_FAILED' });
    const message = (error as Error).message;
    expect(message).toContain('rollout of bundle v2 on infra prod failed: activateReport: code env missing');
    expect(message).toContain('rolled back to the settings before this apply (bundle v1; restored: bundleId, localVariables, scenariosToActivate, bundleContainerSettings)');
    expect(message).toContain('health not checked');
    expect(message).not.toContain('HEALTHY');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ bundleId: 'v1', localVariables: { env: 'prod' }, somethingElse: 'set in DSS meanwhile' });
  });

  it('reports nothing to roll back to when the previous settings are unavailable', async () => {
    const { ctx, puts } = fake('HEALTHY');
    const req = { ...request({ waitForHealthy: false, timeoutSeconds: 5, rollbackOnFailure: true }), previous: { unavailable: 'the deployment was created by this apply' } };
    await expect(rollOut(ctx, req)).rejects.toThrow(/failed: .*; no rollback: the deployment was created by this apply$/);
    expect(puts).toEqual([]);
  });
});

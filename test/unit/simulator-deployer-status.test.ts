import { describe, expect, it } from 'vitest';
import { deploymentHealth, type StatusInput } from '../../src/simulator/deployer/status.js';

const base: StatusInput = {
  deploymentId: 'churn-test',
  infraId: 'test',
  deployedProjectKey: 'CHURN',
  settingsBundleId: 'v1',
};

const done = (bundleId: string, outcome: 'SUCCESS' | 'FAILED' | 'ABORTED' | 'RUNNING', message?: string) => ({
  jobId: 'j',
  bundleId,
  startedOn: 1,
  outcome,
  ...(message === undefined ? {} : { message }),
});

describe('deployment health', () => {
  it('is UNKNOWN before the first update', () => {
    const s = deploymentHealth(base);
    expect(s.health).toBe('UNKNOWN');
    expect(s.healthMessages[0]?.message).toMatch(/never been updated/);
  });

  it('stays UNKNOWN while the first update runs, and says so', () => {
    const s = deploymentHealth({ ...base, lastUpdate: done('v1', 'RUNNING') });
    expect(s.health).toBe('UNKNOWN');
    expect(s.healthMessages.map((m) => m.code)).toEqual(['NEVER_DEPLOYED', 'UPDATE_RUNNING']);
  });

  it('is HEALTHY when the node runs the bundle the settings name', () => {
    const s = deploymentHealth({
      ...base,
      deployedBundleId: 'v1',
      lastUpdate: done('v1', 'SUCCESS'),
      node: { reachable: true, projectExists: true, activeBundleId: 'v1' },
    });
    expect(s).toEqual({
      health: 'HEALTHY',
      healthMessages: [{ severity: 'INFO', code: 'IN_SYNC', message: 'Bundle v1 is active in project CHURN on infra test' }],
    });
  });

  it('is OUT_OF_SYNC when the settings name another bundle than the deployed one', () => {
    const s = deploymentHealth({
      ...base,
      settingsBundleId: 'v2',
      deployedBundleId: 'v1',
      lastUpdate: done('v1', 'SUCCESS'),
      node: { reachable: true, projectExists: true, activeBundleId: 'v1' },
    });
    expect(s.health).toBe('OUT_OF_SYNC');
    expect(s.healthMessages[0]?.message).toMatch(/settings name bundle v2 but bundle v1 is deployed/);
  });

  it('is OUT_OF_SYNC when someone activated another bundle on the node', () => {
    const s = deploymentHealth({
      ...base,
      deployedBundleId: 'v1',
      lastUpdate: done('v1', 'SUCCESS'),
      node: { reachable: true, projectExists: true, activeBundleId: 'v0' },
    });
    expect(s.health).toBe('OUT_OF_SYNC');
    expect(s.healthMessages[0]?.code).toBe('NODE_DIVERGED');
  });

  it('is ERROR after a failed update, with the failure and what is still deployed', () => {
    const s = deploymentHealth({
      ...base,
      settingsBundleId: 'v3',
      deployedBundleId: 'v2',
      lastUpdate: done('v3', 'FAILED', 'activation refused'),
      node: { reachable: true, projectExists: true, activeBundleId: 'v2' },
    });
    expect(s.health).toBe('ERROR');
    expect(s.healthMessages[0]?.message).toBe(
      'The last update to bundle v3 failed: activation refused (bundle v2 is still the last deployed one)',
    );
  });

  it('is ERROR when the node cannot be queried or lost the project', () => {
    const deployed = { ...base, deployedBundleId: 'v1', lastUpdate: done('v1', 'SUCCESS') };
    expect(deploymentHealth({ ...deployed, node: { reachable: false, message: 'ECONNREFUSED' } }).health).toBe('ERROR');
    const missing = deploymentHealth({ ...deployed, node: { reachable: true, projectExists: false } });
    expect(missing.health).toBe('ERROR');
    expect(missing.healthMessages[0]?.code).toBe('PROJECT_MISSING');
  });
});

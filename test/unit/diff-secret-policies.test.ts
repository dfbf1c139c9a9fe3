// The kinds whose maps hold free variable names opt in to secret-named keys: Project variables (standard and
// local) and Deployment localVariables. A secret set in DSS under such a name never prints when a plan removes it.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { SENSITIVE_MASK } from '../../src/diff/types.js';
import { deploymentKind } from '../../src/resources/deployment/kind.js';
import { PROJECT_BLOCKS } from '../../src/resources/project/blocks.js';
import { scenarioPolicy } from '../../src/resources/scenario/kind.js';
import { doc } from './reconciler-fakes.js';

describe('kinds that opt in to secret-named keys', () => {
  it('Project variables mask standard and local secrets DSS holds and the manifest lacks', () => {
    const block = PROJECT_BLOCKS.find((b) => b.block === 'variables')!;
    const policy = block.policy(doc('Project', 'CHURN', { variables: { standard: {} } }));
    const changes = diffManaged({ standard: {}, local: {} }, { standard: { snowflakePassword: 'Hunter2-REAL' }, local: { apiToken: 'tok-1234' } }, policy);
    expect(changes.map((c) => [c.path, c.kind, c.before, c.sensitive])).toEqual([
      ['local.apiToken', 'remove', SENSITIVE_MASK, true],
      ['standard.snowflakePassword', 'remove', SENSITIVE_MASK, true],
    ]);
  });

  it('Deployment localVariables mask them too', () => {
    const spec = { publishedProjectKey: 'CHURN', infraId: 'prod', bundleId: 'v1', localVariables: { environment: 'prod' } };
    const [unit] = deploymentKind.units(doc('Deployment', 'churn-prod', spec));
    const changes = diffManaged({ localVariables: { environment: 'prod' } }, { localVariables: { environment: 'prod', DB_PASSWORD: 'Hunter2-REAL' } }, unit!.policy);
    expect(changes).toEqual([expect.objectContaining({ path: 'localVariables.DB_PASSWORD', kind: 'remove', before: SENSITIVE_MASK, sensitive: true })]);
  });
});

describe('Scenario opts in to secret-named keys in params, triggers and reporters', () => {
  it('masks a reporter token when the manifest removes the reporter', () => {
    const policy = scenarioPolicy(doc('Scenario', 'DAILY', { reporters: [] }));
    const slack = { id: 'slack', messaging: { type: 'slack', configuration: { authToken: 'xoxb-SUPERSECRET-123', channel: '#ops' } } };
    const changes = diffManaged({ reporters: [] }, { reporters: [slack] }, policy);
    expect(changes).toHaveLength(1);
    expect(JSON.stringify(changes)).not.toContain('SUPERSECRET');
    expect(changes[0]?.before).toEqual({ ...slack, messaging: { type: 'slack', configuration: { authToken: SENSITIVE_MASK, channel: '#ops' } } });
  });

  it('masks trigger and step params holding a secret, and shows the identifiers beside them', () => {
    const policy = scenarioPolicy(doc('Scenario', 'DAILY', {}));
    const live = {
      triggers: [{ id: 't', params: { apiKey: 'live-KEY-1', projectKey: 'CHURN' } }],
      params: { steps: [{ id: 's', params: { db: { password: 'pw-LIVE' }, partitionKey: '2026-01' } }] },
    };
    const desired = {
      triggers: [{ id: 't', params: { apiKey: 'new-KEY-2', projectKey: 'CHURN2' } }],
      params: { steps: [{ id: 's', params: { db: { password: 'pw-NEW' }, partitionKey: '2026-02' } }] },
    };
    const changes = diffManaged(desired, live, policy);
    expect(JSON.stringify(changes)).not.toMatch(/KEY-1|KEY-2|pw-LIVE|pw-NEW/);
    expect(changes.find((c) => c.path.endsWith('partitionKey'))).toMatchObject({ before: '2026-01', after: '2026-02', sensitive: false });
    expect(changes.find((c) => c.path.endsWith('projectKey'))).toMatchObject({ before: 'CHURN', after: 'CHURN2', sensitive: false });
  });
});

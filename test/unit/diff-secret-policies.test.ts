// The kinds whose maps hold free variable names opt in to secret-named keys: Project variables (standard and
// local) and Deployment localVariables. A secret set in DSS under such a name never prints when a plan removes it.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { SENSITIVE_MASK } from '../../src/diff/types.js';
import { deploymentKind } from '../../src/resources/deployment.js';
import { PROJECT_BLOCKS } from '../../src/resources/project-blocks.js';
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

// The deployer kinds without a server: how documents split into units, the plan lines and refusals they give,
// the write-only infra key compared through its recorded hash, and the plan stopped by a kind's refusal.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import type { DssClient } from '../../src/dss/types.js';
import { planChanges } from '../../src/reconciler/plan.js';
import { graphOfUnits } from '../../src/reconciler/select.js';
import { bundleKind } from '../../src/resources/bundle/kind.js';
import { deploymentKind } from '../../src/resources/deployment/kind.js';
import { clearKey, keyHash, liveKeyView, matchesHash, withKeyHash } from '../../src/resources/infra/secret.js';
import { infraKind } from '../../src/resources/infra/kind.js';
import { projectKind } from '../../src/resources/project/kind.js';
import { scenarioKind } from '../../src/resources/scenario/kind.js';
import type { KindContext, LiveState } from '../../src/resources/types.js';
import { docOf } from './kind-docs.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('Bundle units', () => {
  it('is one unit without publish, two with it; the publication goes after a declared published project', () => {
    expect(bundleKind.units(docOf('Bundle', 'v1', {}, { project: 'CHURN' })).map((u) => u.address)).toEqual(['Bundle/CHURN/v1']);
    const [main, publication] = bundleKind.units(docOf('Bundle', 'v2', { publish: { publishedProjectKey: 'CHURN_PUB' } }, { project: 'CHURN' }));
    expect(main!.dependsOn).toEqual(['Project/CHURN']);
    expect(main!.orderAfterPrefixes).toEqual(['Project/CHURN#', 'Scenario/CHURN/']);
    expect(publication).toMatchObject({ address: 'Bundle/CHURN/v2#publication', block: 'publication', desired: { publishedProjectKey: 'CHURN_PUB' } });
    expect(publication!.orderAfter).toEqual(['PublishedProject/CHURN_PUB']);
  });

  it('refuses any change of an existing bundle, asking for a new id', () => {
    const [main] = bundleKind.units(docOf('Bundle', 'v1', { releaseNotes: 'new' }, { project: 'CHURN' }));
    const live: LiveState = { view: { releaseNotes: 'old' }, raw: {} };
    expect(bundleKind.validateChange?.(main!, live, [])).toEqual([
      'Bundle/CHURN/v1 already exists with other release notes; bundles are immutable: pick a new bundle id',
    ]);
  });
});

describe('the work graph', () => {
  it('writes a bundle after every block and scenario of its project in the run, and nothing else', () => {
    const units = [
      ...bundleKind.units(docOf('Bundle', 'v1', {}, { project: 'CHURN' })),
      ...scenarioKind.units(docOf('Scenario', 'DAILY', {}, { project: 'CHURN' })),
      ...scenarioKind.units(docOf('Scenario', 'DAILY', {}, { project: 'SALES' })),
      ...projectKind.units(docOf('Project', 'CHURN', { variables: { standard: {} } })),
    ];
    expect(graphOfUnits(units).dependenciesOf('Bundle/CHURN/v1').sort()).toEqual([
      'Project/CHURN',
      'Project/CHURN#variables',
      'Scenario/CHURN/DAILY',
    ]);
  });
});

describe('Deployment units', () => {
  const spec = { publishedProjectKey: 'CHURN', infraId: 'prod', bundleId: 'v12', localVariables: { env: 'prod' }, rollout: { rollbackOnFailure: true } };

  it('keeps rollout out of what is compared and sent, and goes after its infra, published project and bundle', () => {
    const [unit] = deploymentKind.units(docOf('Deployment', 'churn-prod', spec));
    expect(unit!.desired).not.toHaveProperty('rollout');
    expect(unit!.orderAfter).toEqual(['Infra/prod', 'PublishedProject/CHURN', 'Bundle/CHURN/v12', 'Bundle/CHURN/v12#publication']);
  });

  it('describes a bundle change as a rollout, and a change of local variables too', () => {
    const [unit] = deploymentKind.units(docOf('Deployment', 'churn-prod', spec));
    const describe = (view: Record<string, unknown>) => deploymentKind.describeUpdate?.(unit!, { view, raw: {} });
    expect(describe({ ...spec, bundleId: 'v11' })).toEqual(['bundle v11 → v12 (rollout on infra prod)']);
    expect(describe({ ...spec, localVariables: { env: 'test' } })).toEqual(['localVariables changed (rollout on infra prod)']);
    expect(describe({ ...spec, inSync: true })).toEqual([]);
    expect(describe({ ...spec, inSync: false })).toEqual(['bundle v12 is not in sync (rollout on infra prod)']);
  });
});

describe('Deployment refusals', () => {
  it('refuses a change of infra, published project or deployed project key of an existing deployment', () => {
    const [unit] = deploymentKind.units(docOf('Deployment', 'churn-prod', { publishedProjectKey: 'CHURN', infraId: 'prod', bundleId: 'v2' }));
    const live = (view: Record<string, unknown>): LiveState => ({ view, raw: {} });
    expect(deploymentKind.validateChange?.(unit!, live({ publishedProjectKey: 'CHURN', infraId: 'prod', bundleId: 'v1' }), [])).toEqual([]);
    expect(deploymentKind.validateChange?.(unit!, live({ publishedProjectKey: 'CHURN', infraId: 'test', bundleId: 'v2' }), [])).toEqual([
      'Deployment/churn-prod: the infraId of an existing deployment cannot be changed (test → prod); use a new deployment id',
    ]);
  });
});

describe('infra adminApiKey', () => {
  it('recognizes a key DSS returns in clear, not a mask', () => {
    expect(clearKey({ adminApiKey: 'k' })).toBe('k');
    expect(clearKey({ adminApiKey: '********' })).toBeUndefined();
    expect(clearKey({})).toBeUndefined();
  });

  it('compares a write-only key through the salted hash recorded beside it', () => {
    const hash = keyHash('secret-key');
    expect(hash).not.toContain('secret-key');
    expect(matchesHash(hash, 'secret-key')).toBe(true);
    expect(matchesHash(hash, 'other-key')).toBe(false);
    expect(keyHash('secret-key')).not.toBe(hash);
    const recorded = withKeyHash({ stage: 'Test' }, 'secret-key');
    expect(liveKeyView(recorded, 'secret-key')).toBe('secret-key');
    expect(liveKeyView(recorded, 'rotated')).toBeUndefined();
    expect(liveKeyView({ adminApiKey: '' }, 'secret-key')).toBeUndefined();
  });

  function infraFake(store: Record<string, unknown>) {
    const puts: unknown[] = [];
    const warnings: string[] = [];
    const client = {
      getOrAbsent: () => Promise.resolve(structuredClone(store)),
      // The write reads the settings again right before it.
      getJson: () => Promise.resolve(structuredClone(store)),
      putJson: (_path: string, body: unknown) => {
        puts.push(body);
        return Promise.resolve(body);
      },
    } as unknown as DssClient;
    const log = { ...quiet, warn: (_o: object, msg?: string) => warnings.push(msg ?? '') };
    const ctx: KindContext = { client, clients: { design: client, deployer: client }, log };
    return { ctx, puts, warnings };
  }
  const unrecorded = { stage: 'Test', adminApiKey: '', versionTag: { lastModifiedBy: { login: 'ops' }, lastModifiedOn: 0 } };

  it('reports a write-only key with no recorded hash as not comparable, and plans no change for it', async () => {
    const { ctx, warnings } = infraFake(unrecorded);
    const [unit] = infraKind.units(docOf('Infra', 'test', { stage: 'Test', adminApiKey: 'secret-key' }));
    const live = (await infraKind.read(ctx, unit!))!;
    expect(live.changedBy).toEqual({ by: 'ops', at: new Date(0).toISOString() });
    expect(diffManaged(unit!.desired, live.view, unit!.policy)).toEqual([]);
    expect(live.notices).toEqual([
      'Infra/test: adminApiKey cannot be compared (DSS does not return it); annotate dss-gitops/rotate-admin-api-key: "true" to write the declared key',
    ]);
    expect(live.notices!.join('')).not.toContain('secret-key');
    expect(warnings).toEqual([]);
  });

  it('writes an unrecorded key, with its hash, when the manifest asks with the rotate annotation', async () => {
    const { ctx, puts, warnings } = infraFake(unrecorded);
    const doc = docOf('Infra', 'test', { stage: 'Test', adminApiKey: 'secret-key' });
    doc.metadata.annotations = { 'dss-gitops/rotate-admin-api-key': 'true' };
    const [unit] = infraKind.units(doc);
    const live = (await infraKind.read(ctx, unit!))!;
    expect(diffManaged(unit!.desired, live.view, unit!.policy)).toEqual([expect.objectContaining({ path: 'adminApiKey', kind: 'add', sensitive: true })]);
    expect(warnings).toEqual([]);
    await infraKind.update(ctx, unit!, live);
    const body = puts[0] as Record<string, unknown>;
    expect(body.adminApiKey).toBe('secret-key');
    expect(liveKeyView({ ...body, adminApiKey: '' }, 'secret-key')).toBe('secret-key');
  });

  it('plans a key change when a recorded hash DSS kept does not match the declared key', async () => {
    const { ctx } = infraFake(withKeyHash(unrecorded, 'old-key'));
    const [unit] = infraKind.units(docOf('Infra', 'test', { stage: 'Test', adminApiKey: 'secret-key' }));
    const live = (await infraKind.read(ctx, unit!))!;
    expect(diffManaged(unit!.desired, live.view, unit!.policy).map((c) => c.path)).toEqual(['adminApiKey']);
  });
});

describe('a kind refusing a change', () => {
  it('stops the plan with every refusal', () => {
    const units = bundleKind.units(docOf('Bundle', 'v1', { releaseNotes: 'new' }, { project: 'CHURN' }));
    const live = new Map([[units[0]!.address, { view: { releaseNotes: 'old' }, raw: {} }]]);
    expect(() =>
      planChanges({
        allUnits: units,
        units,
        live,
        projects: new Map(),
        source: 'test',
        options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: [] },
        compare: (desired, l, policy) => diffManaged(desired, l, policy),
        nodeOf: () => 'design',
        canDelete: () => false,
        validateChange: (unit, state, changes) => bundleKind.validateChange?.(unit, state, changes) ?? [],
      }),
    ).toThrow(/the plan cannot be applied:\n {2}- Bundle\/CHURN\/v1 already exists with other release notes/);
  });
});

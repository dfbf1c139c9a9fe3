// The whole promotion chain over HTTP only: export on the design node, publish to its deployer, deploy to two
// automation nodes (other simulator instances), drift out of sync, update, fail, roll back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../src/simulator/deployer/archive.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject, download, health, setBundle, setThreshold, update } from './simulator-deployer-helpers.js';

let design: TestSimulator;
let autoTest: TestSimulator;
let autoProd: TestSimulator;

beforeAll(async () => {
  [design, autoTest, autoProd] = await Promise.all([
    startTestSimulator(),
    startTestSimulator({ adminKey: 'automation-test-admin-key' }),
    startTestSimulator({ adminKey: 'automation-prod-admin-key' }),
  ]);
  await createDesignProject(design, 'CHURN');
});
afterAll(async () => {
  await Promise.all([design.close(), autoTest.close(), autoProd.close()]);
});

describe('bundle promotion across deployer stages', () => {
  it('exports snapshots: a later change of the design project does not change an exported bundle', async () => {
    const v1 = await design.ok<{ bundleId: string; contentSummary: { scenarios: string[] } }>(
      'PUT',
      '/projects/CHURN/bundles/exported/v1?releaseNotes=first%20release',
    );
    expect(v1.bundleId).toBe('v1');
    expect(v1.contentSummary.scenarios).toEqual(['DAILY', 'PY']);

    await setThreshold(design, 'CHURN', 0.8);
    await design.ok('PUT', '/projects/CHURN/scenarios/PY/payload', { script: 'print("v2")' });
    await design.ok('PUT', '/projects/CHURN/bundles/exported/v2?releaseNotes=tuned');

    const archive = await download(design, '/projects/CHURN/bundles/exported/v1/archive');
    expect(archive.status).toBe(200);
    expect(archive.type).toBe('application/zip');
    const content = readArchive(archive.bytes);
    expect(content.manifest).toMatchObject({ bundleId: 'v1', projectKey: 'CHURN', releaseNotes: 'first release' });
    expect(content.project.variables).toMatchObject({ standard: { threshold: 0.7 } });
    expect(content.scenarios.find((s) => s.id === 'PY')?.payload).toEqual({ script: 'print("v1")' });
    const v2 = readArchive((await download(design, '/projects/CHURN/bundles/exported/v2/archive')).bytes);
    expect(v2.project.variables).toMatchObject({ standard: { threshold: 0.8 } });

    const list = await design.ok<{ bundles: Array<{ bundleId: string }> }>('GET', '/projects/CHURN/bundles/exported');
    expect(list.bundles.map((b) => b.bundleId)).toEqual(['v1', 'v2']);
    expect(list.bundles[0]).toMatchObject({ exportManifest: { releaseNotes: 'first release' }, contentSummary: expect.any(Object) });

    // The details call wraps the bundle in a one-item `bundles` list, as the reference documents it.
    const details = await design.ok<Record<string, unknown>>('GET', '/projects/CHURN/bundles/exported/v1');
    expect(Object.keys(details)).toEqual(['bundles']);
    expect(details.bundles).toEqual([
      expect.objectContaining({ bundleId: 'v1', exportManifest: expect.objectContaining({ exportUserInfo: { login: 'admin' } }), changelog: expect.any(Object) }),
    ]);
  });

  it('publishes to the deployer, creating the published project', async () => {
    const published = await design.ok<Record<string, unknown>>('POST', '/projects/CHURN/bundles/v1/publish?publishedProjectKey=CHURN');
    expect(published).toMatchObject({ publishedProjectKey: 'CHURN', publishedBy: 'admin' });
    expect(typeof published.publishedOn).toBe('number');
    await design.ok('POST', '/projects/CHURN/bundles/v2/publish');
    const project = await design.ok<{ projectBasicInfo: { bundleIds: string[] }; packages: Array<{ id: string; designNodeInfo: { projectKey: string } }> }>(
      'GET',
      '/project-deployer/projects/CHURN',
    );
    expect(project.projectBasicInfo.bundleIds).toEqual(['v1', 'v2']);
    expect(project.packages.map((p) => p.designNodeInfo.projectKey)).toEqual(['CHURN', 'CHURN']);
  });

  it('creates an infra per automation node, at both creation paths', async () => {
    await design.ok('POST', '/project-deployer/infras', {
      id: 'test-infra',
      stage: 'Test',
      automationNodeUrl: autoTest.url,
      adminApiKey: autoTest.adminKey,
    });
    await design.ok('POST', '/project-deployer/projects/infras', {
      id: 'prod-infra',
      stage: 'Production',
      automationNodeUrl: autoProd.url,
      apiKey: autoProd.adminKey,
    });
    const infras = await design.ok<Array<{ infraBasicInfo: { id: string; stage: string } }>>('GET', '/project-deployer/infras');
    expect(infras.map((i) => [i.infraBasicInfo.id, i.infraBasicInfo.stage])).toEqual([
      ['prod-infra', 'Production'],
      ['test-infra', 'Test'],
    ]);
  });

  it('deploys v1 to Test: UNKNOWN before, HEALTHY after, and the automation project holds the bundle', async () => {
    await design.ok('POST', '/project-deployer/deployments', {
      deploymentId: 'churn-test',
      publishedProjectKey: 'CHURN',
      infraId: 'test-infra',
      bundleId: 'v1',
      localVariables: { env: 'test' },
      scenariosToActivate: { DAILY: true },
    });
    expect((await health(design, 'churn-test')).health).toBe('UNKNOWN');

    const outcome = await update(design, 'churn-test');
    expect(outcome.status).toBe(200);
    // As the reference shows it: a one-item list of reports, the bundle id in the activation check.
    const result = outcome.json.result as Array<Record<string, { success: boolean; bundleId?: string }>>;
    expect(result).toHaveLength(1);
    expect(Object.keys(result[0] ?? {})).toEqual(
      expect.arrayContaining(['prepareSyncReport', 'preloadReport', 'activateCheckReport', 'activateReport']),
    );
    expect(result[0]?.activateCheckReport).toMatchObject({ bundleId: 'v1', success: true });
    expect(result[0]?.activateReport?.success).toBe(true);
    expect(outcome.json.progress).toEqual([{ name: 'Done', unit: 'NONE', target: 5, cur: 5 }]);
    // What was deployed is not in any documented answer; the control shows it to tests.
    expect(await design.control('GET', '/deployer/deployments/churn-test')).toMatchObject({
      bundleId: 'v1',
      deployedBundleId: 'v1',
      lastUpdate: { outcome: 'SUCCESS', bundleId: 'v1' },
    });
    expect((await design.call('GET', '/__sim/deployer/deployments/nope', undefined, { basePath: '' })).status).toBe(404);

    const status = await health(design, 'churn-test');
    expect(status.health).toBe('HEALTHY');
    expect(status.healthMessages[0]?.message).toMatch(/Bundle v1 is active/);
    // The reference's fields, and nothing a real DSS does not return (the deployed bundle is the control's).
    expect(Object.keys(status).sort()).toEqual(['deploymentId', 'hasActiveScenarios', 'hasScenarios', 'health', 'healthMessages', 'monitoring']);

    const variables = await autoTest.ok<{ standard: unknown; local: unknown }>('GET', '/projects/CHURN/variables/');
    expect(variables.standard).toEqual({ threshold: 0.7 });
    expect(variables.local).toEqual({ env: 'test' });
    const daily = await autoTest.ok<{ active: boolean; params: { steps: unknown[] } }>('GET', '/projects/CHURN/scenarios/DAILY');
    expect(daily.active).toBe(true);
    expect(daily.params.steps).toHaveLength(1);
    expect(await autoTest.ok('GET', '/projects/CHURN/scenarios/PY/payload')).toMatchObject({ script: 'print("v1")' });
    const imported = await autoTest.ok<{ bundles: Array<{ bundleId: string; active: boolean }> }>('GET', '/projects/CHURN/bundles/imported');
    expect(imported.bundles.map((b) => [b.bundleId, b.active])).toEqual([['v1', true]]);
    // The Production node was not touched.
    expect(await autoProd.ok('GET', '/projects/')).toEqual([]);
  });

  it('is OUT_OF_SYNC when the settings name v2, and HEALTHY again after the update', async () => {
    const before = await design.ok<{ versionTag: { versionNumber: number } }>('GET', '/project-deployer/deployments/churn-test/settings');
    const saved = (await setBundle(design, 'churn-test', 'v2')) as { versionTag: { versionNumber: number } };
    expect(saved.versionTag.versionNumber).toBe(before.versionTag.versionNumber + 1);

    const drifted = await health(design, 'churn-test');
    expect(drifted.health).toBe('OUT_OF_SYNC');
    expect(drifted.healthMessages[0]?.message).toMatch(/settings name bundle v2 but bundle v1 is deployed/);

    expect((await update(design, 'churn-test')).status).toBe(200);
    expect((await health(design, 'churn-test')).health).toBe('HEALTHY');
    const variables = await autoTest.ok<{ standard: unknown; local: unknown }>('GET', '/projects/CHURN/variables/');
    expect(variables).toMatchObject({ standard: { threshold: 0.8 }, local: { env: 'test' } });
    expect(await autoTest.ok('GET', '/projects/CHURN/scenarios/PY/payload')).toMatchObject({ script: 'print("v2")' });
  });

  it('reports ERROR with the reason when a bundle fails activation, and keeps the node on the previous bundle', async () => {
    await setThreshold(design, 'CHURN', 0.9);
    await design.ok('PUT', '/projects/CHURN/bundles/exported/v3');
    await design.ok('POST', '/projects/CHURN/bundles/v3/publish?publishedProjectKey=CHURN');
    await autoTest.control('PUT', '/deployer/failing-bundles/v3');
    await setBundle(design, 'churn-test', 'v3');

    const outcome = await update(design, 'churn-test');
    expect(outcome.status).toBe(500);
    expect(String(outcome.json.message)).toMatch(/Activation of bundle v3 in project CHURN failed/);

    const status = await health(design, 'churn-test');
    expect(status.health).toBe('ERROR');
    expect(status.healthMessages[0]?.message).toMatch(/last update to bundle v3 failed: .*Activation of bundle v3/);
    expect(await autoTest.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ standard: { threshold: 0.8 } });
  });

  it('rolls back to the previous bundle: HEALTHY again', async () => {
    await setBundle(design, 'churn-test', 'v2');
    const outcome = await update(design, 'churn-test');
    expect(outcome.status).toBe(200);
    const result = outcome.json.result as Array<{ activateCheckReport: Record<string, unknown> }>;
    // v2 is already on the node: it is activated again, not uploaded again.
    expect(result[0]?.activateCheckReport).toMatchObject({ bundleId: 'v2', alreadyImported: 'v2' });
    expect((await health(design, 'churn-test')).health).toBe('HEALTHY');
    const imported = await autoTest.ok<{ bundles: Array<{ bundleId: string; active: boolean }> }>('GET', '/projects/CHURN/bundles/imported');
    expect(imported.bundles.filter((b) => b.active).map((b) => b.bundleId)).toEqual(['v2']);
  });

  it('promotes to Production under another project key', async () => {
    await design.ok('POST', '/project-deployer/deployments', {
      deploymentId: 'churn-prod',
      publishedProjectKey: 'CHURN',
      infraId: 'prod-infra',
      bundleId: 'v2',
      deployedProjectKey: 'CHURN_PROD',
      disableAutomaticTriggers: true,
    });
    expect((await update(design, 'churn-prod')).status).toBe(200);
    expect((await health(design, 'churn-prod')).health).toBe('HEALTHY');
    const projects = await autoProd.ok<Array<{ projectKey: string }>>('GET', '/projects/');
    expect(projects.map((p) => p.projectKey)).toEqual(['CHURN_PROD']);
    expect(await autoProd.ok('GET', '/projects/CHURN_PROD/variables/')).toMatchObject({ standard: { threshold: 0.8 } });
    const settings = await autoProd.ok<{ settings: { disableAutomaticTriggers: boolean } }>('GET', '/projects/CHURN_PROD/settings');
    expect(settings.settings.disableAutomaticTriggers).toBe(true);
    const deployments = await design.ok<Array<{ deploymentBasicInfo: { id: string }; neverEverDeployed: boolean }>>('GET', '/project-deployer/deployments');
    expect(deployments.map((d) => [d.deploymentBasicInfo.id, d.neverEverDeployed])).toEqual([
      ['churn-prod', false],
      ['churn-test', false],
    ]);
  });
});

// The project's own DSS client against the simulated deployer: the calls the deployer resource kinds and the
// promotion command make, futures included (a failed update must throw, not wait forever).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDssClient } from '../../src/dss/client.js';
import { DssApiError } from '../../src/dss/errors.js';
import type { DssClient } from '../../src/dss/types.js';
import { readArchive } from '../../src/simulator/deployer/archive.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject } from './simulator-deployer-helpers.js';

let design: TestSimulator;
let automation: TestSimulator;
let client: DssClient;

beforeAll(async () => {
  [design, automation] = await Promise.all([startTestSimulator(), startTestSimulator({ adminKey: 'automation-key' })]);
  client = createDssClient({ url: design.url, apiKey: design.adminKey }, { nodeName: 'design' });
  await createDesignProject(design, 'RISK');
});
afterAll(async () => {
  await client.close();
  await Promise.all([design.close(), automation.close()]);
});

describe('DSS client against the simulated deployer', () => {
  it('exports, downloads, publishes and deploys, waiting on the update future', async () => {
    await client.request('PUT', '/projects/RISK/bundles/exported/v1', { query: { releaseNotes: 'from the client' } });
    const archive = readArchive(await client.getBytes('/projects/RISK/bundles/exported/v1/archive'));
    expect(archive.manifest.releaseNotes).toBe('from the client');
    await client.postJson('/projects/RISK/bundles/v1/publish', undefined, { query: { publishedProjectKey: 'RISK' } });

    await client.postJson('/project-deployer/infras', { id: 'auto', stage: 'Test', automationNodeUrl: automation.url, adminApiKey: 'automation-key' });
    await client.postJson('/project-deployer/deployments', { deploymentId: 'risk', publishedProjectKey: 'RISK', infraId: 'auto', bundleId: 'v1' });
    const started = await client.postJson<{ jobId: string }>('/project-deployer/deployments/risk/actions/update');
    const result = await client.waitForFuture<Array<{ activateCheckReport: { bundleId: string } }>>(started.jobId);
    expect(result[0]?.activateCheckReport.bundleId).toBe('v1');
    const status = await client.getJson<{ health: string }>('/project-deployer/deployments/risk/status');
    expect(status.health).toBe('HEALTHY');
    expect(await client.getOrAbsent('/project-deployer/deployments/nope')).toBeUndefined();
  });

  it('throws the failure of an update future as a DssApiError with its message', async () => {
    await client.request('PUT', '/projects/RISK/bundles/exported/v2');
    await client.postJson('/projects/RISK/bundles/v2/publish');
    await automation.control('PUT', '/deployer/failing-bundles/v2');
    const settings = await client.getJson<Record<string, unknown>>('/project-deployer/deployments/risk/settings');
    await client.putJson('/project-deployer/deployments/risk/settings', { ...settings, bundleId: 'v2' });
    const started = await client.postJson<{ jobId: string }>('/project-deployer/deployments/risk/actions/update');
    const error = await client.waitForFuture(started.jobId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DssApiError);
    expect((error as DssApiError).dssMessage).toMatch(/Activation of bundle v2 in project RISK failed/);
  });
});

// The Project Deployer as its own node: the design node publishes to it over HTTP, and it deploys to an
// automation node, as with a DSS deployer node separate from the design node.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject, health, update } from './simulator-deployer-helpers.js';

let design: TestSimulator;
let deployer: TestSimulator;
let automation: TestSimulator;

beforeAll(async () => {
  [design, deployer, automation] = await Promise.all([
    startTestSimulator(),
    startTestSimulator({ adminKey: 'deployer-key' }),
    startTestSimulator({ adminKey: 'automation-key' }),
  ]);
  await createDesignProject(design, 'FRAUD');
  await design.ok('PUT', '/projects/FRAUD/bundles/exported/v1');
});
afterAll(async () => {
  await Promise.all([design.close(), deployer.close(), automation.close()]);
});

describe('a separate deployer node', () => {
  it('refuses a publication with a wrong deployer key, naming the setting and not the key', async () => {
    await design.control('PUT', '/deployer/config', { deployerUrl: deployer.url, deployerApiKey: 'bad-deployer-key' });
    const { status, json } = await design.call<{ message: string }>('POST', '/projects/FRAUD/bundles/v1/publish');
    expect(status).toBe(401);
    expect(json.message).toMatch(/Project Deployer .*refused the API key .*deployerApiKey/);
    expect(json.message).not.toContain('bad-deployer-key');
  });

  it('receives the bundle published on the design node and deploys it', async () => {
    const config = await design.control<Record<string, unknown>>('PUT', '/deployer/config', { deployerUrl: deployer.url, deployerApiKey: 'deployer-key' });
    expect(config).toEqual({ futureStepMs: 20, deployerUrl: deployer.url, deployerApiKeySet: true });

    const publication = await design.ok('POST', '/projects/FRAUD/bundles/v1/publish?publishedProjectKey=FRAUD_PUB');
    expect(publication).toMatchObject({ publishedProjectKey: 'FRAUD_PUB' });
    // Nothing was published on the design node's own deployer.
    expect(await design.ok('GET', '/project-deployer/projects')).toEqual([]);
    const project = await deployer.ok<{ projectBasicInfo: { bundleIds: string[] }; packages: Array<{ designNodeInfo: { url: string } }> }>(
      'GET',
      '/project-deployer/projects/FRAUD_PUB',
    );
    expect(project.projectBasicInfo.bundleIds).toEqual(['v1']);
    expect(project.packages[0]?.designNodeInfo.url).toBe(design.url);

    await deployer.ok('POST', '/project-deployer/infras', { id: 'auto', stage: 'Production', automationNodeUrl: `${automation.url}/public/api`, adminApiKey: 'automation-key' });
    await deployer.ok('POST', '/project-deployer/deployments', { deploymentId: 'fraud', publishedProjectKey: 'FRAUD_PUB', infraId: 'auto', bundleId: 'v1' });
    expect((await update(deployer, 'fraud')).status).toBe(200);
    expect((await health(deployer, 'fraud')).health).toBe('HEALTHY');
    expect(await automation.ok('GET', '/projects/FRAUD_PUB/variables/')).toMatchObject({ standard: { threshold: 0.7 } });
  });
});

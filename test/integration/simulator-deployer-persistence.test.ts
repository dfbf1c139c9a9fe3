// Deployer state persists with the node's state file: exported bundles, published projects, infras,
// deployments with their last update, finished futures; a job cut by a restart reads as interrupted.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../src/simulator/deployer/archive.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject, download, health, update } from './simulator-deployer-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dss-gitops-sim-state-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('deployer persistence', () => {
  it('keeps the whole chain across restarts of the design and automation nodes', async () => {
    const designFile = join(dir, 'design.json');
    const automationFile = join(dir, 'automation.json');
    let design: TestSimulator = await startTestSimulator({ stateFile: designFile });
    let automation: TestSimulator = await startTestSimulator({ stateFile: automationFile, adminKey: 'automation-key' });
    const port = Number(new URL(automation.url).port);

    await createDesignProject(design, 'KEEP');
    await design.ok('PUT', '/projects/KEEP/bundles/exported/v1?releaseNotes=kept');
    await design.ok('POST', '/projects/KEEP/bundles/v1/publish');
    await design.ok('POST', '/project-deployer/infras', { id: 'auto', stage: 'Production', automationNodeUrl: automation.url, adminApiKey: 'automation-key' });
    await design.ok('POST', '/project-deployer/deployments', { deploymentId: 'keep-prod', publishedProjectKey: 'KEEP', infraId: 'auto', bundleId: 'v1' });
    const done = await update(design, 'keep-prod');
    expect(done.status).toBe(200);
    const jobId = String(done.json.jobId);
    await Promise.all([design.close(), automation.close()]);

    design = await startTestSimulator({ stateFile: designFile });
    automation = await startTestSimulator({ stateFile: automationFile, adminKey: 'automation-key', port });
    try {
      const archive = readArchive((await download(design, '/projects/KEEP/bundles/exported/v1/archive')).bytes);
      expect(archive.manifest.releaseNotes).toBe('kept');
      const project = await design.ok<{ projectBasicInfo: { bundleIds: string[] } }>('GET', '/project-deployer/projects/KEEP');
      expect(project.projectBasicInfo.bundleIds).toEqual(['v1']);
      const future = await design.ok<{ hasResult: boolean; result: Array<{ activateCheckReport: { bundleId: string } }> }>('GET', `/futures/${jobId}`);
      expect(future.hasResult).toBe(true);
      expect(future.result[0]?.activateCheckReport.bundleId).toBe('v1');
      expect((await health(design, 'keep-prod')).health).toBe('HEALTHY');
      const imported = await automation.ok<{ bundles: Array<{ bundleId: string; active: boolean }> }>('GET', '/projects/KEEP/bundles/imported');
      expect(imported.bundles).toMatchObject([{ bundleId: 'v1', active: true }]);
    } finally {
      await Promise.all([design.close(), automation.close()]);
    }
  });

  it('reports a job that a restart cut short as interrupted, and the deployment as ERROR', async () => {
    const file = join(dir, 'interrupted.json');
    let design = await startTestSimulator({ stateFile: file });
    const automation = await startTestSimulator({ adminKey: 'automation-key' });
    try {
      await createDesignProject(design, 'CUT');
      await design.ok('PUT', '/projects/CUT/bundles/exported/v1');
      await design.ok('POST', '/projects/CUT/bundles/v1/publish');
      await design.ok('POST', '/project-deployer/infras', { id: 'auto', stage: 'Test', automationNodeUrl: automation.url, adminApiKey: 'automation-key' });
      await design.ok('POST', '/project-deployer/deployments', { deploymentId: 'cut', publishedProjectKey: 'CUT', infraId: 'auto', bundleId: 'v1' });
      await design.control('PUT', '/deployer/config', { futureStepMs: 60_000 });
      const started = await design.ok<{ jobId: string }>('POST', '/project-deployer/deployments/cut/actions/update');
      await design.close();

      design = await startTestSimulator({ stateFile: file });
      const { status, json } = await design.call<{ message: string }>('GET', `/futures/${started.jobId}`);
      expect(status).toBe(500);
      expect(json.message).toMatch(/interrupted by a restart/);
      const s = await health(design, 'cut');
      expect(s.health).toBe('ERROR');
      expect(s.healthMessages[0]?.message).toMatch(/interrupted by a restart/);
      // A new update is allowed and goes through.
      await design.control('PUT', '/deployer/config', { futureStepMs: 0 });
      expect((await update(design, 'cut')).status).toBe(200);
      expect((await health(design, 'cut')).health).toBe('HEALTHY');
    } finally {
      await Promise.all([design.close(), automation.close()]);
    }
  });
});

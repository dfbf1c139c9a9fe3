// waitForFuture against the simulator's Project Deployer: a deployment update is a DSS future that runs through
// steps on simulated automation; it can succeed, fail (answered as an HTTP error), be cancelled or time out.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/types.js';
import { createDssClient } from '../../src/dss/client.js';
import { DssApiError, DssFutureError } from '../../src/dss/errors.js';
import type { DssClient, FutureProgress } from '../../src/dss/types.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject } from './simulator-deployer-helpers.js';

const AUTOMATION_KEY = 'automation-admin-key';

let design: TestSimulator;
let automation: TestSimulator;
let client: DssClient;

beforeAll(async () => {
  [design, automation] = await Promise.all([startTestSimulator(), startTestSimulator({ adminKey: AUTOMATION_KEY })]);
  client = createDssClient({ url: design.url, apiKey: design.adminKey }, { nodeName: 'deployer', defaults: DEFAULTS });
  await createDesignProject(design, 'SALES');
  await client.putJson('/projects/SALES/bundles/exported/v1', undefined);
  await client.postJson('/projects/SALES/bundles/v1/publish');
  await client.postJson('/project-deployer/infras', {
    id: 'auto',
    stage: 'Test',
    automationNodeUrl: automation.url,
    adminApiKey: AUTOMATION_KEY,
  });
  await client.postJson('/project-deployer/deployments', {
    deploymentId: 'sales-auto',
    publishedProjectKey: 'SALES',
    infraId: 'auto',
    bundleId: 'v1',
  });
});

afterAll(async () => {
  await client.close();
  await Promise.all([design.close(), automation.close()]);
});

async function startUpdate(stepMs: number): Promise<string> {
  await design.control('PUT', '/deployer/config', { futureStepMs: stepMs });
  const started = await client.postJson<{ jobId: string }>('/project-deployer/deployments/sales-auto/actions/update');
  return started.jobId;
}

async function setAdminKey(adminApiKey: string): Promise<void> {
  const settings = await client.getJson<Record<string, unknown>>('/project-deployer/infras/auto/settings');
  await client.putJson('/project-deployer/infras/auto/settings', { ...settings, adminApiKey });
}

describe('waitForFuture against the simulator', () => {
  it('waits for a deployment update to finish, reporting its steps', async () => {
    const jobId = await startUpdate(10);
    const progress: FutureProgress[] = [];

    const result = await client.waitForFuture<Array<{ activateCheckReport?: { bundleId?: string } }>>(jobId, {
      onProgress: (p) => progress.push(p),
    });

    expect(result[0]?.activateCheckReport?.bundleId).toBe('v1');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[0]?.jobId).toBe(jobId);
    expect(progress[0]?.states[0]).toMatch(/\(\d+\/\d+\)$/);
  });

  it('surfaces a failed update as a DssApiError with the DSS message', async () => {
    await setAdminKey('not-the-automation-key');
    try {
      const jobId = await startUpdate(0);
      const error = (await client.waitForFuture(jobId).catch((e: unknown) => e)) as DssApiError;

      expect(error).toBeInstanceOf(DssApiError);
      expect(error.status).toBe(500);
      expect(error.dssMessage).toMatch(/refused the API key/);
      expect(error.message).not.toContain('not-the-automation-key');
    } finally {
      await setAdminKey(AUTOMATION_KEY);
    }
  });

  it('cancels on abort and aborts the job in DSS', async () => {
    const jobId = await startUpdate(5_000);
    const controller = new AbortController();

    const error = await client
      .waitForFuture(jobId, { signal: controller.signal, onProgress: () => controller.abort() })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DssFutureError);
    expect((error as DssFutureError).reason).toBe('aborted');
    expect(await client.getJson(`/futures/${jobId}`, { query: { peek: true } })).toMatchObject({ aborted: true, alive: false });
  });

  it('times out and aborts the job in DSS', async () => {
    const jobId = await startUpdate(5_000);

    const error = await client.waitForFuture(jobId, { timeoutMs: 300 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DssFutureError);
    expect((error as DssFutureError).reason).toBe('timeout');
    expect(await client.getJson(`/futures/${jobId}`, { query: { peek: true } })).toMatchObject({ aborted: true, alive: false });
  });
});

// What the deployer refuses, and how failures reach clients: duplicate ids, unknown bundles, deletes that would
// orphan a deployment, unreachable automation nodes and wrong keys (as HTTP errors from GET /futures/{id}).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject, health, setBundle, update, waitForFuture } from './simulator-deployer-helpers.js';

let design: TestSimulator;
let automation: TestSimulator;
let closedUrl: string;

beforeAll(async () => {
  [design, automation] = await Promise.all([startTestSimulator(), startTestSimulator({ adminKey: 'automation-key' })]);
  const gone = await startTestSimulator();
  closedUrl = gone.url;
  await gone.close();
  await createDesignProject(design, 'SALES');
  await design.ok('PUT', '/projects/SALES/bundles/exported/v1');
  await design.ok('PUT', '/projects/SALES/bundles/exported/v2');
  await design.ok('POST', '/projects/SALES/bundles/v1/publish');
  await design.ok('POST', '/project-deployer/infras', { id: 'auto', stage: 'Test', automationNodeUrl: automation.url, adminApiKey: 'automation-key' });
  await design.ok('POST', '/project-deployer/deployments', { deploymentId: 'sales-auto', publishedProjectKey: 'SALES', infraId: 'auto', bundleId: 'v1' });
});
afterAll(async () => {
  await Promise.all([design.close(), automation.close()]);
});

const errorOf = async (sim: TestSimulator, method: string, path: string, body?: unknown) => {
  const { status, json } = await sim.call<{ errorType: string; message: string }>(method, path, body);
  return { status, errorType: json.errorType, message: json.message };
};

describe('exported bundles', () => {
  it('refuses an existing bundle id with 400, and a missing project or bundle with 404', async () => {
    const again = await errorOf(design, 'PUT', '/projects/SALES/bundles/exported/v1');
    expect(again.status).toBe(400);
    expect(again.message).toMatch(/already exists.*pick a new id/);
    expect((await errorOf(design, 'PUT', '/projects/NOPE/bundles/exported/v1')).status).toBe(404);
    expect((await errorOf(design, 'GET', '/projects/SALES/bundles/exported/v9')).errorType).toMatch(/NotFoundException/);
    expect((await errorOf(design, 'POST', '/projects/SALES/bundles/v9/publish')).status).toBe(404);
  });

  it('publishing the same bundle twice is harmless, and deleting an exported bundle removes it', async () => {
    await design.ok('POST', '/projects/SALES/bundles/v1/publish');
    await design.ok('PUT', '/projects/SALES/bundles/exported/scratch');
    await design.ok('DELETE', '/projects/SALES/bundles/exported/scratch');
    expect((await errorOf(design, 'GET', '/projects/SALES/bundles/exported/scratch')).status).toBe(404);
  });
});

describe('project deployer', () => {
  it('serves the default stages at both paths', async () => {
    for (const path of ['/project-deployer/stages', '/project-deployer/infras/stages']) {
      const stages = await design.ok<Array<{ id: string }>>('GET', path);
      expect(stages.map((s) => s.id)).toEqual(['Development', 'Test', 'Production']);
    }
  });

  it('refuses an infra with an unknown stage or an existing id', async () => {
    expect((await errorOf(design, 'POST', '/project-deployer/infras', { id: 'x', stage: 'Staging' })).message).toMatch(/Unknown stage 'Staging'/);
    expect((await errorOf(design, 'POST', '/project-deployer/infras', { id: 'auto', stage: 'Test' })).status).toBe(400);
  });

  it('increments the infra versionTag on each save and keeps fields it does not model', async () => {
    const settings = await design.ok<Record<string, unknown> & { versionTag: { versionNumber: number } }>('GET', '/project-deployer/infras/auto/settings');
    expect(settings).toMatchObject({ automationNodeUrl: automation.url, trustAllSSLCertificates: false, permissions: [] });
    const saved = await design.ok<Record<string, unknown> & { permissions: unknown; versionTag: { versionNumber: number; lastModifiedBy: { login: string } } }>(
      'PUT',
      '/project-deployer/infras/auto/settings',
      { ...settings, permissions: [{ group: 'ops', read: true, deploy: true }, { user: 'eve', read: true }], undocumentedField: { kept: true } },
    );
    // Grants come back with every flag of an infra grant, false unless granted.
    expect(saved.permissions).toEqual([
      { group: 'ops', read: true, deploy: true, admin: false },
      { user: 'eve', read: true, deploy: false, admin: false },
    ]);
    const noGrantee = await errorOf(design, 'PUT', '/project-deployer/infras/auto/settings', { ...settings, permissions: [{ read: true }] });
    expect(noGrantee.status).toBe(400);
    expect(saved.versionTag.versionNumber).toBe(settings.versionTag.versionNumber + 1);
    expect(saved.versionTag.lastModifiedBy.login).toBe('admin');
    const again = await design.ok<Record<string, unknown>>('GET', '/project-deployer/infras/auto/settings');
    expect(again).toMatchObject({ undocumentedField: { kept: true }, creationTag: settings.creationTag });
  });

  it('refuses a deployment on a bundle the published project does not hold, at creation and in settings', async () => {
    const create = await errorOf(design, 'POST', '/project-deployer/deployments', {
      deploymentId: 'other',
      publishedProjectKey: 'SALES',
      infraId: 'auto',
      bundleId: 'v2',
    });
    expect(create.status).toBe(400);
    expect(create.message).toMatch(/holds no bundle v2 \(it holds: v1\)/);
    const settings = await design.ok<Record<string, unknown>>('GET', '/project-deployer/deployments/sales-auto/settings');
    const put = await errorOf(design, 'PUT', '/project-deployer/deployments/sales-auto/settings', { ...settings, bundleId: 'v2' });
    expect(put.status).toBe(400);
    const infraChange = await errorOf(design, 'PUT', '/project-deployer/deployments/sales-auto/settings', { ...settings, infraId: 'elsewhere' });
    expect(infraChange.message).toMatch(/infraId .* cannot be changed/);
    expect((await errorOf(design, 'POST', '/project-deployer/deployments', { deploymentId: 'sales-auto', publishedProjectKey: 'SALES', infraId: 'auto', bundleId: 'v1' })).status).toBe(400);
  });

  it('refuses deletes that would orphan a deployment (409), and allows them once it is gone', async () => {
    await design.ok('POST', '/projects/SALES/bundles/v2/publish');
    const infra = await errorOf(design, 'DELETE', '/project-deployer/infras/auto');
    expect(infra.status).toBe(409);
    expect(infra.message).toMatch(/deployments use it \(sales-auto\)/);
    expect((await errorOf(design, 'DELETE', '/project-deployer/projects/SALES')).status).toBe(409);
    expect((await errorOf(design, 'DELETE', '/project-deployer/projects/SALES/bundles/v1')).status).toBe(409);
    // A bundle no deployment uses can go.
    await design.ok('DELETE', '/project-deployer/projects/SALES/bundles/v2');

    await design.ok('POST', '/project-deployer/infras', { id: 'spare', stage: 'Development' });
    await design.ok('POST', '/project-deployer/deployments', { deploymentId: 'tmp', publishedProjectKey: 'SALES', infraId: 'spare', bundleId: 'v1' });
    expect((await errorOf(design, 'DELETE', '/project-deployer/infras/spare')).status).toBe(409);
    await design.ok('DELETE', '/project-deployer/deployments/tmp');
    await design.ok('DELETE', '/project-deployer/infras/spare');
    expect((await errorOf(design, 'GET', '/project-deployer/infras/spare')).status).toBe(404);
  });

  it('creates published projects, and increments their versionTag on save', async () => {
    const created = await design.ok<{ id: string; versionTag: { versionNumber: number } }>('POST', '/project-deployer/projects', { publishedProjectKey: 'EMPTY' });
    expect(created.id).toBe('EMPTY');
    const saved = await design.ok<{ name: string; versionTag: { versionNumber: number } }>('PUT', '/project-deployer/projects/EMPTY/settings', {
      ...created,
      name: 'An empty project',
      permissions: [{ group: 'release', deploy: true }],
    });
    expect(saved).toMatchObject({ name: 'An empty project', versionTag: { versionNumber: created.versionTag.versionNumber + 1 } });
    expect(await design.ok('GET', '/project-deployer/projects/EMPTY/settings')).toMatchObject({
      permissions: [{ group: 'release', read: false, write: false, deploy: true, admin: false }],
    });
    expect((await errorOf(design, 'POST', '/project-deployer/projects', { publishedProjectKey: 'EMPTY' })).status).toBe(400);
    await design.ok('DELETE', '/project-deployer/projects/EMPTY');
  });

  it('refuses an upload that is not a bundle archive', async () => {
    const { status, json } = await design.call<{ message: string }>('POST', '/project-deployer/projects/SALES/bundles', undefined, {
      rawBody: Buffer.from('not a zip'),
      headers: { 'content-type': 'application/zip' },
    });
    expect(status).toBe(400);
    expect(json.message).toMatch(/Invalid bundle archive/);
  });
});

describe('automation node failures', () => {
  it('fails the update future when the node is unreachable, and GET /futures answers the failure as an error', async () => {
    const settings = await design.ok<Record<string, unknown>>('GET', '/project-deployer/infras/auto/settings');
    await design.ok('PUT', '/project-deployer/infras/auto/settings', { ...settings, automationNodeUrl: closedUrl });
    const outcome = await update(design, 'sales-auto');
    expect(outcome.status).toBe(500);
    expect(String(outcome.json.message)).toMatch(/Cannot reach the automation node of infra auto .*ECONNREFUSED/);
    const status = await health(design, 'sales-auto');
    expect(status.health).toBe('ERROR');
    expect(status.healthMessages[0]?.message).toMatch(/Cannot reach/);
    await design.ok('PUT', '/project-deployer/infras/auto/settings', { ...settings, automationNodeUrl: automation.url });
  });

  it('fails the update future with a wrong admin key, without printing the key', async () => {
    const settings = await design.ok<Record<string, unknown>>('GET', '/project-deployer/infras/auto/settings');
    await design.ok('PUT', '/project-deployer/infras/auto/settings', { ...settings, adminApiKey: 'wrong-secret-key' });
    const outcome = await update(design, 'sales-auto');
    expect(outcome.status).toBe(500);
    const message = String(outcome.json.message);
    expect(message).toMatch(/refused the API key .*HTTP 401.*check the infra's adminApiKey/);
    expect(message).not.toContain('wrong-secret-key');
    await design.ok('PUT', '/project-deployer/infras/auto/settings', { ...settings, adminApiKey: 'automation-key' });
    expect((await update(design, 'sales-auto')).status).toBe(200);
    expect((await health(design, 'sales-auto')).health).toBe('HEALTHY');
  });

  it('is OUT_OF_SYNC when someone activates another bundle on the node by hand', async () => {
    await design.ok('POST', '/projects/SALES/bundles/v2/publish');
    const archive = await fetch(`${design.url}/public/api/project-deployer/projects/SALES/bundles/v2/archive`, {
      headers: { authorization: `Basic ${Buffer.from(`${design.adminKey}:`).toString('base64')}` },
    });
    await automation.ok('POST', '/projects/SALES/bundles/imported/actions/importFromStream', undefined, {
      rawBody: Buffer.from(await archive.arrayBuffer()),
      headers: { 'content-type': 'application/zip' },
    });
    await automation.ok('POST', '/projects/SALES/bundles/imported/v2/actions/activate');
    const status = await health(design, 'sales-auto');
    expect(status.health).toBe('OUT_OF_SYNC');
    expect(status.healthMessages[0]?.code).toBe('NODE_DIVERGED');
    await automation.ok('POST', '/projects/SALES/bundles/imported/v1/actions/activate');
    expect((await health(design, 'sales-auto')).health).toBe('HEALTHY');
  });
});

describe('futures', () => {
  it('lists jobs, leaves the result out when peeking, and aborts a running one', async () => {
    await design.control('PUT', '/deployer/config', { futureStepMs: 5_000 });
    await setBundle(design, 'sales-auto', 'v2');
    const started = await design.ok<{ jobId: string; alive: boolean; hasResult: boolean }>('POST', '/project-deployer/deployments/sales-auto/actions/update');
    expect(started).toMatchObject({ alive: true, hasResult: false });
    const again = await errorOf(design, 'POST', '/project-deployer/deployments/sales-auto/actions/update');
    expect(again.status).toBe(409);

    const listed = await design.ok<Array<{ jobId: string; alive: boolean }>>('GET', '/futures/');
    expect(listed.find((f) => f.jobId === started.jobId)?.alive).toBe(true);
    const peek = await design.ok<{ progress: Array<{ target: number; cur: number }> }>('GET', `/futures/${started.jobId}?peek=true`);
    expect(peek.progress[0]?.target).toBe(5);

    await design.ok('DELETE', `/futures/${started.jobId}`);
    const aborted = await waitForFuture(design, started.jobId);
    expect(aborted.json).toMatchObject({ aborted: true, alive: false, hasResult: false });
    expect((await health(design, 'sales-auto')).healthMessages[0]?.message).toMatch(/was aborted/);

    await design.control('PUT', '/deployer/config', { futureStepMs: 0 });
    const done = await update(design, 'sales-auto');
    expect(done.json.hasResult).toBe(true);
    const peeked = await design.ok<Record<string, unknown>>('GET', `/futures/${String(done.json.jobId)}?peek=true`);
    expect(peeked.hasResult).toBe(true);
    expect(peeked).not.toHaveProperty('result');
    await design.ok('POST', `/futures/${String(done.json.jobId)}/abort`);
    expect((await design.ok<Record<string, unknown>>('GET', `/futures/${String(done.json.jobId)}`)).aborted).toBe(false);
    expect((await errorOf(design, 'GET', '/futures/unknown-job')).status).toBe(404);
  });

  it('answers a synchronous update with the finished job', async () => {
    const result = await design.ok<{ hasResult: boolean; result: Array<{ activateCheckReport: { bundleId: string } }> }>(
      'POST',
      '/project-deployer/deployments/sales-auto/actions/update',
      { synchronous: true },
    );
    expect(result.hasResult).toBe(true);
    expect(result.result[0]?.activateCheckReport.bundleId).toBe('v2');
  });
});

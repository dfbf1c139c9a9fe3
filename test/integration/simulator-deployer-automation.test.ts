// The automation-node bundle endpoints, used directly as a client would: create a project from a bundle
// (multipart or raw zip, or a file on the node's host), import into an existing project, preload, activate.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject, download, setThreshold } from './simulator-deployer-helpers.js';

let design: TestSimulator;
let automation: TestSimulator;
let dir: string;
let v1: Buffer;
let v2: Buffer;

beforeAll(async () => {
  [design, automation] = await Promise.all([startTestSimulator(), startTestSimulator({ adminKey: 'automation-key' })]);
  dir = await mkdtemp(join(tmpdir(), 'dss-gitops-bundles-'));
  await createDesignProject(design, 'OPS');
  await design.ok('PUT', '/projects/OPS/bundles/exported/v1');
  await setThreshold(design, 'OPS', 0.5);
  await design.ok('PUT', '/projects/OPS/bundles/exported/v2');
  v1 = (await download(design, '/projects/OPS/bundles/exported/v1/archive')).bytes;
  v2 = (await download(design, '/projects/OPS/bundles/exported/v2/archive')).bytes;
});
afterAll(async () => {
  await Promise.all([design.close(), automation.close()]);
  await rm(dir, { recursive: true, force: true });
});

function multipart(zip: Buffer): { body: Buffer; contentType: string } {
  const boundary = '----dssgitopstest';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bundle.zip"\r\nContent-Type: application/zip\r\n\r\n`),
    zip,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('automation node bundles', () => {
  it('creates a project from a bundle sent as a multipart file part, with the bundle active', async () => {
    const form = multipart(v1);
    const created = await automation.ok<{ projectKey: string; bundleId: string }>('POST', '/projectsFromBundle', undefined, {
      rawBody: form.body,
      headers: { 'content-type': form.contentType },
    });
    expect(created).toEqual({ projectKey: 'OPS', bundleId: 'v1' });
    expect(await automation.ok('GET', '/projects/OPS/variables/')).toMatchObject({ standard: { threshold: 0.7 }, local: {} });
    const scenarios = await automation.ok<Array<{ id: string }>>('GET', '/projects/OPS/scenarios/');
    expect(scenarios.map((s) => s.id).sort()).toEqual(['DAILY', 'PY']);
    const list = await automation.ok<{ bundles: Array<{ bundleId: string; active: boolean; exportManifest: { projectKey: string } }> }>(
      'GET',
      '/projects/OPS/bundles/imported',
    );
    expect(list.bundles).toMatchObject([{ bundleId: 'v1', active: true, exportManifest: { projectKey: 'OPS' } }]);
  });

  it('refuses to create a project that exists, and needs the admin key', async () => {
    const again = await automation.call<{ message: string }>('POST', '/projectsFromBundle', undefined, { rawBody: v1 });
    expect(again.status).toBe(400);
    expect(again.json.message).toMatch(/Project OPS already exists/);
    const wrongKey = await automation.call('POST', '/projectsFromBundle', undefined, { rawBody: v1, key: 'not-a-key' });
    expect(wrongKey.status).toBe(401);
  });

  it('imports from a stream, preloads and activates: the project takes the new configuration', async () => {
    await automation.ok('POST', '/projects/OPS/bundles/imported/actions/importFromStream', undefined, { rawBody: v2 });
    const preload = await automation.ok<{ success: boolean }>('POST', '/projects/OPS/bundles/imported/v2/actions/preload');
    expect(preload.success).toBe(true);
    // Imported but not active yet: the project still runs v1.
    expect(await automation.ok('GET', '/projects/OPS/variables/')).toMatchObject({ standard: { threshold: 0.7 } });
    await automation.ok('POST', '/projects/OPS/bundles/imported/v2/actions/activate');
    expect(await automation.ok('GET', '/projects/OPS/variables/')).toMatchObject({ standard: { threshold: 0.5 } });
    const list = await automation.ok<{ bundles: Array<{ bundleId: string; active: boolean }> }>('GET', '/projects/OPS/bundles/imported');
    expect(list.bundles.map((b) => [b.bundleId, b.active])).toEqual([['v1', false], ['v2', true]]);
  });

  it('imports from an archive path on the node host, and creates projects from one', async () => {
    const path = join(dir, 'ops-v1.zip');
    await writeFile(path, v1);
    await automation.ok('POST', `/projectsFromBundle/fromArchive?archivePath=${encodeURIComponent(path)}&projectKey=OPS_COPY`);
    expect(await automation.ok('GET', '/projects/OPS_COPY/variables/')).toMatchObject({ standard: { threshold: 0.7 } });
    const missing = await automation.call<{ message: string }>('POST', `/projects/OPS/bundles/imported/actions/importFromArchive?archivePath=${encodeURIComponent(join(dir, 'none.zip'))}`);
    expect(missing.status).toBe(400);
    expect(missing.json.message).toMatch(/ENOENT/);
  });

  it('refuses activation of a bundle the node is set to refuse, and leaves the project as it was', async () => {
    await automation.control('PUT', '/deployer/failing-bundles/v1');
    const refused = await automation.call<{ message: string }>('POST', '/projects/OPS/bundles/imported/v1/actions/activate');
    expect(refused.status).toBe(500);
    expect(refused.json.message).toMatch(/Activation of bundle v1 in project OPS failed/);
    expect(await automation.ok('GET', '/projects/OPS/variables/')).toMatchObject({ standard: { threshold: 0.5 } });
    expect(await automation.control('GET', '/deployer/failing-bundles')).toEqual(['v1']);
    await automation.control('DELETE', '/deployer/failing-bundles/v1');
    await automation.ok('POST', '/projects/OPS/bundles/imported/v1/actions/activate');
    expect(await automation.ok('GET', '/projects/OPS/variables/')).toMatchObject({ standard: { threshold: 0.7 } });
  });

  it('answers 404 for bundles and projects it does not have', async () => {
    expect((await automation.call('POST', '/projects/OPS/bundles/imported/v9/actions/activate')).status).toBe(404);
    expect((await automation.call('GET', '/projects/NOPE/bundles/imported')).status).toBe(404);
    expect((await automation.call('POST', '/projects/NOPE/bundles/imported/actions/importFromStream', undefined, { rawBody: v1 })).status).toBe(404);
  });
});

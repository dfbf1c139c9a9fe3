import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DssApiError, DssConnectionError, DssTimeoutError } from '../../src/dss/errors.js';
import { DssGitopsError } from '../../src/errors.js';
import {
  API_KEY,
  BASIC,
  NOT_FOUND,
  UNAUTHORIZED,
  connectionError,
  dssError,
  mockNode,
  testDefaults,
  type MockNode,
} from './dss-mock-node.js';

let node: MockNode;

afterEach(async () => {
  node.agent.assertNoPendingInterceptors();
  await node.agent.close();
});

describe('DSS client requests', () => {
  it('sends HTTP Basic with the API key and an empty password under /public/api, and parses JSON', async () => {
    node = mockNode();
    node.pool
      .intercept({ path: '/public/api/projects/', method: 'GET', headers: { authorization: BASIC } })
      .reply(200, [{ projectKey: 'CHURN' }], { headers: { 'dss-version': '14.1.2' } });

    const projects = await node.client.getJson('/projects/');

    expect(projects).toEqual([{ projectKey: 'CHURN' }]);
    expect(node.client.dssVersion).toBe('14.1.2');
  });

  it('uses the configured base path and the path of the node URL', async () => {
    node = mockNode({ node: { url: 'https://dss.example.test:11200/dss/', basePath: 'dip/publicapi/' } });
    node.pool.intercept({ path: '/dss/dip/publicapi/projects/CHURN/metadata', method: 'GET' }).reply(200, {});

    await expect(node.client.getJson('/projects/CHURN/metadata')).resolves.toEqual({});
    expect(node.client.url).toBe('https://dss.example.test:11200/dss');
  });

  it('sends JSON bodies with a Content-Type and query parameters, leaving undefined ones out', async () => {
    node = mockNode();
    node.pool
      .intercept({
        path: '/public/api/projects/?projectFolderId=ROOT&dryRun=false',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ projectKey: 'CHURN', name: 'Churn' }),
      })
      .reply(200, { msg: 'created' });

    const answer = await node.client.postJson(
      '/projects/',
      { projectKey: 'CHURN', name: 'Churn' },
      { query: { projectFolderId: 'ROOT', dryRun: false, owner: undefined } },
    );
    expect(answer).toEqual({ msg: 'created' });
  });

  it('tolerates empty bodies', async () => {
    node = mockNode();
    node.pool.intercept({ path: '/public/api/projects/CHURN', method: 'DELETE' }).reply(204, '');
    node.pool.intercept({ path: '/public/api/projects/CHURN/tags', method: 'PUT' }).reply(200, '');

    await expect(node.client.deleteJson('/projects/CHURN')).resolves.toBeUndefined();
    await expect(node.client.putJson('/projects/CHURN/tags', { tags: {} })).resolves.toBeUndefined();
  });

  it('uploads and downloads bytes', async () => {
    node = mockNode();
    const zip = new Uint8Array([0x50, 0x4b, 3, 4, 0, 255]);
    node.pool
      .intercept({
        path: '/public/api/projects/CHURN/bundles/exported/v1/archive',
        method: 'GET',
      })
      .reply(200, Buffer.from(zip), { headers: { 'content-type': 'application/zip' } });
    node.pool
      .intercept({
        path: '/public/api/project-deployer/projects/CHURN/bundles',
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        // The mock hands the raw body to a matcher function as it was sent.
        body: ((sent: unknown) => Buffer.from(sent as Uint8Array).equals(Buffer.from(zip))) as unknown as string,
      })
      .reply(200, { bundleId: 'v1' });

    const bytes = await node.client.getBytes('/projects/CHURN/bundles/exported/v1/archive');
    expect([...bytes]).toEqual([...zip]);
    await expect(node.client.postJson('/project-deployer/projects/CHURN/bundles', undefined, { rawBody: zip })).resolves.toEqual({
      bundleId: 'v1',
    });
  });
});

describe('DSS client errors', () => {
  it('answers undefined for a 404 through getOrAbsent, and throws it through getJson', async () => {
    node = mockNode();
    node.pool
      .intercept({ path: '/public/api/projects/NOPE', method: 'GET' })
      .reply(404, dssError(NOT_FOUND, 'Project NOPE does not exist'))
      .times(2);

    await expect(node.client.getOrAbsent('/projects/NOPE')).resolves.toBeUndefined();
    const error = await node.client.getJson('/projects/NOPE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DssApiError);
    expect(error).toMatchObject({ status: 404, errorType: NOT_FOUND, code: 'DSS_NOT_FOUND', path: '/projects/NOPE' });
    expect(node.client.stats().errors).toBe(1);
  });

  it('explains a 403 as a missing privilege of the node key', async () => {
    node = mockNode();
    node.pool
      .intercept({ path: '/public/api/projects/CHURN/variables/', method: 'PUT' })
      .reply(403, dssError('com.dataiku.dip.exceptions.DKUSecurityException', 'Action forbidden: WRITE_CONF needed'));

    const error = (await node.client.putJson('/projects/CHURN/variables/', {}).catch((e: unknown) => e)) as DssApiError;

    expect(error).toBeInstanceOf(DssGitopsError);
    expect(error.message).toBe(
      'the API key for node design lacks privilege on PUT /projects/CHURN/variables/: Action forbidden: WRITE_CONF needed',
    );
    expect(error.fault).toBe('user');
    expect(error.code).toBe('DSS_UNAUTHORIZED');
  });

  it('explains a 401 as a refused key, and does not retry it', async () => {
    node = mockNode();
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).reply(401, dssError(UNAUTHORIZED, 'Invalid key'));

    await expect(node.client.getJson('/projects/')).rejects.toThrow(
      'the API key for node design was refused on GET /projects/: Invalid key',
    );
    expect(node.sleeps).toEqual([]);
  });

  it('carries the DSS errorType and message of other errors', async () => {
    node = mockNode();
    node.pool
      .intercept({ path: '/public/api/projects/', method: 'POST' })
      .reply(400, dssError('java.lang.IllegalArgumentException', 'Invalid project key'));

    const error = (await node.client.postJson('/projects/', {}).catch((e: unknown) => e)) as DssApiError;
    expect(error).toMatchObject({
      method: 'POST',
      status: 400,
      errorType: 'java.lang.IllegalArgumentException',
      dssMessage: 'Invalid project key',
      fault: 'remote',
    });
    expect(error.message).toBe('node design answered 400 (IllegalArgumentException) on POST /projects/: Invalid project key');
  });

  it('uses the start of a non-DSS error body as the message', async () => {
    node = mockNode({ defaults: testDefaults({ retries: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 1 } }) });
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).reply(502, '<html>Bad gateway</html>');

    await expect(node.client.getJson('/projects/')).rejects.toThrow('node design answered 502 on GET /projects/: <html>Bad gateway</html>');
  });

  it('reports connection failures with the node URL', async () => {
    node = mockNode({ defaults: testDefaults({ retries: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 1 } }) });
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).replyWithError(connectionError('ECONNREFUSED'));

    const error = (await node.client.getJson('/projects/').catch((e: unknown) => e)) as DssConnectionError;
    expect(error).toBeInstanceOf(DssConnectionError);
    expect(error.causeCode).toBe('ECONNREFUSED');
    expect(error.message).toContain('cannot reach node design at https://dss.example.test:11200 (GET /projects/)');
  });

  it('times out a request whose response does not come in time', async () => {
    node = mockNode({ defaults: testDefaults({ retries: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 1 } }) });
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).reply(200, []).delay(2_000);

    const error = await node.client.getJson('/projects/', { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DssTimeoutError);
    expect(error).toMatchObject({ code: 'DSS_TIMEOUT', timeoutMs: 20 });
  });

  it('rejects a 2xx body that is not JSON', async () => {
    node = mockNode();
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).reply(200, 'not json');

    await expect(node.client.getJson('/projects/')).rejects.toThrow('the response is not JSON: not json');
  });
});

describe('DSS client secrecy', () => {
  it('redacts a body echoing the API key before cutting it at 200 characters', async () => {
    node = mockNode({ defaults: testDefaults({ retries: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 100 } }) });
    const padding = 'x'.repeat(190);
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).reply(200, `${padding}${API_KEY}`);
    node.pool.intercept({ path: '/public/api/admin', method: 'GET' }).reply(400, `${padding}${API_KEY}`);
    for (const path of ['/projects/', '/admin']) {
      const error = await node.client.getJson(path).catch((e: unknown) => e);
      const message = String((error as { dssMessage?: string }).dssMessage);
      expect(message).toContain(`${padding}[redacted]`.slice(0, 200));
      expect(message).not.toContain(API_KEY.slice(0, 6));
    }
  });

  it('keeps the API key out of errors, logs and the printable forms of the client', async () => {
    node = mockNode({ defaults: testDefaults({ retries: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 100 } }) });
    // A proxy that echoes the credentials it got back into its error page.
    node.pool
      .intercept({ path: '/public/api/projects/', method: 'GET' })
      .reply(503, `upstream refused key ${API_KEY} (${BASIC})`);
    node.pool
      .intercept({ path: '/public/api/projects/', method: 'GET' })
      .replyWithError(connectionError('ECONNRESET'));
    node.pool.intercept({ path: '/public/api/admin', method: 'GET' }).reply(403, dssError(UNAUTHORIZED, `key ${API_KEY} denied`));

    const errors = [
      await node.client.getJson('/projects/').catch((e: unknown) => e),
      await node.client.getJson('/admin').catch((e: unknown) => e),
    ];
    const encoded = BASIC.slice('Basic '.length);
    const printed = [
      ...errors.map((e) => `${String(e)} ${inspect(e, { depth: 5 })} ${JSON.stringify(e)}`),
      JSON.stringify(node.logs),
      String(node.client),
      JSON.stringify(node.client),
      inspect(node.client, { depth: 5, showHidden: true }),
    ].join('\n');

    expect(printed).toContain('[redacted]');
    expect(printed).not.toContain(API_KEY);
    expect(printed).not.toContain(encoded);
    expect(node.logs.length).toBeGreaterThan(0);
  });

  it('removes the key from the low-level error kept as the cause of a connection error', async () => {
    node = mockNode({ defaults: testDefaults({ retries: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 1 } }) });
    const quoting = Object.assign(new Error(`reset while sending authorization: ${BASIC}`), { code: 'ECONNRESET' });
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).replyWithError(quoting);

    const error = (await node.client.getJson('/projects/').catch((e: unknown) => e)) as DssConnectionError;

    expect(error.causeCode).toBe('ECONNRESET');
    expect((error.cause as Error).message).toBe('reset while sending authorization: Basic [redacted]');
    expect(inspect(error, { depth: 5 })).not.toContain(BASIC.slice('Basic '.length));
  });

  it('drops credentials written into the node URL from its printable URL', async () => {
    node = mockNode({ node: { url: 'https://admin:hunter22@dss.example.test:11200' } });
    expect(node.client.url).toBe('https://dss.example.test:11200');
    expect(String(node.client)).not.toContain('hunter22');
  });

  it('warns when TLS verification is turned off', async () => {
    node = mockNode({ node: { insecure: true } });
    expect(node.logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'TLS certificate verification is disabled for node design (insecure)',
    ]);
  });
});

describe('DSS client counters', () => {
  it('counts reads and writes by method, retries and errors, and resets', async () => {
    node = mockNode();
    node.pool.intercept({ path: '/public/api/projects/', method: 'GET' }).reply(200, []);
    node.pool.intercept({ path: '/public/api/projects/A/metadata', method: 'GET' }).reply(503, '');
    node.pool.intercept({ path: '/public/api/projects/A/metadata', method: 'GET' }).reply(200, {});
    node.pool.intercept({ path: '/public/api/projects/A/metadata', method: 'PUT' }).reply(200, {});
    node.pool.intercept({ path: '/public/api/projects/', method: 'POST' }).reply(200, {});
    node.pool.intercept({ path: '/public/api/projects/B', method: 'DELETE' }).reply(400, dssError('x.Bad', 'no'));

    await node.client.getJson('/projects/');
    await node.client.getJson('/projects/A/metadata');
    await node.client.putJson('/projects/A/metadata', {});
    await node.client.postJson('/projects/', {});
    await node.client.deleteJson('/projects/B').catch(() => undefined);

    expect(node.client.stats()).toEqual({
      reads: 3,
      writes: 3,
      byMethod: { GET: 3, POST: 1, PUT: 1, DELETE: 1 },
      retries: 1,
      errors: 1,
    });
    node.client.resetStats();
    expect(node.client.stats()).toEqual({
      reads: 0,
      writes: 0,
      byMethod: { GET: 0, POST: 0, PUT: 0, DELETE: 0 },
      retries: 0,
      errors: 0,
    });
  });
});

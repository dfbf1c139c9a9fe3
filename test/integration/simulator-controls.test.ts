// The simulator's controls: request counts, reset, latency, faults, state dump and persistence.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createControlRouter, handleControl } from '../../src/simulator/controls.js';
import { basicAuth, startTestSimulator, useSimulators, type TestSimulator } from '../helpers/simulator.js';

const start = useSimulators();

async function control(sim: TestSimulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method,
    headers: { authorization: basicAuth(sim.adminKey) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

describe('request counts', () => {
  it('counts by method and route pattern, reads and writes, and never counts controls', async () => {
    const sim = await start();
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    await sim.ok('GET', '/projects/A/metadata');
    await sim.ok('GET', '/projects/A/metadata/', undefined, { basePath: '/dip/publicapi' });
    await sim.call('GET', '/nowhere');
    await control(sim, 'GET', '/stats');
    expect(sim.stats()).toEqual({
      total: 4,
      reads: 3,
      writes: 1,
      byMethod: { GET: 3, POST: 1 },
      byRoute: { 'POST /projects': 1, 'GET /projects/:projectKey/metadata': 2, 'GET (unmatched)': 1 },
    });
    expect((await control(sim, 'GET', '/stats')).json).toEqual(sim.stats());
  });

  it('resets counts and state separately', async () => {
    const sim = await start();
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    sim.reset({ stats: true, state: false });
    expect(sim.stats().total).toBe(0);
    expect(await sim.ok('GET', '/projects/')).toHaveLength(1);
    await control(sim, 'POST', '/reset?stats=false');
    expect(await sim.ok('GET', '/projects/')).toHaveLength(0);
    expect(sim.stats().total).toBe(2);
    await control(sim, 'POST', '/reset', { state: false });
    expect(sim.stats().total).toBe(0);
  });
});

describe('request timing', () => {
  interface Timed {
    total: number;
    timing: { originMs: number; firstArrivalMs: number | null; lastArrivalMs: number | null } | null;
  }

  it('GET /stats?timing=true adds when the first and the last counted request arrived, before their latency', async () => {
    const sim = await start({ latencyMs: 40 });
    expect(((await control(sim, 'GET', '/stats?timing=true')).json as Timed).timing).toEqual({
      originMs: expect.any(Number),
      firstArrivalMs: null,
      lastArrivalMs: null,
    });
    const sent = performance.timeOrigin + performance.now();
    await sim.ok('GET', '/projects/');
    const between = performance.timeOrigin + performance.now();
    await sim.ok('GET', '/projects/');
    await control(sim, 'GET', '/latency');
    const { json } = await control(sim, 'GET', '/stats?timing=true');
    const { total, timing } = json as Timed;
    expect(total).toBe(2);
    if (!timing || timing.firstArrivalMs === null || timing.lastArrivalMs === null) throw new Error(`no timing: ${JSON.stringify(json)}`);
    // The simulator's clock, made a Unix time by its origin: the first arrived after it was sent, and the answer
    // came back after the latency; the second came after that answer. Controls are not timed.
    expect(timing.originMs + timing.firstArrivalMs).toBeGreaterThanOrEqual(sent - 1);
    expect(timing.originMs + timing.firstArrivalMs).toBeLessThanOrEqual(between - 40 + 1);
    expect(timing.lastArrivalMs - timing.firstArrivalMs).toBeGreaterThanOrEqual(39);
    expect(timing.originMs + timing.lastArrivalMs).toBeLessThanOrEqual(performance.timeOrigin + performance.now() - 40 + 1);
    // Without the flag, the counts alone, as always.
    expect(Object.keys((await control(sim, 'GET', '/stats')).json as object)).toEqual(['total', 'reads', 'writes', 'byMethod', 'byRoute']);
  });

  it('a reset of the counts answers with the counts and timing it cleared; a reset that keeps them does not', async () => {
    const sim = await start();
    await sim.ok('GET', '/projects/');
    await sim.ok('GET', '/projects/');
    const before = (await control(sim, 'GET', '/stats?timing=true')).json as Timed;
    const reset = (await control(sim, 'POST', '/reset?stats=true&state=false')).json as { msg: string; stats: Timed };
    expect(reset).toEqual({ msg: 'reset', stats: before });
    expect(((await control(sim, 'GET', '/stats?timing=true')).json as Timed).timing?.firstArrivalMs).toBeNull();
    await sim.ok('GET', '/projects/');
    expect((await control(sim, 'POST', '/reset?stats=false')).json).toEqual({ msg: 'reset' });
    expect(sim.stats().total).toBe(1);
  });
});

describe('state dump', () => {
  it('dumps the state and replaces it over HTTP', async () => {
    const sim = await start();
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    const dump = (await control(sim, 'GET', '/state')).json as { design: { projects: Record<string, unknown> } };
    expect(Object.keys(dump.design.projects)).toEqual(['A']);
    sim.reset();
    expect((await control(sim, 'PUT', '/state', dump)).status).toBe(200);
    expect(await sim.ok('GET', '/projects/A/variables')).toEqual({ standard: {}, local: {} });
    expect((await control(sim, 'PUT', '/state', { nothing: true })).status).toBe(400);
    expect((await control(sim, 'GET', '/nope')).status).toBe(404);
  });
});

describe('persistence', () => {
  it('keeps the state across a restart, written atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dss-sim-'));
    const stateFile = join(dir, 'nested', 'state.json');
    const first = await startTestSimulator({ stateFile });
    await first.ok('POST', '/projects/', { projectKey: 'KEPT', name: 'Kept' });
    await first.ok('PUT', '/projects/KEPT/variables', { standard: { a: 1 }, local: {} });
    await first.close();
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ formatVersion: 1 });

    const second = await start({ stateFile });
    expect(await second.ok('GET', '/projects/KEPT/variables')).toEqual({ standard: { a: 1 }, local: {} });
    await second.ok('DELETE', '/projects/KEPT');
    await second.flush();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).design.projects).toEqual({});
  });
});

describe('latency', () => {
  it('delays API requests by the configured latency, settable at run time', async () => {
    const sim = await start({ latencyMs: 120 });
    let started = performance.now();
    await sim.ok('GET', '/projects/');
    // A lower bound only: the injected delay is behaviour, the speed of the rest is not asserted.
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect((await control(sim, 'PUT', '/latency', { latencyMs: 0 })).status).toBe(200);
    expect(sim.latency()).toBe(0);
    sim.setLatency(200);
    expect((await control(sim, 'GET', '/latency')).json).toEqual({ latencyMs: 200 });
    started = performance.now();
    await sim.ok('GET', '/projects/');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await control(sim, 'PUT', '/latency', { latencyMs: -1 })).status).toBe(400);
  });
});

describe('faults', () => {
  it('answers 500/502/503 at the configured rate with a DSS error body', async () => {
    // Draws in order: rate, pick of the status (only when failing), rate, ...
    const draws = [0.1, 0.0, 0.9, 0.2, 0.99, 0.7];
    const sim = await start({ random: () => draws.shift() ?? 0.99, faults: [{ kind: 'status', status: [500, 502, 503], rate: 0.5 }] });
    const first = await sim.call('GET', '/projects/');
    expect(first.status).toBe(500);
    expect(first.json).toMatchObject({ errorType: expect.any(String), message: expect.any(String) });
    expect(first.headers.get('dss-version')).toBeTruthy();
    expect((await sim.call('GET', '/projects/')).status).toBe(200);
    expect((await sim.call('GET', '/projects/')).status).toBe(503);
    expect((await sim.call('GET', '/projects/')).status).toBe(200);
    expect(sim.stats().total).toBe(4);
  });

  it('throttles with 429 and Retry-After', async () => {
    const sim = await start({ faults: [{ kind: 'throttle', retryAfterSeconds: 3, times: 1 }] });
    const throttled = await sim.call('GET', '/projects/');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect((await sim.call('GET', '/projects/')).status).toBe(200);
    expect(sim.faults()).toEqual([]);
  });

  it('drops the connection', async () => {
    const sim = await start({ faults: [{ kind: 'drop', times: 1 }] });
    const agent = new Agent();
    try {
      const attempt = request(`${sim.url}/public/api/projects/`, {
        dispatcher: agent,
        headers: { authorization: `Basic ${Buffer.from(`${sim.adminKey}:`).toString('base64')}` },
      });
      await expect(attempt).rejects.toThrow(/other side closed|socket|ECONNRESET/i);
    } finally {
      await agent.close();
    }
    expect((await sim.call('GET', '/projects/')).status).toBe(200);
  });

  async function rawPost(sim: TestSimulator, path: string, body: unknown): Promise<unknown> {
    const agent = new Agent();
    try {
      const response = await request(`${sim.url}/public/api${path}`, {
        method: 'POST',
        dispatcher: agent,
        body: JSON.stringify(body),
        headers: { authorization: `Basic ${Buffer.from(`${sim.adminKey}:`).toString('base64')}` },
      });
      return await response.body.json();
    } finally {
      await agent.close();
    }
  }

  it('loses the answer of a request it handled (lost-response): the write took effect', async () => {
    const sim = await start({ faults: [{ kind: 'lost-response', method: 'POST', times: 1 }] });
    await expect(rawPost(sim, '/projects/', { projectKey: 'LOST', name: 'Lost' })).rejects.toThrow(/other side closed|socket|ECONNRESET/i);
    expect(await sim.ok('GET', '/projects/LOST/metadata')).toMatchObject({ label: 'Lost' });
    expect(sim.stats().faults).toEqual({ 'lost-response': 1 });
  });

  it('breaks the connection before handling a request (reset-before): nothing happened', async () => {
    const sim = await start({ faults: [{ kind: 'reset-before', method: 'POST', times: 1 }] });
    await expect(rawPost(sim, '/projects/', { projectKey: 'RESET', name: 'Reset' })).rejects.toThrow(/other side closed|socket|ECONNRESET/i);
    expect((await sim.call('GET', '/projects/RESET/metadata')).status).toBe(404);
    expect(sim.stats().faults).toEqual({ 'reset-before': 1 });
  });

  it('draws every matching rule at its own rate, and counts the faults by kind', async () => {
    // A first rule that does not fire leaves the second its own draw.
    const draws = [0.9, 0.1, 0.0, 0.9, 0.9];
    const sim = await start({
      random: () => draws.shift() ?? 0.99,
      faults: [
        { kind: 'throttle', rate: 0.5 },
        { kind: 'status', status: [500], rate: 0.5, method: 'GET' },
      ],
    });
    expect((await sim.call('GET', '/projects/')).status).toBe(500);
    expect((await sim.call('GET', '/projects/')).status).toBe(200);
    expect(sim.stats().faults).toEqual({ 'status 500': 1 });
    expect((await control(sim, 'GET', '/stats')).json).toMatchObject({ faults: { 'status 500': 1 } });
  });

  it('fails only the matching method, route pattern or path, for the next N requests', async () => {
    const sim = await start();
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    await sim.ok('POST', '/projects/', { projectKey: 'B', name: 'B' });
    sim.addFault({ kind: 'status', status: 502, method: 'PUT', route: '/projects/:projectKey/variables', times: 2 });
    const body = { standard: {}, local: {} };
    expect((await sim.call('GET', '/projects/A/variables')).status).toBe(200);
    expect((await sim.call('PUT', '/projects/A/variables', body)).status).toBe(502);
    expect((await sim.call('PUT', '/projects/B/variables/', body)).status).toBe(502);
    expect((await sim.call('PUT', '/projects/A/variables', body)).status).toBe(204);

    const added = await control(sim, 'POST', '/faults', { kind: 'status', status: 503, path: '/projects/B/metadata/' });
    expect(added.json).toEqual([{ kind: 'status', status: 503, path: '/projects/B/metadata/' }]);
    expect((await sim.call('GET', '/projects/A/metadata')).status).toBe(200);
    expect((await sim.call('GET', '/projects/B/metadata')).status).toBe(503);
    expect((await sim.call('GET', '/projects/B/metadata')).status).toBe(503);
    await control(sim, 'DELETE', '/faults');
    expect((await sim.call('GET', '/projects/B/metadata')).status).toBe(200);

    expect((await control(sim, 'PUT', '/faults', [{ kind: 'explode' }])).status).toBe(400);
    expect((await control(sim, 'PUT', '/faults', [{ kind: 'status', rate: 2 }])).status).toBe(400);
    expect((await control(sim, 'PUT', '/faults', [{ kind: 'drop', method: 'DELETE' }])).status).toBe(200);
    expect(sim.faults()).toEqual([{ kind: 'drop', method: 'DELETE' }]);
  });
});

describe('control access', () => {
  it('needs the admin key: 401 without a key or with an unknown one, 403 with a key that is not admin', async () => {
    const sim = await start({ apiKeys: [{ key: 'project-key-3b7a', login: 'dev', projects: { A: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/state'],
      ['GET', '/stats'],
      ['PUT', '/state', { formatVersion: 1 }],
      ['POST', '/reset'],
      ['PUT', '/latency', { latencyMs: 5 }],
      ['GET', '/deployer/config'],
      ['PUT', '/deployer/config', { deployerUrl: 'http://127.0.0.1:1', deployerApiKey: 'x' }],
    ];
    for (const [method, path, body] of attempts) {
      const anonymous = await sim.call(method, `/__sim${path}`, body, { basePath: '', key: null });
      expect(anonymous.status, `${method} ${path} without a key`).toBe(401);
      expect(anonymous.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.UnauthorizedException' });
      expect((await sim.call(method, `/__sim${path}`, body, { basePath: '', key: 'nobody' })).status).toBe(401);
      const notAdmin = await sim.call(method, `/__sim${path}`, body, { basePath: '', key: 'project-key-3b7a' });
      expect(notAdmin.status, `${method} ${path} with a project key`).toBe(403);
      expect(notAdmin.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException' });
    }
    // Nothing was changed by the refused calls.
    expect(Object.keys(sim.state().design.projects)).toEqual(['A']);
    expect(sim.latency()).toBe(0);
    expect(sim.state().deployer.config.remoteDeployer).toBeUndefined();
  });
});

describe('control families', () => {
  it('serves the deployer controls at /__sim/deployer with the admin key, uncounted, and no longer under the API base path', async () => {
    const sim = await start();
    const config = await control(sim, 'PUT', '/deployer/config/', { futureStepMs: 25 });
    expect(config).toEqual({ status: 200, json: { futureStepMs: 25, deployerUrl: null, deployerApiKeySet: false } });
    expect((await control(sim, 'PUT', '/deployer/failing-bundles/v2')).json).toEqual(['v2']);
    expect((await control(sim, 'GET', '/deployer/failing-bundles')).json).toEqual(['v2']);
    expect((await control(sim, 'DELETE', '/deployer/failing-bundles/v2')).json).toEqual([]);
    expect(sim.state().deployer.config.futureStepMs).toBe(25);
    expect(sim.stats().total).toBe(0);
    expect((await sim.call('GET', '/__sim/deployer/config')).status).toBe(404);
  });

  it('answers 404 for an unknown control and 405 for a known one under another method, with DSS error bodies', async () => {
    const sim = await start();
    const missing = await control(sim, 'GET', '/nowhere');
    expect(missing).toMatchObject({ status: 404, json: { errorType: 'com.dataiku.dip.server.controllers.NotFoundException' } });
    const wrongMethod = await control(sim, 'PATCH', '/deployer/config', {});
    expect(wrongMethod.status).toBe(405);
    const badBody = await control(sim, 'PUT', '/deployer/config', { futureStepMs: -1 });
    expect(badBody).toMatchObject({ status: 400, json: { errorType: 'java.lang.IllegalArgumentException' } });
  });

  it('lets a family add its controls through a registrar, with the node context and the controls', async () => {
    const seen: string[] = [];
    const router = createControlRouter([
      (r) =>
        r.post('/example/:name', (req, ctx) => {
          seen.push(`${req.params.name}:${ctx.controls.latency()}`);
          ctx.changed();
          return { json: { name: req.params.name } };
        }),
    ]);
    let changes = 0;
    const sim = await start();
    const ctx = { state: sim.state(), changed: () => changes++, now: Date.now, url: sim.url, userLogin: 'admin', canRead: () => true, controls: sim };
    const request = { method: 'POST', path: '/example/hello', query: new URLSearchParams(), body: undefined, rawBody: Buffer.alloc(0), headers: {}, apiKey: '' };
    expect(await handleControl(router, request, ctx)).toEqual({ json: { name: 'hello' } });
    expect(seen).toEqual(['hello:0']);
    expect(changes).toBe(1);
    await expect(handleControl(router, { ...request, path: '/stats', method: 'GET' }, ctx)).rejects.toMatchObject({ status: 404 });
  });
});

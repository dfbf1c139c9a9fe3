// The DSS client against the simulator over real HTTP: auth errors, absence, both base paths, round trips,
// retries of injected faults, and counters that agree with what the node saw.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type NodeConfig } from '../../src/config/types.js';
import { createDssClient } from '../../src/dss/client.js';
import { DssApiError, DssConnectionError, DssTimeoutError } from '../../src/dss/errors.js';
import type { DssClient } from '../../src/dss/types.js';
import type { Logger } from '../../src/base/logger.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const SCOPED_KEY = 'scoped-key-for-churn-only';

let sim: TestSimulator;
const clients: DssClient[] = [];

beforeAll(async () => {
  sim = await startTestSimulator({
    apiKeys: [{ key: SCOPED_KEY, login: 'analyst', projects: { CHURN: ['READ_CONF'] } }],
  });
});

afterAll(async () => {
  await sim.close();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.reset({ stats: true, state: true, faults: true });
});

interface Recorded {
  client: DssClient;
  delays: number[];
  lines: string[];
}

function connect(node: Partial<NodeConfig> = {}): Recorded {
  const delays: number[] = [];
  const lines: string[] = [];
  const keep = (obj: object, msg?: string): void => {
    lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
  };
  const logger: Logger = { debug: keep, info: keep, warn: keep, error: keep };
  const client = createDssClient(
    { url: sim.url, apiKey: sim.adminKey, ...node },
    {
      nodeName: 'design',
      defaults: DEFAULTS,
      logger,
      // Real HTTP, but retry waits are recorded instead of slept.
      timing: { sleep: (ms) => (delays.push(ms), Promise.resolve()) },
    },
  );
  clients.push(client);
  return { client, delays, lines };
}

async function createChurn(client: DssClient): Promise<void> {
  await client.postJson('/projects/', { projectKey: 'CHURN', name: 'Churn', owner: 'admin' });
}

describe('DSS client against the simulator', () => {
  it('makes a real round trip: create, read, GET-modify-PUT, read back', async () => {
    const { client } = connect();
    await createChurn(client);

    const variables = await client.getJson<{ standard: Record<string, unknown>; local: Record<string, unknown> }>(
      '/projects/CHURN/variables/',
    );
    await client.putJson('/projects/CHURN/variables/', { ...variables, standard: { threshold: 0.8 } });
    const after = await client.getJson<{ standard: Record<string, unknown> }>('/projects/CHURN/variables/');

    expect(after.standard).toEqual({ threshold: 0.8 });
    expect(client.dssVersion).toEqual(expect.any(String));
    expect(client.stats()).toEqual({
      reads: 2,
      writes: 2,
      byMethod: { GET: 2, POST: 1, PUT: 1, DELETE: 0 },
      retries: 0,
      errors: 0,
    });
    expect(sim.stats()).toMatchObject({ reads: 2, writes: 2 });
  });

  it('serves both base paths', async () => {
    await createChurn(connect().client);
    for (const basePath of ['/public/api', '/dip/publicapi']) {
      const { client } = connect({ basePath });
      const projects = await client.getJson<{ projectKey: string }[]>('/projects/');
      expect(projects.map((p) => p.projectKey)).toEqual(['CHURN']);
    }
  });

  it('answers undefined for an absent object, and a typed error through getJson', async () => {
    const { client } = connect();

    await expect(client.getOrAbsent('/projects/NOPE/variables/')).resolves.toBeUndefined();
    const error = await client.getJson('/projects/NOPE/variables/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DssApiError);
    expect(error).toMatchObject({ status: 404, errorType: 'com.dataiku.dip.server.controllers.NotFoundException' });
  });

  it('explains a wrong key (401) without showing it', async () => {
    const wrongKey = 'this-key-does-not-exist-42';
    const { client, lines } = connect({ apiKey: wrongKey });

    const error = (await client.getJson('/projects/').catch((e: unknown) => e)) as DssApiError;

    expect(error.status).toBe(401);
    expect(error.message).toBe('the API key for node design was refused on GET /projects/: Invalid API key');
    expect(`${error.message} ${JSON.stringify(error)} ${lines.join('\n')}`).not.toContain(wrongKey);
  });

  it('explains a key scoped to reading (403) as a missing privilege', async () => {
    await createChurn(connect().client);
    const { client } = connect({ apiKey: SCOPED_KEY });

    await expect(client.getJson('/projects/CHURN/variables/')).resolves.toMatchObject({ standard: {} });
    await expect(client.putJson('/projects/CHURN/variables/', { standard: {}, local: {} })).rejects.toThrow(
      'the API key for node design lacks privilege on PUT /projects/CHURN/variables/: Action forbidden: you need WRITE_CONF on project CHURN',
    );
  });

  it('retries injected 503s and dropped connections on a PUT, and a throttled POST after Retry-After', async () => {
    const { client, delays } = connect();
    sim.addFault({ kind: 'throttle', method: 'POST', retryAfterSeconds: 2, times: 1 });
    await createChurn(client);
    sim.addFault({ kind: 'status', status: 503, method: 'PUT', times: 1 });
    sim.addFault({ kind: 'drop', method: 'PUT', times: 1 });

    await client.putJson('/projects/CHURN/variables/', { standard: { a: 1 }, local: {} });

    expect(delays[0]).toBe(2_000);
    expect(delays).toHaveLength(3);
    expect(client.stats()).toMatchObject({ byMethod: { POST: 2, PUT: 3 }, retries: 3, errors: 0 });
    await expect(client.getJson('/projects/CHURN/variables/')).resolves.toMatchObject({ standard: { a: 1 } });
  });

  it('does not retry a POST the node answered 503', async () => {
    const { client, delays } = connect();
    sim.addFault({ kind: 'status', status: 503, method: 'POST', times: 1 });

    await expect(createChurn(client)).rejects.toMatchObject({ status: 503 });
    expect(delays).toEqual([]);
    await expect(client.getOrAbsent('/projects/CHURN/variables/')).resolves.toBeUndefined();
  });

  it('times out a request that waits for a free connection at its own deadline, and never sends it', async () => {
    const client = createDssClient(
      { url: sim.url, apiKey: sim.adminKey },
      { nodeName: 'design', defaults: { ...DEFAULTS, parallelism: 1, retries: { ...DEFAULTS.retries, attempts: 1 } } },
    );
    clients.push(client);
    sim.setLatency(400);
    try {
      const first = client.getJson('/projects/');
      const started = performance.now();
      const error = (await client.getJson('/projects/', { timeoutMs: 50 }).catch((e: unknown) => e)) as DssTimeoutError;
      const waited = performance.now() - started;
      expect(error).toBeInstanceOf(DssTimeoutError);
      expect(error.message).toContain('GET /projects/');
      // Before the first request's answer, which holds the only connection for 400 ms.
      expect(waited).toBeLessThan(300);
      await expect(first).resolves.toEqual([]);
    } finally {
      sim.setLatency(0);
    }
    expect(sim.stats().total).toBe(1);
  });

  it('stops a request in flight as soon as its caller aborts, with the caller\'s reason, and does not retry it', async () => {
    const { client, delays } = connect();
    sim.setLatency(400);
    try {
      const controller = new AbortController();
      const started = performance.now();
      const call = client.getJson('/projects/', { signal: controller.signal }).catch((e: unknown) => e);
      setTimeout(() => controller.abort(new Error('stopped by the user')), 30);
      const error = (await call) as Error;
      const waited = performance.now() - started;
      expect(error.message).toBe('stopped by the user');
      // Long before the answer, which the simulator holds for 400 ms.
      expect(waited).toBeLessThan(300);
      expect(delays).toEqual([]);
      expect(client.stats()).toMatchObject({ reads: 1, retries: 0, errors: 1 });
    } finally {
      sim.setLatency(0);
    }
  });

  it('reports a node that does not listen as a connection error naming its URL', async () => {
    const { client } = connect({ url: 'http://127.0.0.1:1' });

    const error = (await client.getJson('/projects/').catch((e: unknown) => e)) as DssConnectionError;

    expect(error).toBeInstanceOf(DssConnectionError);
    expect(error.causeCode).toBe('ECONNREFUSED');
    expect(error.message).toContain('cannot reach node design at http://127.0.0.1:1');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { DssApiError, DssConnectionError } from '../../src/dss/errors.js';
import type { HttpMethod } from '../../src/dss/types.js';
import { connectionError, mockNode, testDefaults, type MockNode } from './dss-mock-node.js';

let node: MockNode;

afterEach(async () => {
  node.agent.assertNoPendingInterceptors();
  await node.agent.close();
});

const PATH = '/public/api/projects/CHURN/variables/';

function call(method: HttpMethod): Promise<unknown> {
  return node.client.request(method, '/projects/CHURN/variables/', method === 'GET' || method === 'DELETE' ? {} : { body: {} });
}

describe('retries of transient failures', () => {
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    for (const status of [500, 502, 503, 504]) {
      it(`retries a ${method} answered ${status}, with full-jitter backoff`, async () => {
        node = mockNode();
        node.pool.intercept({ path: PATH, method }).reply(status, '').times(2);
        node.pool.intercept({ path: PATH, method }).reply(200, { ok: true });

        await expect(call(method)).resolves.toEqual({ ok: true });
        // random() = 0.5 of min(1000, 100·2^n): 50 then 100.
        expect(node.sleeps).toEqual([50, 100]);
        expect(node.client.stats()).toMatchObject({ retries: 2, errors: 0 });
      });
    }

    it(`retries a ${method} after connection errors`, async () => {
      node = mockNode();
      node.pool.intercept({ path: PATH, method }).replyWithError(connectionError('ECONNRESET'));
      node.pool.intercept({ path: PATH, method }).replyWithError(connectionError('UND_ERR_SOCKET'));
      node.pool.intercept({ path: PATH, method }).replyWithError(connectionError('ECONNREFUSED'));
      node.pool.intercept({ path: PATH, method }).reply(200, {});

      await expect(call(method)).resolves.toEqual({});
      expect(node.sleeps).toHaveLength(3);
    });
  }

  it('sends a request with attempts: 1 once: its transient failure is the caller\'s, with no retry and no sleep', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(503, '');

    await expect(node.client.getJson('/projects/CHURN/variables/', { attempts: 1 })).rejects.toBeInstanceOf(DssApiError);
    expect(node.sleeps).toEqual([]);
    expect(node.client.stats()).toMatchObject({ reads: 1, retries: 0, errors: 1 });
  });

  it('never takes more attempts than the client allows, whatever attempts asks', async () => {
    node = mockNode({ defaults: testDefaults({ retries: { attempts: 2, baseDelayMs: 100, maxDelayMs: 1_000, maxElapsedMs: 60_000 } }) });
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(503, '').times(2);

    await expect(node.client.getJson('/projects/CHURN/variables/', { attempts: 10 })).rejects.toBeInstanceOf(DssApiError);
    expect(node.client.stats()).toMatchObject({ reads: 2, retries: 1 });
  });

  it('draws each delay from [0, min(maxDelay, base·2^retry))', async () => {
    node = mockNode({ random: () => 0.999 });
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(503, '').times(3);
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(200, {});

    await call('GET');
    expect(node.sleeps).toEqual([99, 199, 399]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    node = mockNode({
      random: () => 0.999,
      defaults: testDefaults({ retries: { attempts: 6, baseDelayMs: 100, maxDelayMs: 300, maxElapsedMs: 60_000 } }),
    });
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(503, '').times(5);
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(200, {});

    await call('GET');
    expect(node.sleeps).toEqual([99, 199, 299, 299, 299]);
  });

  it('does not retry a POST answered 503', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'POST' }).reply(503, '');

    await expect(call('POST')).rejects.toMatchObject({ status: 503 });
    expect(node.sleeps).toEqual([]);
    expect(node.client.stats()).toMatchObject({ writes: 1, retries: 0, errors: 1 });
  });

  it('does not retry a POST after a connection error', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'POST' }).replyWithError(connectionError('ECONNRESET'));

    await expect(call('POST')).rejects.toBeInstanceOf(DssConnectionError);
    expect(node.sleeps).toEqual([]);
  });

  it('retries a POST whose connection was refused: it never reached DSS', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'POST' }).replyWithError(connectionError('ECONNREFUSED'));
    node.pool.intercept({ path: PATH, method: 'POST' }).reply(200, { created: true });

    await expect(call('POST')).resolves.toEqual({ created: true });
    expect(node.sleeps).toEqual([50]);
  });

  it('retries a POST answered 429, waiting the Retry-After seconds', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'POST' }).reply(429, '', { headers: { 'retry-after': '3' } });
    node.pool.intercept({ path: PATH, method: 'POST' }).reply(200, { created: true });

    await expect(call('POST')).resolves.toEqual({ created: true });
    expect(node.sleeps).toEqual([3_000]);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    node = mockNode();
    const at = new Date(node.clock.now + 7_000).toUTCString();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(429, '', { headers: { 'retry-after': at } });
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(200, {});

    await call('GET');
    // HTTP dates have whole seconds: the wait is the remaining time to that second.
    expect(node.sleeps).toHaveLength(1);
    expect(node.sleeps[0]).toBeGreaterThan(6_000);
    expect(node.sleeps[0]).toBeLessThanOrEqual(7_000);
  });

  it('falls back to backoff on a 429 without Retry-After', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(429, '');
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(200, {});

    await call('GET');
    expect(node.sleeps).toEqual([50]);
  });

  it('gives up after the configured attempts with the last error', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(502, '').times(3);
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(504, 'gateway timeout');

    const error = await call('GET').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DssApiError);
    expect(error).toMatchObject({ status: 504 });
    expect(node.client.stats()).toMatchObject({ reads: 4, retries: 3, errors: 1 });
  });

  it('gives up when the next wait would exceed maxElapsedMs', async () => {
    node = mockNode({
      random: () => 0.999,
      defaults: testDefaults({ retries: { attempts: 10, baseDelayMs: 1_000, maxDelayMs: 10_000, maxElapsedMs: 5_000 } }),
    });
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(503, '').times(3);

    await expect(call('GET')).rejects.toMatchObject({ status: 503 });
    // 999 + 1998 ms spent; the next wait (3996) would end past 5000.
    expect(node.sleeps).toEqual([999, 1_998]);
  });

  it('does not wait for a Retry-After beyond the time budget', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(429, '', { headers: { 'retry-after': '120' } });

    await expect(call('GET')).rejects.toMatchObject({ status: 429 });
    expect(node.sleeps).toEqual([]);
  });

  it('never retries permanent errors', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'PUT' }).reply(501, '');
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(400, '');

    await expect(call('PUT')).rejects.toMatchObject({ status: 501 });
    await expect(call('GET')).rejects.toMatchObject({ status: 400 });
    expect(node.sleeps).toEqual([]);
  });

  it('retries a GET that timed out', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(200, { late: true }).delay(2_000);
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(200, { late: false });

    await expect(node.client.getJson('/projects/CHURN/variables/', { timeoutMs: 20 })).resolves.toEqual({ late: false });
    expect(node.sleeps).toEqual([50]);
  });

  it('stops retrying when the caller aborts', async () => {
    node = mockNode();
    const controller = new AbortController();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(() => {
      controller.abort(new Error('stopped by the user'));
      return { statusCode: 503, data: '' };
    });

    await expect(node.client.getJson('/projects/CHURN/variables/', { signal: controller.signal })).rejects.toThrow(
      'stopped by the user',
    );
  });

  it('logs each retry at warn level', async () => {
    node = mockNode();
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(503, '');
    node.pool.intercept({ path: PATH, method: 'GET' }).reply(200, {});

    await call('GET');
    const warnings = node.logs.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.obj).toMatchObject({ node: 'design', method: 'GET', attempt: 1, delayMs: 50 });
  });
});

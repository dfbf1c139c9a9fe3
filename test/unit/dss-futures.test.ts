import { afterEach, describe, expect, it } from 'vitest';
import { DssApiError, DssFutureError } from '../../src/dss/errors.js';
import { readProgress } from '../../src/dss/futures.js';
import type { FutureProgress } from '../../src/dss/types.js';
import { mockNode, type MockNode } from './dss-mock-node.js';

let node: MockNode;

const FUTURE = '/public/api/futures/job42?peek=false';

const running = (cur: number): object => ({
  jobId: 'job42',
  hasResult: false,
  alive: true,
  aborted: false,
  progress: { states: [{ name: 'Updating deployment', unit: 'NONE', target: 4, cur }] },
});

describe('waitForFuture', () => {
  afterEach(async () => {
    node.agent.assertNoPendingInterceptors();
    await node.agent.close();
  });

  it('polls until the job has a result, backing off from 100 ms to 2 s, and reports progress changes', async () => {
    node = mockNode();
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, running(0)).times(2);
    for (const cur of [1, 2, 3]) node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, running(cur));
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, running(3)).times(2);
    node.pool
      .intercept({ path: FUTURE, method: 'GET' })
      .reply(200, { jobId: 'job42', hasResult: true, alive: false, result: { deployed: 'v12' } });
    const progress: FutureProgress[] = [];

    const result = await node.client.waitForFuture('job42', { onProgress: (p) => progress.push(p) });

    expect(result).toEqual({ deployed: 'v12' });
    expect(node.sleeps).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
    expect(progress).toEqual([0, 1, 2, 3].map((cur) => ({
      jobId: 'job42',
      states: [`Updating deployment (${cur}/4)`],
      fraction: cur / 4,
    })));
  });

  it('surfaces a failed job as the DssApiError DSS answers, with its message', async () => {
    node = mockNode();
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, running(1));
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(500, {
      errorType: 'com.dataiku.dip.exceptions.CodedException',
      message: 'Deployment failed: infra unreachable',
    });

    const error = await node.client.waitForFuture('job42').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DssApiError);
    expect((error as DssApiError).dssMessage).toBe('Deployment failed: infra unreachable');
  });

  it('times out, asking DSS to abort the job', async () => {
    node = mockNode();
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, running(0)).persist();
    node.pool.intercept({ path: '/public/api/futures/job42', method: 'DELETE' }).reply(200, {});

    const error = await node.client.waitForFuture('job42', { timeoutMs: 1_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DssFutureError);
    expect(error).toMatchObject({ reason: 'timeout', code: 'DSS_FUTURE_TIMEOUT', jobId: 'job42' });
    expect((error as Error).message).toBe('job job42 on node design did not finish within 1000 ms');
    // 100 + 200 + 400 = 700, then the remaining 300.
    expect(node.sleeps).toEqual([100, 200, 400, 300]);
  });

  it('stops on abort, asking DSS to abort the job, even if that fails', async () => {
    node = mockNode();
    const controller = new AbortController();
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, running(0));
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(() => {
      controller.abort();
      return { statusCode: 200, data: running(1) };
    });
    node.pool.intercept({ path: '/public/api/futures/job42', method: 'DELETE' }).reply(404, {
      errorType: 'com.dataiku.dip.server.controllers.NotFoundException',
      message: 'no such job',
    });

    await expect(node.client.waitForFuture('job42', { signal: controller.signal })).rejects.toMatchObject({
      reason: 'aborted',
      code: 'DSS_FUTURE_ABORTED',
    });
    expect(node.logs.some((l) => l.msg === 'could not abort the DSS job')).toBe(true);
  });

  it('reports a job that DSS aborted', async () => {
    node = mockNode();
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, { jobId: 'job42', hasResult: false, aborted: true });

    await expect(node.client.waitForFuture('job42')).rejects.toThrow('job job42 on node design was aborted in DSS');
  });

  it('retries a poll that hit a transient failure', async () => {
    node = mockNode();
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(503, '');
    node.pool.intercept({ path: FUTURE, method: 'GET' }).reply(200, { hasResult: true, result: 'done' });

    await expect(node.client.waitForFuture('job42')).resolves.toBe('done');
  });
});

describe('readProgress', () => {
  it('reads the list form of the reference, outermost first, with units', () => {
    expect(
      readProgress('j', [
        { name: 'Exporting', unit: 'SIZE', target: 200, cur: 50 },
        { name: 'Compressing', unit: 'NONE', target: 0, cur: 0 },
      ]),
    ).toEqual({ jobId: 'j', states: ['Exporting (50/200 size)', 'Compressing'], fraction: 0.25 });
  });

  it('tolerates missing or odd progress', () => {
    expect(readProgress('j', undefined)).toEqual({ jobId: 'j', states: [] });
    expect(readProgress('j', { states: [{}] })).toEqual({ jobId: 'j', states: ['working'] });
  });
});

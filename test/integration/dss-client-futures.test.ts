// waitForFuture over real HTTP against a small node:http server that plays DSS's futures endpoints: a job that
// advances and finishes, one that fails (answered as an HTTP error, as DSS does), and one that never ends.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/types.js';
import { createDssClient } from '../../src/dss/client.js';
import { DssApiError, DssFutureError } from '../../src/dss/errors.js';
import type { DssClient, FutureProgress } from '../../src/dss/types.js';

const KEY = 'futures-test-key';
let server: Server;
let url: string;
const polls = new Map<string, number>();
const aborted: string[] = [];

function futureAnswer(jobId: string, poll: number): { status: number; body: unknown } {
  if (jobId === 'fails' && poll >= 2) {
    return {
      status: 500,
      body: { errorType: 'com.dataiku.dip.exceptions.CodedException', message: 'Bundle activation failed: missing connection' },
    };
  }
  if (jobId === 'finishes' && poll >= 4) {
    return { status: 200, body: { jobId, hasResult: true, alive: false, aborted: false, result: { ok: true } } };
  }
  const progress = [{ name: 'Activating bundle', unit: 'NONE', target: 4, cur: Math.min(poll, 4), depth: 0 }];
  return { status: 200, body: { jobId, hasResult: false, alive: true, aborted: false, progress } };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/public\/api\/futures\/([^/]+)$/.exec(target.pathname);
    const authorized = req.headers.authorization === `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'dss-version': '14.0.0' }).end(JSON.stringify(body));
    };
    if (!authorized) return reply(401, { errorType: 'com.dataiku.dip.exceptions.UnauthorizedException', message: 'Invalid key' });
    if (match?.[1] === undefined) return reply(404, { errorType: 'NotFoundException', message: 'no route' });
    const jobId = decodeURIComponent(match[1]);
    if (req.method === 'DELETE') {
      aborted.push(jobId);
      return reply(200, {});
    }
    if (req.method !== 'GET' || target.searchParams.get('peek') !== 'false') return reply(400, { message: 'unexpected call' });
    const poll = (polls.get(jobId) ?? 0) + 1;
    polls.set(jobId, poll);
    const answer = futureAnswer(jobId, poll);
    reply(answer.status, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function withClient<T>(run: (client: DssClient, sleeps: number[]) => Promise<T>): Promise<T> {
  const sleeps: number[] = [];
  let now = 0;
  const client = createDssClient(
    { url, apiKey: KEY },
    {
      nodeName: 'deployer',
      defaults: DEFAULTS,
      // Polls go over HTTP; the waits between them only move a clock.
      timing: { now: () => now, sleep: (ms) => ((now += ms), sleeps.push(ms), Promise.resolve()) },
    },
  );
  try {
    return await run(client, sleeps);
  } finally {
    await client.close();
  }
}

describe('waitForFuture over HTTP', () => {
  it('polls a job to its result, reporting its progress', async () => {
    const progress: FutureProgress[] = [];
    const result = await withClient((client) => client.waitForFuture('finishes', { onProgress: (p) => progress.push(p) }));

    expect(result).toEqual({ ok: true });
    expect(progress.map((p) => p.states[0])).toEqual([
      'Activating bundle (1/4)',
      'Activating bundle (2/4)',
      'Activating bundle (3/4)',
    ]);
    expect(polls.get('finishes')).toBe(4);
  });

  it('surfaces a failed job as a DssApiError carrying the DSS message', async () => {
    const error = await withClient((client) => client.waitForFuture('fails').catch((e: unknown) => e));

    expect(error).toBeInstanceOf(DssApiError);
    expect((error as DssApiError).message).toBe(
      'node deployer answered 500 (CodedException) on GET /futures/fails: Bundle activation failed: missing connection',
    );
  });

  it('times out a job that never ends and aborts it in DSS', async () => {
    const error = await withClient((client, sleeps) =>
      client.waitForFuture('never', { timeoutMs: 5_000 }).catch((e: unknown) => ({ e, sleeps })),
    );

    expect((error as { e: unknown }).e).toBeInstanceOf(DssFutureError);
    expect((error as { e: DssFutureError }).e.reason).toBe('timeout');
    expect((error as { sleeps: number[] }).sleeps.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(aborted).toContain('never');
  });

  it('stops at once when the caller aborts, and aborts the job in DSS', async () => {
    const controller = new AbortController();
    const pending = withClient((client) =>
      client.waitForFuture('cancelled', {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.fraction !== undefined && p.fraction >= 0.5) controller.abort();
        },
      }),
    );

    await expect(pending).rejects.toMatchObject({ reason: 'aborted', code: 'DSS_FUTURE_ABORTED' });
    expect(polls.get('cancelled')).toBe(2);
    expect(aborted).toContain('cancelled');
  });
});

import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createStatusServer, parseListenAddress } from '../../src/watch/http.js';
import { createMetrics } from '../../src/watch/metrics.js';
import type { WebhookMessage } from '../../src/watch/notify.js';
import type { ScheduleFn } from '../../src/watch/scheduler.js';
import type { DriftedObject, RunOutcome } from '../../src/watch/types.js';
import { startWatch } from '../../src/watch/watch.js';
import type { RunningWatch } from '../../src/watch/watch.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function get(base: string, path: string): Promise<{ status: number; body: string; type: string }> {
  const res = await request(`${base}${path}`);
  return { status: res.statusCode, body: await res.body.text(), type: String(res.headers['content-type']) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

/** A local webhook receiver recording every JSON message it is sent. */
async function webhookReceiver(): Promise<{ url: string; messages: WebhookMessage[] }> {
  const messages: WebhookMessage[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      messages.push(JSON.parse(body) as WebhookMessage);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, messages };
}

function manualClock(): { scheduleFn: ScheduleFn; tick(): void } {
  let onTick: (() => void) | undefined;
  return {
    scheduleFn: (_expression, tick) => {
      onTick = tick;
      return { stop: () => undefined };
    },
    tick: () => onTick?.(),
  };
}

function outcome(drifted: DriftedObject[], error?: string): RunOutcome {
  return {
    startedAt: new Date().toISOString(),
    durationSeconds: 0.25,
    commit: 'feedface',
    counts: { Project: { in_sync: 5 - drifted.length, drifted: drifted.length, pending: 0, unmanaged: 1, failed: 0 } },
    drifted,
    requests: [{ node: 'design', method: 'GET', count: 6, errors: 0 }],
    ...(error === undefined ? {} : { error }),
  };
}

/** Waits until `runs` runs have finished, handlers (metrics, webhook) included, so the next tick is not skipped. */
async function settled(watch: RunningWatch, runs: number): Promise<void> {
  await expect.poll(() => !watch.controller.running && watch.controller.completedRuns === runs, { timeout: 10_000 }).toBe(true);
}

const churn: DriftedObject = { address: 'Project/CHURN#variables', kind: 'Project', node: 'design', fingerprint: 'x1' };

async function started(outcomes: RunOutcome[], webhook?: string): Promise<{ watch: RunningWatch; base: string; clock: ReturnType<typeof manualClock> }> {
  const clock = manualClock();
  const queue = [...outcomes];
  const watch = await startWatch({
    schedule: '*/5 * * * *',
    runOnce: async () => queue.shift() ?? outcome([]),
    listen: parseListenAddress('127.0.0.1:0'),
    scheduleFn: clock.scheduleFn,
    ...(webhook === undefined ? {} : { webhook }),
  });
  cleanups.push(() => watch.stop());
  return { watch, base: `http://127.0.0.1:${watch.address!.port}`, clock };
}

describe('watch controller over HTTP', () => {
  it('is live at once, ready only after the first successful run, and serves metrics matching the runs', async () => {
    const { watch, base, clock } = await started([outcome([], 'DSS unreachable'), outcome([churn])]);
    await settled(watch, 1);
    expect((await get(base, '/healthz')).status).toBe(200);
    expect(await get(base, '/readyz')).toMatchObject({ status: 503 });

    clock.tick();
    await settled(watch, 2);
    expect(await get(base, '/readyz')).toMatchObject({ status: 200, body: 'ready\n' });

    const metrics = await get(base, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('dss_gitops_runs_total{result="error"} 1');
    expect(metrics.body).toContain('dss_gitops_runs_total{result="drift"} 1');
    expect(metrics.body).toContain('dss_gitops_objects{kind="Project",state="drifted"} 1');
    expect(metrics.body).toContain('dss_gitops_objects{kind="Project",state="unmanaged"} 1');
    expect(metrics.body).toContain('dss_gitops_dss_requests_total{node="design",method="GET"} 12');
    expect(metrics.body).toContain('dss_gitops_run_duration_seconds_count 2');

    expect((await get(base, '/nope')).status).toBe(404);
    expect((await request(`${base}/healthz`, { method: 'POST' })).statusCode).toBe(405);
  });

  it('posts one webhook message per drift change and one on return to in-sync', async () => {
    const hook = await webhookReceiver();
    const scenario: DriftedObject = { address: 'Scenario/CHURN/DAILY', kind: 'Scenario', node: 'design', fingerprint: 's1' };
    const runs = [
      outcome([]),
      outcome([churn]),
      outcome([churn]),
      outcome([churn]),
      outcome([churn, scenario]),
      outcome([churn, scenario]),
      outcome([]),
      outcome([]),
    ];
    const { watch, clock } = await started(runs, hook.url);
    for (let run = 1; run < 8; run += 1) {
      await settled(watch, run);
      clock.tick();
    }
    await settled(watch, 8);
    expect(hook.messages.map((m) => m.report.status)).toEqual(['drift', 'drift', 'in_sync']);
    expect(hook.messages.map((m) => m.report.added)).toEqual([['Project/CHURN#variables'], ['Scenario/CHURN/DAILY'], []]);
    expect(hook.messages[0]!.text).toContain('1 object has drifted from the manifests (commit feedface)');
    expect(hook.messages[2]!.report.resolved).toEqual(['Project/CHURN#variables', 'Scenario/CHURN/DAILY']);
  });

  it('keeps running when the webhook is down', async () => {
    const { watch, clock } = await started([outcome([churn]), outcome([churn])], 'http://127.0.0.1:1/unreachable');
    await settled(watch, 1);
    clock.tick();
    await settled(watch, 2);
    expect(watch.controller.skippedTicks).toBe(0);
    expect(watch.controller.hasSucceeded).toBe(true);
  });

  it('stop() waits for the run in progress, then closes the server', async () => {
    let release!: () => void;
    const watch = await startWatch({
      schedule: '* * * * *',
      runOnce: () => new Promise<RunOutcome>((resolve) => (release = () => resolve(outcome([])))),
      listen: { host: '127.0.0.1', port: 0 },
      scheduleFn: manualClock().scheduleFn,
    });
    const base = `http://127.0.0.1:${watch.address!.port}`;
    expect((await get(base, '/readyz')).status).toBe(503);
    let stopped = false;
    const stopping = watch.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(watch.controller.completedRuns).toBe(1);
    await expect(get(base, '/healthz')).rejects.toThrow();
  });
});

describe('status server', () => {
  it('reports a port already in use as a user error', async () => {
    const first = createStatusServer({ metrics: createMetrics(), isReady: () => true });
    const bound = await first.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => first.close());
    const second = createStatusServer({ metrics: createMetrics(), isReady: () => true });
    await expect(second.listen(bound)).rejects.toMatchObject({ code: 'watch-listen-failed', fault: 'user' });
  });

  it('parses --listen addresses', () => {
    expect(parseListenAddress('0.0.0.0:9090')).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(parseListenAddress(':9090')).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(parseListenAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseListenAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    for (const bad of ['9090', 'host:', 'host:99999', 'a:b:c', '::1:80']) {
      expect(() => parseListenAddress(bad)).toThrow(expect.objectContaining({ code: 'watch-bad-listen' }));
    }
  });
});

// The simulator's injected latency: a read (GET) is answered the latency after it arrives, its answer made while it
// waits, as a node serving requests on many threads answers it; a write waits, then takes effect. Faults on reads
// behave as before: decided once the latency has passed, by the same rules, and counted.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Router } from '../../src/simulator/router.js';
import { basicAuth, useSimulators, type TestSimulator } from '../helpers/simulator.js';

const start = useSimulators();

/** CPU time each answer of the slow route costs the node: a node whose handler is slow. */
const HANDLER_MS = 10;

/** `GET /slow/:n`: its answer costs HANDLER_MS of the node's one thread; `done` gets the time each one was made. */
function slowRoute(done: number[]): (router: Router) => void {
  return (router) => {
    router.get('/slow/:n', (req) => {
      const until = performance.now() + HANDLER_MS;
      while (performance.now() < until) {
        // Busy: the node's thread does nothing else meanwhile.
      }
      done.push(Date.now());
      return { json: { n: Number(req.params.n) } };
    });
  };
}

/**
 * A client in a process of its own, so that its CPU is not the node's: it opens COUNT connections (one round of
 * GETs), prints `ready`, and on a line of input sends COUNT GETs at once, one per connection, creates the file SENT
 * once they are written, then prints for each the time from its sending to its answer, in milliseconds, and the clock
 * time the answer came (Date.now()).
 */
const BURST_CLIENT = `
const fs = require('node:fs');
const http = require('node:http');
const count = Number(process.env.COUNT);
const agent = new http.Agent({ keepAlive: true, maxSockets: count });
const get = (n) => new Promise((resolve, reject) => {
  const from = performance.now();
  const headers = { authorization: process.env.SIM_AUTH };
  http.get(process.env.SIM_URL + '/public/api/slow/' + n, { agent, headers }, (res) => {
    let body = '';
    res.on('data', (chunk) => { body += chunk; });
    res.on('end', () => resolve({ status: res.statusCode, n: JSON.parse(body).n, ms: performance.now() - from, at: Date.now() }));
  }).on('error', reject);
});
const round = () => Promise.all(Array.from({ length: count }, (_, n) => get(n)));
round().then(() => {
  process.stdout.write('ready\\n');
  process.stdin.once('data', async () => {
    const answering = round();
    setImmediate(() => fs.writeFileSync(process.env.SENT, ''));
    const answers = await answering;
    process.stdout.write(JSON.stringify(answers) + '\\n');
    agent.destroy();
    process.stdin.destroy();
  });
});
`;

interface BurstAnswer {
  status: number;
  n: number;
  ms: number;
  at: number;
}

/**
 * Sends `count` concurrent GETs of the slow route from another process, at `latencyMs` once its connections are
 * open. They arrive together: the node's thread is kept busy until they have all been sent.
 */
async function burst(sim: TestSimulator, count: number, latencyMs: number): Promise<BurstAnswer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-latency-'));
  const sentFile = join(dir, 'sent');
  const child = spawn(process.execPath, ['-e', BURST_CLIENT], {
    env: { ...process.env, SIM_URL: sim.url, SIM_AUTH: basicAuth(sim.adminKey), COUNT: String(count), SENT: sentFile },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  child.stdout.setEncoding('utf8');
  let output = '';
  let sent = false;
  const lines = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the client exited (${code}) before its answers: ${output}`)));
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!sent && output.startsWith('ready\n')) {
        sent = true;
        sim.setLatency(latencyMs);
        child.stdin.write('go\n');
        const until = Date.now() + 10_000;
        while (!existsSync(sentFile) && Date.now() < until) {
          // Busy: the requests wait to be read.
        }
      }
      const received = output.split('\n');
      if (received.length > 2) resolve(received);
    });
  });
  const [, result] = await lines.finally(() => rmSync(dir, { recursive: true, force: true }));
  await exited;
  return JSON.parse(result ?? '') as BurstAnswer[];
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const from = performance.now();
  const value = await call();
  return { value, ms: performance.now() - from };
}

describe('latency of reads', () => {
  it('answers concurrent reads the latency after they arrive, their answers made while they wait', async () => {
    const latencyMs = 500;
    const count = 16;
    const done: number[] = [];
    const sim = await start({ routes: [slowRoute(done)] });
    const answers = await burst(sim, count, latencyMs);
    expect(answers.map((a) => [a.status, a.n])).toEqual(Array.from({ length: count }, (_, n) => [200, n]));
    expect(done).toHaveLength(2 * count);
    // None before the latency, and the 16 answers (16 x 10 ms of the node's thread) all made before the first was
    // sent: while the requests waited. A node that makes each answer once the latency has passed, one at a time,
    // sends the first before it makes the second, and the last 150 ms after the first; so does one that makes each
    // as it is read, before reading the next request (their latency starts 10 ms apart).
    for (const answer of answers) expect(answer.ms).toBeGreaterThanOrEqual(latencyMs - 2);
    const arrived = answers.map((a) => a.at);
    expect(Math.max(...done)).toBeLessThanOrEqual(Math.min(...arrived));
    expect(Math.max(...arrived) - Math.min(...arrived)).toBeLessThan((count * HANDLER_MS) / 2);
    expect(sim.stats().byRoute).toEqual({ 'GET /slow/:n': 2 * count });
  }, 20_000);

  it('answers a read with the writes that completed before it arrived', async () => {
    const sim = await start({ latencyMs: 60 });
    await sim.ok('POST', '/projects/', { projectKey: 'ALPHA', name: 'Alpha', owner: 'admin' });
    for (const value of [1, 2, 3]) {
      const put = await timed(() => sim.ok('PUT', '/projects/ALPHA/variables', { standard: { a: value }, local: {} }));
      expect(put.ms).toBeGreaterThanOrEqual(58);
      const read = await timed(() => sim.ok('GET', '/projects/ALPHA/variables'));
      expect(read.value).toEqual({ standard: { a: value }, local: {} });
      expect(read.ms).toBeGreaterThanOrEqual(58);
    }
    // Concurrent reads sent after a write was answered all see it.
    await sim.ok('PUT', '/projects/ALPHA/variables', { standard: { a: 4 }, local: {} });
    const reads = await Promise.all(Array.from({ length: 8 }, () => sim.ok('GET', '/projects/ALPHA/variables')));
    expect(reads).toEqual(Array.from({ length: 8 }, () => ({ standard: { a: 4 }, local: {} })));
  });

  it('answers a read refused by the node (404, 401) after the latency too', async () => {
    const sim = await start({ latencyMs: 60 });
    const missing = await timed(() => sim.call('GET', '/projects/NOPE/variables'));
    expect(missing.value.status).toBe(404);
    expect(missing.value.json).toMatchObject({ errorType: expect.stringContaining('NotFound') });
    expect(missing.ms).toBeGreaterThanOrEqual(58);
    const anonymous = await timed(() => sim.call('GET', '/projects/', undefined, { key: null }));
    expect(anonymous.value.status).toBe(401);
    expect(anonymous.ms).toBeGreaterThanOrEqual(58);
  });
});

describe('faults on reads with latency', () => {
  const path = '/projects/ALPHA/variables';

  async function withProject(latencyMs: number): Promise<TestSimulator> {
    const sim = await start();
    await sim.ok('POST', '/projects/', { projectKey: 'ALPHA', name: 'Alpha', owner: 'admin' });
    await sim.ok('PUT', path, { standard: { a: 1 }, local: {} });
    sim.reset({ state: false });
    sim.setLatency(latencyMs);
    return sim;
  }

  it('drops, resets, throttles, fails and loses a read after the latency, each once as its rule says', async () => {
    const sim = await withProject(40);
    for (const kind of ['drop', 'reset-before', 'lost-response'] as const) {
      sim.setFaults([{ kind, method: 'GET', path, times: 1 }]);
      const broken = await timed(() => sim.call('GET', path).then(() => 'answered', () => 'connection broken'));
      expect(broken.value).toBe('connection broken');
      expect(broken.ms).toBeGreaterThanOrEqual(38);
      // The rule is used up: the next read is answered.
      expect(await sim.ok('GET', path)).toEqual({ standard: { a: 1 }, local: {} });
    }
    sim.setFaults([{ kind: 'throttle', retryAfterSeconds: 7, method: 'GET', path, times: 1 }]);
    const throttled = await timed(() => sim.call('GET', path));
    expect(throttled.value.status).toBe(429);
    expect(throttled.value.headers.get('retry-after')).toBe('7');
    expect(throttled.ms).toBeGreaterThanOrEqual(38);
    sim.setFaults([{ kind: 'status', status: 502, route: '/projects/:projectKey/variables', times: 1 }]);
    const failed = await timed(() => sim.call('GET', path));
    expect(failed.value.status).toBe(502);
    expect(failed.value.json).toMatchObject({ message: 'Simulated failure (HTTP 502)' });
    expect(failed.ms).toBeGreaterThanOrEqual(38);
    // A rule narrowed to another path or method leaves this read alone.
    sim.setFaults([
      { kind: 'status', status: 503, path: '/projects/OTHER/variables' },
      { kind: 'drop', method: 'PUT' },
    ]);
    expect(await sim.ok('GET', path)).toEqual({ standard: { a: 1 }, local: {} });
    const stats = sim.stats();
    expect(stats.faults).toEqual({ drop: 1, 'reset-before': 1, 'lost-response': 1, throttle: 1, 'status 502': 1 });
    expect(stats.byRoute).toEqual({ 'GET /projects/:projectKey/variables': 9 });
    expect(stats.reads).toBe(9);
  });

  it('decides a read\'s fault once its latency has passed: a rule set while it waits applies to it', async () => {
    const sim = await withProject(150);
    const pending = sim.call('GET', path);
    await new Promise((resolve) => setTimeout(resolve, 40));
    sim.setFaults([{ kind: 'status', status: 503, method: 'GET', times: 1 }]);
    expect((await pending).status).toBe(503);
    // And a rule removed while a read waits no longer applies to it.
    sim.setFaults([{ kind: 'drop', method: 'GET' }]);
    const spared = sim.call('GET', path);
    await new Promise((resolve) => setTimeout(resolve, 40));
    sim.setFaults([]);
    expect((await spared).json).toEqual({ standard: { a: 1 }, local: {} });
  });

  it('decides faults in the order the requests\' latencies end, reads and writes alike', async () => {
    // One rule for any method, used once: the request that reaches the end of its latency first takes it.
    const sim = await withProject(80);
    sim.setFaults([{ kind: 'status', status: 500, times: 1 }]);
    const write = sim.call('PUT', path, { standard: { a: 2 }, local: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const read = sim.call('GET', path);
    expect((await write).status).toBe(500);
    expect((await read).json).toEqual({ standard: { a: 1 }, local: {} });
  });
});

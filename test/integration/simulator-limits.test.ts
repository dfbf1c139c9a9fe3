// The simulator as a server facing any client: it knows who is asking before it reads a body, caps bodies, cuts
// off slow clients, and never echoes a key in an error.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { basicAuth, useSimulators, type TestSimulator } from '../helpers/simulator.js';

const start = useSimulators();

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

interface RawExchange {
  /** Everything the node answered before it closed the connection (or before the client gave up). */
  answer: string;
  /** Body bytes the client managed to hand to the connection before the answer came. */
  bodyBytesSent: number;
}

/**
 * Sends `head` and then up to `bodyBytes` of body over a plain socket (in HTTP chunks when the head says chunked), as
 * fast as the node takes them, and stops at the first byte of answer. Gives up after `giveUpBytes`, so that a node
 * that reads everything fails the test instead of hanging it.
 */
function sendLargeRequest(sim: TestSimulator, head: string, bodyBytes: number, giveUpBytes = 256 * MiB): Promise<RawExchange> {
  const { hostname, port } = new URL(sim.url);
  const socket = connect(Number(port), hostname);
  const data = Buffer.alloc(64 * 1024, 0x7b);
  const chunk = /transfer-encoding: chunked/i.test(head) ? Buffer.concat([Buffer.from('10000\r\n'), data, Buffer.from('\r\n')]) : data;
  let sent = 0;
  let answer = '';
  let answeredAt: number | undefined;
  return new Promise((resolve) => {
    const finish = (): void => resolve({ answer, bodyBytesSent: answeredAt ?? sent });
    socket.on('data', (data: Buffer) => {
      answeredAt ??= sent;
      answer += data.toString('utf8');
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    const pump = (): void => {
      while (answeredAt === undefined && !socket.destroyed) {
        if (sent >= Math.min(bodyBytes, giveUpBytes)) {
          // Nothing answered after all that body: let the test fail on what was (not) answered.
          setTimeout(() => socket.destroy(), 1_000);
          return;
        }
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.write(head, pump);
  });
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
const bodyOf = (answer: string): unknown => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown;

describe('request bodies', () => {
  it('answers 401 to a 1 GiB upload without a key before reading it, and closes the connection', async () => {
    const sim = await start();
    const head = `PUT /public/api/projects/A/variables HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\nContent-Length: ${GiB}\r\n\r\n`;
    const { answer, bodyBytesSent } = await sendLargeRequest(sim, head, GiB);
    expect(statusOf(answer)).toBe(401);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(bodyOf(answer)).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.UnauthorizedException' });
    // What the sockets' buffers hold, not the body: the node read none of it.
    expect(bodyBytesSent).toBeLessThan(32 * MiB);
  });

  it('answers 401 to a chunked upload with a wrong key, and 413 to one with the key once it passes the cap', async () => {
    const sim = await start({ maxJsonBodyBytes: MiB });
    const head = (key: string): string =>
      `PUT /public/api/projects/A/variables HTTP/1.1\r\nHost: sim\r\nAuthorization: ${basicAuth(key)}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const refused = await sendLargeRequest(sim, head('not-a-key'), GiB);
    expect(statusOf(refused.answer)).toBe(401);
    expect(refused.bodyBytesSent).toBeLessThan(32 * MiB);

    const tooLarge = await sendLargeRequest(sim, head(sim.adminKey), GiB);
    expect(statusOf(tooLarge.answer)).toBe(413);
    expect(bodyOf(tooLarge.answer)).toEqual({
      errorType: 'java.lang.IllegalArgumentException',
      message: `Request body too large: this node accepts at most ${MiB} bytes`,
      detailedMessage: expect.any(String),
    });
    expect(tooLarge.bodyBytesSent).toBeLessThan(32 * MiB);
  });

  it('refuses a declared Content-Length over the cap with 413 before reading, and keeps serving', async () => {
    const sim = await start({ maxJsonBodyBytes: 1024 });
    const head = `PUT /public/api/projects/A/variables HTTP/1.1\r\nHost: sim\r\nAuthorization: ${basicAuth(sim.adminKey)}\r\nContent-Length: ${GiB}\r\n\r\n`;
    const { answer, bodyBytesSent } = await sendLargeRequest(sim, head, GiB);
    expect(statusOf(answer)).toBe(413);
    expect(bodyBytesSent).toBeLessThan(32 * MiB);

    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    const big = { standard: { text: 'x'.repeat(2048) }, local: {} };
    const refused = await sim.call('PUT', '/projects/A/variables', big);
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException', message: expect.stringContaining('1024 bytes') });
    expect(await sim.ok('GET', '/projects/A/variables')).toEqual({ standard: {}, local: {} });
  });

  it('takes uploads (bundle archives) up to the larger cap, and JSON up to its own', async () => {
    const sim = await start({ maxJsonBodyBytes: 1024, maxBodyBytes: 64 * 1024 });
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    const upload = (bytes: number) =>
      sim.call('POST', '/projects/A/bundles/imported/actions/importFromStream', undefined, {
        rawBody: Buffer.alloc(bytes, 1),
        headers: { 'content-type': 'application/zip' },
      });
    // Past the JSON cap but under the upload cap: read, and refused for what it is (no archive), not for its size.
    const read = await upload(8 * 1024);
    expect(read.status).toBe(400);
    expect((await upload(128 * 1024)).status).toBe(413);
  });

  it('caps the controls too, after checking the admin key', async () => {
    const sim = await start({ maxBodyBytes: 1024 });
    const state = await sim.control<Record<string, unknown>>('GET', '/state');
    const padded = { ...state, padding: 'x'.repeat(4096) };
    const refused = await sim.call('PUT', '/__sim/state', padded, { basePath: '' });
    expect(refused.status).toBe(413);
    const head = `PUT /__sim/state HTTP/1.1\r\nHost: sim\r\nContent-Length: ${GiB}\r\n\r\n`;
    const anonymous = await sendLargeRequest(sim, head, GiB);
    expect(statusOf(anonymous.answer)).toBe(401);
    expect(anonymous.bodyBytesSent).toBeLessThan(32 * MiB);
  });
});

describe('slow and oversized requests', () => {
  it('cuts off a client that never finishes its headers (slowloris) with 408', async () => {
    const sim = await start({ headersTimeoutMs: 300 });
    const { hostname, port } = new URL(sim.url);
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString()));
    const started = performance.now();
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /public/api/projects/ HTTP/1.1\r\nHost: sim\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 50);
    await closed;
    clearInterval(trickle);
    expect(statusOf(answer)).toBe(408);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('answers 431 to headers over 16 KiB, such as a very long URL', async () => {
    const sim = await start();
    const result = await sim.call('GET', `/projects/${'A'.repeat(20_000)}/metadata`);
    expect(result.status).toBe(431);
    expect((await sim.call('GET', '/projects/')).status).toBe(200);
  });
});

describe('error bodies', () => {
  it('never echo the Authorization header or a key', async () => {
    const sim = await start({ apiKeys: [{ key: 'reader-key-5f1e', login: 'reader', projects: {} }], maxJsonBodyBytes: 256 });
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    const unknownKey = 'unknown-key-9c2d';
    const answers = [
      await sim.call('GET', '/projects/A/metadata', undefined, { key: unknownKey }),
      await sim.call('GET', '/projects/A/metadata', undefined, { key: 'reader-key-5f1e' }),
      await sim.call('PUT', '/projects/A/variables', undefined, { key: 'reader-key-5f1e', rawBody: '{}' }),
      await sim.call('GET', '/__sim/stats', undefined, { basePath: '', key: 'reader-key-5f1e' }),
      await sim.call('GET', '/__sim/stats', undefined, { basePath: '', key: unknownKey }),
      await sim.call('PUT', '/projects/A/variables', undefined, { rawBody: '{not json' }),
      await sim.call('PUT', '/projects/A/variables', { padding: 'y'.repeat(512) }),
      await sim.call('GET', '/no/such/route'),
      await sim.call('PATCH', '/projects/A/metadata', {}),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 403, 403, 403, 401, 400, 413, 404, 405]);
    for (const key of [unknownKey, 'reader-key-5f1e', sim.adminKey]) {
      for (const answer of answers) {
        expect(answer.text).not.toContain(key);
        expect(answer.text).not.toContain(basicAuth(key).slice('Basic '.length));
        expect([...answer.headers.values()].join('\n')).not.toContain(key);
      }
    }
  });
});

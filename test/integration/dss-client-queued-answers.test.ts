// While requests wait in a node's pool for a connection, an answer that frees one is given to its caller only once
// the next waiting request has been written: a caller's processing of an answer never holds back the requests behind
// it. Every caller still gets its own answer (or its abort), no more requests are on the wire than the node has
// connections, and the time a request waited for a connection does not count against its time once sent.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/types.js';
import { createDssClient } from '../../src/dss/client.js';
import { createNodePool, waitingIn } from '../../src/dss/pool.js';
import type { DssClient } from '../../src/dss/types.js';

interface Node {
  server: Server;
  url: string;
  /** Requests the server has received and not answered yet, and the most there ever were. */
  open: number;
  mostOpen: number;
}

const servers: Server[] = [];
const clients: DssClient[] = [];
const subscriptions: Array<() => void> = [];

/** A node answering each request with its own path, after `delayMs`. */
async function startNode(delayMs: number): Promise<Node> {
  const node: Node = { server: createServer(), url: '', open: 0, mostOpen: 0 };
  node.server.on('request', (req, res) => {
    node.open++;
    node.mostOpen = Math.max(node.mostOpen, node.open);
    setTimeout(() => {
      node.open--;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  servers.push(node.server);
  return node;
}

function clientOf(node: Node, parallelism: number): DssClient {
  const client = createDssClient({ url: node.url, apiKey: 'queued-test-key' }, { nodeName: 'design', defaults: { ...DEFAULTS, parallelism } });
  clients.push(client);
  return client;
}

/** The paths of the requests undici writes, in order, as it writes their headers. */
function writtenPaths(): string[] {
  const paths: string[] = [];
  const onSend = (message: unknown): void => {
    paths.push((message as { request: { path: string } }).request.path);
  };
  subscribe('undici:client:sendHeaders', onSend);
  subscriptions.push(() => unsubscribe('undici:client:sendHeaders', onSend));
  return paths;
}

afterEach(async () => {
  for (const stop of subscriptions.splice(0)) stop();
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('answers while requests wait for a connection', () => {
  it('gives an answer to its caller once the request waiting for its connection has been written', async () => {
    const node = await startNode(0);
    const client = clientOf(node, 1);
    const written = writtenPaths();

    const first = client.getJson('/a').then(() => [...written]);
    const second = client.getJson<{ path: string }>('/b');
    const writtenWhenFirstAnswered = await first;

    expect(writtenWhenFirstAnswered).toEqual(['/public/api/a', '/public/api/b']);
    expect(await second).toEqual({ path: '/public/api/b' });
  });

  it('gives every caller its own answer, with no more requests at the node than its connections', async () => {
    const node = await startNode(3);
    const client = clientOf(node, 3);
    const paths = Array.from({ length: 24 }, (_, i) => `/p${i}`);

    const answers = await Promise.all(paths.map((path) => client.getJson<{ path: string }>(path)));

    expect(answers.map((answer) => answer.path)).toEqual(paths.map((path) => `/public/api${path}`));
    expect(node.mostOpen).toBe(3);
  });

  it('gives a request that waited for a connection its whole timeout once it is sent', async () => {
    const node = await startNode(400);
    const client = clientOf(node, 1);
    // 400 ms waiting for the only connection, then 400 ms at the node: each within the 600 ms, not both together.
    const [first, second] = await Promise.all(['/a', '/b'].map((path) => client.getJson<{ path: string }>(path, { timeoutMs: 600, attempts: 1 })));

    expect([first?.path, second?.path]).toEqual(['/public/api/a', '/public/api/b']);
  });

  it('gives the abort, not the answer, to a caller that aborts while its answer is held back', async () => {
    const node = await startNode(0);
    const client = clientOf(node, 1);
    const controller = new AbortController();
    // Published as the answer ends, before the handler sees it: the abort comes once the answer is held back.
    const onEnd = (message: unknown): void => {
      if ((message as { request: { path: string } }).request.path === '/public/api/a') queueMicrotask(() => controller.abort(new Error('stopped by the caller')));
    };
    subscribe('undici:request:trailers', onEnd);
    subscriptions.push(() => unsubscribe('undici:request:trailers', onEnd));

    const first = client.getJson('/a', { signal: controller.signal, attempts: 1 }).catch((error: unknown) => error);
    const second = client.getJson<{ path: string }>('/b');

    expect(((await first) as Error).message).toBe('stopped by the caller');
    expect(await second).toEqual({ path: '/public/api/b' });
  });

  it('counts the requests waiting in a node pool for a connection as undici does', async () => {
    const node = await startNode(20);
    const { pool, warm } = createNodePool(new URL(node.url).origin, { url: node.url, apiKey: 'queued-test-key' }, 2);
    // The pool alone has no `request` (undici's entry point adds it): each request is dispatched with a bare handler.
    const sent = Array.from(
      { length: 5 },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          pool.dispatch(
            { origin: new URL(node.url).origin, path: `/p${i}`, method: 'GET' },
            {
              onRequestStart: () => {},
              onResponseStart: () => {},
              onResponseData: () => {},
              onResponseEnd: () => resolve(),
              onResponseError: (_controller, error) => reject(error),
            },
          );
        }),
    );
    try {
      expect(waitingIn(pool)).toBe(pool.stats.queued);
      expect(waitingIn(pool)).toBe(3);
      await Promise.all(sent);
      expect(waitingIn(pool)).toBe(0);
    } finally {
      warm.close();
      await pool.close();
    }
  });
});

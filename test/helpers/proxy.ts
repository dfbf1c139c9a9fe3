// A proxy in front of a simulator, for tests about the order of a run's requests: it records them as they arrive,
// and lets a test act before a request goes on (hold it until another arrives) or after DSS answered it (another
// writer changing DSS right after the run read a list, or the answer as an older DSS state would have given it).
//
//   const proxy = await startProxy(sim.url, { after: async (req, body) => { ... } });
//   afterAll(() => proxy.close());
//   ... DSS_URL: proxy.url ...

import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** The route under the API's base path, without the query (`/projects/`, `/admin/variables/`). */
  path: string;
}

export interface ProxyHooks {
  /** Runs before the request is passed on to the simulator. */
  before?: (request: ProxiedRequest) => Promise<void> | void;
  /** Runs once the simulator answered, before the answer is passed back; returns the body to pass back instead. */
  after?: (request: ProxiedRequest, body: Buffer) => Promise<Buffer | undefined> | Buffer | undefined;
}

export interface TestProxy {
  url: string;
  /** The requests in the order they arrived. */
  arrivals: ProxiedRequest[];
  close(): Promise<void>;
}

const API_BASE = '/public/api';
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startProxy(target: string, hooks: ProxyHooks = {}): Promise<TestProxy> {
  const arrivals: ProxiedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const url = incoming.url ?? '/';
      const route = url.split('?')[0] ?? '/';
      const request = { method: incoming.method ?? 'GET', path: route.startsWith(API_BASE) ? route.slice(API_BASE.length) : route };
      arrivals.push(request);
      const body = await bodyOf(incoming);
      await hooks.before?.(request);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (!HOP_HEADERS.has(name) && typeof value === 'string') headers[name] = value;
      }
      const answer = await fetch(`${target}${url}`, {
        method: request.method,
        headers,
        ...(body.length > 0 ? { body } : {}),
        redirect: 'manual',
      });
      const received = Buffer.from(await answer.arrayBuffer());
      const passed = (await hooks.after?.(request, received)) ?? received;
      const answerHeaders: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!HOP_HEADERS.has(name)) answerHeaders[name] = value;
      });
      outgoing.writeHead(answer.status, { ...answerHeaders, 'content-length': String(passed.length) });
      outgoing.end(passed);
    })().catch((error: unknown) => {
      outgoing.writeHead(502).end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A proxy that holds the answer of the run's first project list (its preflight) until the run lock is read, or for
 * 3 s when the run reads the lock only after it; says whether the lock read came while it held it.
 */
export async function startLockWatchingProxy(target: string): Promise<{ proxy: TestProxy; lockReadWhileHeld: () => boolean }> {
  let lockRead: () => void = () => undefined;
  const lockSeen = new Promise<void>((resolve) => (lockRead = resolve));
  let held = false;
  let holding = false;
  let seenWhileHeld = false;
  const proxy = await startProxy(target, {
    before: async (request) => {
      if (request.method === 'GET' && request.path === '/admin/variables/') {
        seenWhileHeld ||= holding;
        lockRead();
      }
      if (request.method === 'GET' && request.path === '/projects/' && !held) {
        held = true;
        holding = true;
        await Promise.race([lockSeen, new Promise((resolve) => setTimeout(resolve, 3_000))]);
        holding = false;
      }
    },
  });
  return { proxy, lockReadWhileHeld: () => seenWhileHeld };
}

// A client asked to warm its pool opens its connections with its first request and hands them to the pool as
// requests need them: no more connections than without warming, no request sent on them early, and a connection
// that dies while it waits is skipped, not used.

import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/types.js';
import { createDssClient } from '../../src/dss/client.js';
import type { DssClient } from '../../src/dss/types.js';

interface Node {
  server: Server;
  url: string;
  /** Every connection the server accepted, in order. */
  sockets: Socket[];
  /** Requests answered, per connection (by its index in `sockets`). */
  requestsOn: Map<number, number>;
  /** Answers wait for this before they are sent. */
  gate: Promise<void>;
  open(): void;
  /** Holds the answers of the requests that come next until `open()`. */
  hold(): void;
}

const nodes: Node[] = [];
const clients: DssClient[] = [];

async function startNode(onConnection: (socket: Socket, index: number) => void = () => {}): Promise<Node> {
  let open!: () => void;
  const node: Node = {
    server: createServer(),
    url: '',
    sockets: [],
    requestsOn: new Map(),
    gate: new Promise<void>((resolve) => (open = resolve)),
    open: () => open(),
    hold: () => {
      node.gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
  node.server.on('connection', (socket: Socket) => {
    node.sockets.push(socket);
    onConnection(socket, node.sockets.length - 1);
  });
  node.server.on('request', (req, res) => {
    const index = node.sockets.indexOf(req.socket);
    node.requestsOn.set(index, (node.requestsOn.get(index) ?? 0) + 1);
    void node.gate.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url })));
  });
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  nodes.push(node);
  return node;
}

function clientOf(node: Node, parallelism: number): DssClient {
  const client = createDssClient({ url: node.url, apiKey: 'warm-test-key' }, { nodeName: 'design', defaults: { ...DEFAULTS, parallelism } });
  clients.push(client);
  return client;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

const open = (node: Node): Socket[] => node.sockets.filter((s) => !s.destroyed);

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const node of nodes.splice(0)) {
    node.open();
    node.server.closeAllConnections();
    await new Promise<void>((resolve) => node.server.close(() => resolve()));
  }
});

describe('warming a client’s connections', () => {
  it('opens the connections asked for with the first request, and sends nothing on them until the pool needs them', async () => {
    const node = await startNode();
    const client = clientOf(node, 4);
    client.warmConnections(4);

    const first = client.getJson('/projects/');
    await until(() => node.sockets.length === 4);
    // The first request is waiting for its answer: the three others are open and idle.
    expect([...node.requestsOn.values()]).toEqual([1]);
    node.open();
    await first;

    const answers = await Promise.all(['/a', '/b', '/c', '/d'].map((path) => client.getJson<{ path: string }>(path)));

    expect(answers.map((a) => a.path)).toEqual(['/public/api/a', '/public/api/b', '/public/api/c', '/public/api/d']);
    // The four requests at once used the four connections opened ahead, and no other.
    expect(node.sockets).toHaveLength(4);
    expect([...node.requestsOn.values()].reduce((a, b) => a + b)).toBe(5);
  });

  it('opens one connection at a time when not asked to warm', async () => {
    const node = await startNode();
    const client = clientOf(node, 4);

    const first = client.getJson('/projects/');
    await until(() => node.requestsOn.size === 1);
    expect(node.sockets).toHaveLength(1);
    node.open();
    await first;
  });

  it('opens nothing ahead once the pool has opened a connection: it opens the others as it needs them', async () => {
    const node = await startNode();
    const client = clientOf(node, 4);
    node.open();
    await client.getJson('/projects/');
    // undici takes a connection back a turn of the event loop after its answer.
    await new Promise((resolve) => setTimeout(resolve, 20));

    client.warmConnections(4);
    // Two at once: the pool opens a second connection, and only that one.
    node.hold();
    const both = Promise.all([client.getJson('/a'), client.getJson('/b')]);
    await until(() => node.requestsOn.get(1) === 1);
    node.open();
    await both;
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(node.sockets).toHaveLength(2);
  });

  it('never opens more than the parallelism', async () => {
    const node = await startNode();
    const client = clientOf(node, 3);
    client.warmConnections(50);
    node.open();

    await Promise.all(Array.from({ length: 12 }, (_, i) => client.getJson(`/p${i}`)));

    expect(node.sockets).toHaveLength(3);
  });

  it('skips a connection that the server closed while it waited, and opens another', async () => {
    // The server closes the second and third connections it accepts as soon as they open.
    const node = await startNode((socket, index) => {
      if (index === 1 || index === 2) socket.destroy();
    });
    const client = clientOf(node, 3);
    client.warmConnections(3);
    node.open();
    await client.getJson('/projects/');
    await until(() => node.sockets.length === 3 && open(node).length === 1);

    // Three requests held at once need three connections.
    node.hold();
    const asked = Promise.all(['/a', '/b', '/c'].map((path) => client.getJson<{ path: string }>(path)));
    await until(() => [...node.requestsOn.values()].reduce((a, b) => a + b) === 4);
    node.open();
    const answers = await asked;

    expect(answers.map((a) => a.path)).toEqual(['/public/api/a', '/public/api/b', '/public/api/c']);
    // Two new connections replaced the two closed ones; no request went to a closed one.
    expect(node.sockets).toHaveLength(5);
    expect(node.requestsOn.has(1) || node.requestsOn.has(2)).toBe(false);
  });

  it('closes the connections the run never used when the client closes', async () => {
    const node = await startNode();
    const client = clientOf(node, 4);
    client.warmConnections(4);
    node.open();
    await client.getJson('/projects/');
    await until(() => node.sockets.length === 4);

    clients.splice(clients.indexOf(client), 1);
    await client.close();

    await until(() => open(node).length === 0);
  });
});

describe('closing a client', () => {
  it('lets a request under way end before the connections close', async () => {
    const node = await startNode();
    const client = clientOf(node, 2);
    clients.splice(clients.indexOf(client), 1);
    const asked = client.getJson<{ path: string }>('/slow');
    await until(() => node.requestsOn.size === 1);

    const closing = client.close();
    node.open();

    await expect(asked).resolves.toEqual({ path: '/public/api/slow' });
    await closing;
    await until(() => open(node).length === 0);
  });
});

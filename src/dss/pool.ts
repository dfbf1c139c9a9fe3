// The connection pool of one DSS node: keep-alive connections, as many as the run's parallelism, and TLS
// verification unless the configuration explicitly turns it off.

import { readFileSync } from 'node:fs';
import type { Pool as UndiciPool } from 'undici';
// undici's entry point loads all of undici (fetch, WebSocket, caches, mocks, ~60 ms of CPU at start-up) to give
// the pool, which is all a client needs (it dispatches its exchanges itself, see transport.ts). The package has
// no export map: the path is reachable, and the client's tests fail at once if an undici release moves it.
import Pool from 'undici/lib/dispatcher/pool.js';
import buildConnector from 'undici/lib/core/connect.js';
import undiciSymbols from 'undici/lib/core/symbols.js';
import type { NodeConfig } from '../config/types.js';
import { UserError } from '../errors.js';
import { WarmConnector } from './warm-connector.js';

export interface NodePool {
  pool: UndiciPool;
  /** Opens connections ahead of need (see warm-connector.ts); closed with `warm.close()`. */
  warm: WarmConnector;
}

export function createNodePool(origin: string, node: NodeConfig, connections: number): NodePool {
  const options = nodePoolOptions(node, connections);
  // undici's own connector with the pool's TLS options, as the pool would build it from `options.connect`.
  const warm = new WarmConnector(buildConnector({ ...options.connect }));
  return { pool: new Pool(origin, { ...options, connect: warm.connect }), warm };
}

/**
 * How many requests wait in the pool for a connection, read from undici's own count: `pool.stats` counts every
 * connection's requests as well, each time it is asked, and the transport asks at each answer. Through `pool.stats`
 * should an undici release keep the count elsewhere.
 */
export function waitingIn(pool: UndiciPool): number {
  const count = (pool as unknown as Record<symbol, unknown>)[undiciSymbols.kQueued];
  return typeof count === 'number' ? count : pool.stats.queued;
}

/**
 * The pool's options. undici's own deadlines for the headers and the body (300 s each by default) are off: the
 * transport gives each request its own (the request timeout, or the long-job timeout of 600 s by default, which
 * undici's would cut short), bounding the wait for a connection and, again from when the request is sent, the headers
 * and the body.
 */
export function nodePoolOptions(node: NodeConfig, connections: number): UndiciPool.Options {
  const connect: { ca?: string; rejectUnauthorized?: boolean } = {};
  if (node.caFile !== undefined) connect.ca = readCaFile(node.caFile);
  if (node.insecure === true) connect.rejectUnauthorized = false;
  return {
    connections: Math.max(1, connections),
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect,
  };
}

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError('CA_FILE_UNREADABLE', `cannot read the caFile ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

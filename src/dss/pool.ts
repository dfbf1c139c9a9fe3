// The connection pool of one DSS node: keep-alive connections, as many as the run's parallelism, and TLS
// verification unless the configuration explicitly turns it off.

import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import type { NodeConfig } from '../config/types.js';
import { UserError } from '../errors.js';

export function createNodePool(origin: string, node: NodeConfig, connections: number): Pool {
  const connect: { ca?: string; rejectUnauthorized?: boolean } = {};
  if (node.caFile !== undefined) connect.ca = readCaFile(node.caFile);
  if (node.insecure === true) connect.rejectUnauthorized = false;
  return new Pool(origin, {
    connections: Math.max(1, connections),
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect,
  });
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

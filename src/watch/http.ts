// The controller's HTTP face for Kubernetes and Prometheus: /healthz (alive), /readyz (a run has succeeded),
// /metrics (Prometheus text). Plain node:http: three read-only routes need no framework.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import type { WatchMetrics } from './metrics.js';
import type { WatchLogger } from './types.js';
import { silentLogger } from './types.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `--listen HOST:PORT` (`0.0.0.0:9090`, `[::]:9090`, `:9090` for every interface). */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new UserError('watch-bad-listen', `--listen "${value}" is not HOST:PORT (e.g. 0.0.0.0:9090)`);
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export interface StatusServerOptions {
  metrics: WatchMetrics;
  isReady: () => boolean;
  logger?: WatchLogger;
}

export interface StatusServer {
  /** Resolves with the bound address (the real port when 0 was asked for). */
  listen(address: ListenAddress): Promise<ListenAddress>;
  close(): Promise<void>;
}

export function createStatusServer(options: StatusServerOptions): StatusServer {
  const logger = options.logger ?? silentLogger;
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const text = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    switch (pathname) {
      case '/healthz':
        text(200, 'ok\n');
        return;
      case '/readyz':
        if (options.isReady()) text(200, 'ready\n');
        else text(503, 'not ready: no successful run yet\n');
        return;
      case '/metrics':
        options.metrics.render().then(
          ({ contentType, body }) => {
            res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
            res.end(req.method === 'HEAD' ? undefined : body);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'rendering metrics failed');
            text(500, 'metrics unavailable\n');
          },
        );
        return;
      default:
        text(404, 'not found\n');
    }
  });
  // Probes hold no connection open; a short keep-alive lets close() finish promptly on SIGTERM.
  server.keepAliveTimeout = 2_000;

  return {
    listen(address) {
      return new Promise((resolve, reject) => {
        const fail = (error: Error): void =>
          reject(
            new UserError('watch-listen-failed', `cannot listen on ${address.host}:${address.port}: ${error.message}`, {
              cause: error,
            }),
          );
        server.once('error', fail);
        server.listen(address.port, address.host, () => {
          server.off('error', fail);
          const bound = server.address() as AddressInfo;
          logger.info({ host: bound.address, port: bound.port }, 'status server listening');
          resolve({ host: bound.address, port: bound.port });
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
    },
  };
}

// Small request and response helpers of the simulator's HTTP layer.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { illegalArgument, type SimHttpError } from './errors.js';

export const DSS_API_VERSION = '1';
export const DSS_VERSION = '14.2.0';
export const BASE_PATHS = ['/public/api', '/dip/publicapi'] as const;
export const CONTROL_PREFIX = '/__sim';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a body as JSON whatever its Content-Type, as DSS does; an empty body is `undefined`. */
export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw illegalArgument(`Invalid JSON body: ${(error as Error).message}`);
  }
}

/** Splits a request path into its base path and the rest, without trailing slash; undefined off the API. */
export function stripBasePath(pathname: string): string | undefined {
  for (const base of BASE_PATHS) {
    if (pathname === base || pathname === `${base}/`) return '';
    if (pathname.startsWith(`${base}/`)) return pathname.slice(base.length).replace(/\/+$/, '');
  }
  return undefined;
}

/** `true`/`True`/`1` are true; anything else, or absence, is `fallback`. */
export function queryBool(query: URLSearchParams, name: string, fallback = false): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  return ['true', '1', 'yes'].includes(value.toLowerCase());
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204) {
    res.writeHead(204, { ...dssHeaders(), ...headers });
    res.end();
    return;
  }
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    ...dssHeaders(),
    ...headers,
    'Content-Type': 'application/json;charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendRaw(res: ServerResponse, status: number, contentType: string, body: Buffer): void {
  res.writeHead(status, { ...dssHeaders(), 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
}

export function sendError(res: ServerResponse, error: SimHttpError): void {
  sendJson(res, error.status, error.toBody(), error.headers);
}

export function dssHeaders(): Record<string, string> {
  return { 'DSS-API-Version': DSS_API_VERSION, 'DSS-Version': DSS_VERSION };
}

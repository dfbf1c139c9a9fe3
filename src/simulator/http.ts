// Small request and response helpers of the simulator's HTTP layer.

import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { ERROR_TYPES, illegalArgument, SimHttpError } from './errors.js';

export const DSS_API_VERSION = '1';
export const DSS_VERSION = '14.2.0';
export const BASE_PATHS = ['/public/api', '/dip/publicapi'] as const;
export const CONTROL_PREFIX = '/__sim';

/** Default caps of a request body: bundle archive uploads and `/__sim` controls (state dumps), and JSON API bodies. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

/** 413, with `Connection: close`: the rest of the body is never read. */
export function bodyTooLarge(limit: number): SimHttpError {
  return new SimHttpError(
    413,
    ERROR_TYPES.illegalArgument,
    `Request body too large: this node accepts at most ${limit} bytes`,
    `Request body too large: this node accepts at most ${limit} bytes`,
    { Connection: 'close' },
  );
}

/**
 * Reads the whole body, refusing one over `limit` bytes: a declared Content-Length over it is refused before a byte
 * is read, and a chunked body as soon as it passes it. On refusal the stream is left paused, unread.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit));
  // Already read to its end without a byte of body (a GET that waited for the injected latency): nothing to wait for.
  if (req.complete && req.readableLength === 0 && !(declared > 0)) {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Unread bodies up to this size are read and dropped after an error answer, keeping the connection alive. */
const DRAINED_BODY_BYTES = 64 * 1024;

/**
 * Whether the request still has a body on the wire too large to read and drop (or of unknown size): the answer then
 * closes the connection instead of reading it.
 */
export function hasLargeUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? '0');
  return !Number.isFinite(length) || length > DRAINED_BODY_BYTES;
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

/**
 * Where an answer is written, with one `writeHead` and one `end`: a `ServerResponse`, or a holder that sends it
 * later (a plain object: a response used as a prototype would slow every later use of it).
 */
export interface AnswerTarget {
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  end(body?: string | Buffer): unknown;
}

export function sendJson(res: AnswerTarget, status: number, body: unknown, headers: Record<string, string> = {}): void {
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

export function sendRaw(res: AnswerTarget, status: number, contentType: string, body: Buffer): void {
  res.writeHead(status, { ...dssHeaders(), 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
}

export function sendError(res: AnswerTarget, error: SimHttpError): void {
  sendJson(res, error.status, error.toBody(), error.headers);
}

export function dssHeaders(): Record<string, string> {
  return { 'DSS-API-Version': DSS_API_VERSION, 'DSS-Version': DSS_VERSION };
}

// One HTTP exchange with a DSS node: builds the request, enforces the per-request timeout over headers and body,
// and turns whatever happens into a response or one of the typed errors. No retries here.

import type { Dispatcher } from 'undici';
import { DssApiError, DssConnectionError, DssTimeoutError, errorCode } from './errors.js';
import { sendRequest } from './pool.js';
import type { HttpMethod, QueryValue } from './types.js';

export interface Endpoint {
  nodeName: string;
  /** Node URL without credentials, for messages. */
  url: string;
  origin: string;
  /** Path prefix before the API path: the URL's own path plus the base path, e.g. `/public/api`. */
  prefix: string;
  dispatcher: Dispatcher;
  /** `Basic ...`; kept out of every message. */
  authorization: string;
  /** Removes the key from text DSS or a proxy may have echoed back. */
  scrub: (text: string) => string;
}

export interface Exchange {
  method: HttpMethod;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  rawBody?: Uint8Array;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Read the body as bytes rather than JSON. */
  binary?: boolean;
}

export interface Reply {
  status: number;
  /** Parsed JSON (undefined for an empty body), or bytes for binary exchanges. */
  data: unknown;
  dssVersion: string | undefined;
}

const TIMED_OUT = Symbol('timed out');

export function buildPath(prefix: string, path: string, query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.append(key, String(value));
  }
  const search = params.toString();
  const joined = `${prefix}${path.startsWith('/') ? '' : '/'}${path}`;
  return search === '' ? joined : `${joined}?${search}`;
}

export async function exchange(endpoint: Endpoint, ex: Exchange): Promise<Reply> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMED_OUT), ex.timeoutMs);
  const onCallerAbort = (): void => controller.abort(ex.signal?.reason);
  ex.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const place = { nodeName: endpoint.nodeName, url: endpoint.url, method: ex.method, path: ex.path };
  try {
    if (ex.signal?.aborted === true) throw ex.signal.reason;
    const headers: Record<string, string> = {
      authorization: endpoint.authorization,
      accept: ex.binary === true ? '*/*' : 'application/json',
    };
    let body: string | Uint8Array | undefined;
    if (ex.rawBody !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = ex.rawBody;
    } else if (ex.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(ex.body);
    }
    const response = await sendRequest(endpoint.dispatcher, {
      origin: endpoint.origin,
      path: buildPath(endpoint.prefix, ex.path, ex.query),
      method: ex.method,
      headers,
      body: body ?? null,
      signal: controller.signal,
    });
    const bytes = new Uint8Array(await response.body.arrayBuffer());
    const dssVersion = headerValue(response.headers['dss-version']);
    if (response.statusCode >= 400) {
      throw apiError(endpoint, ex, response.statusCode, bytes, headerValue(response.headers['retry-after']));
    }
    const data = ex.binary === true ? bytes : parseJson(endpoint, ex, response.statusCode, bytes);
    return { status: response.statusCode, data, dssVersion };
  } catch (error) {
    if (error instanceof DssApiError) throw error;
    if (controller.signal.aborted && controller.signal.reason === TIMED_OUT) {
      throw new DssTimeoutError({ ...place, timeoutMs: ex.timeoutMs });
    }
    if (ex.signal?.aborted === true) throw ex.signal.reason;
    const causeCode = errorCode(error);
    const cause = scrubbedError(endpoint, error, causeCode);
    throw new DssConnectionError(
      { ...place, reason: tlsHint(causeCode, cause.message), ...(causeCode === undefined ? {} : { causeCode }) },
      { cause },
    );
  } finally {
    clearTimeout(timer);
    ex.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * A copy of a low-level error with the key removed from its text: some dispatchers (undici's MockAgent) quote
 * the request headers in their messages, and the cause travels with our error into logs.
 */
function scrubbedError(endpoint: Endpoint, error: unknown, code: string | undefined): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(endpoint.scrub(original.message));
  copy.name = original.name;
  if (original.stack !== undefined) copy.stack = endpoint.scrub(original.stack);
  return code === undefined ? copy : Object.assign(copy, { code });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Stateless between calls (no streaming): one for every answer rather than one per answer. */
const utf8 = new TextDecoder();

function parseJson(endpoint: Endpoint, ex: Exchange, status: number, bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  const text = utf8.decode(bytes);
  if (/^\s*$/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DssApiError({
      nodeName: endpoint.nodeName,
      method: ex.method,
      path: ex.path,
      status,
      // Redacted whole, then cut: a secret cut in two is no longer recognized.
      dssMessage: `the response is not JSON: ${endpoint.scrub(text).slice(0, 200)}`,
    });
  }
}

function apiError(
  endpoint: Endpoint,
  ex: Exchange,
  status: number,
  bytes: Uint8Array,
  retryAfter: string | undefined,
): DssApiError {
  const text = utf8.decode(bytes);
  let errorType: string | undefined;
  let message: string | undefined;
  let detailed: string | undefined;
  try {
    const parsed = JSON.parse(text) as { errorType?: unknown; message?: unknown; detailedMessage?: unknown };
    if (typeof parsed.errorType === 'string') errorType = parsed.errorType;
    if (typeof parsed.message === 'string') message = parsed.message;
    if (typeof parsed.detailedMessage === 'string') detailed = parsed.detailedMessage;
  } catch {
    // Not a DSS error body (a proxy's HTML page, an empty body): the start of the text stands for the message.
  }
  const fallback = text.trim() === '' ? `HTTP ${status}` : endpoint.scrub(text.trim()).slice(0, 200);
  return new DssApiError({
    nodeName: endpoint.nodeName,
    method: ex.method,
    path: ex.path,
    status,
    dssMessage: endpoint.scrub(message ?? fallback),
    ...(errorType === undefined ? {} : { errorType }),
    ...(detailed === undefined ? {} : { detailedMessage: endpoint.scrub(detailed) }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function tlsHint(code: string | undefined, reason: string): string {
  if (code === undefined || !TLS_CODES.has(code)) return reason;
  return `${reason} (TLS verification failed: set caFile to the node's certificate authority, or insecure: true)`;
}

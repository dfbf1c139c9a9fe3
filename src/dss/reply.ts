// What an exchange's answer becomes (transport.ts drives the exchange): its JSON, or the typed error of a status
// DSS refused it with, of a body that is not JSON, of a connection that failed; every text DSS or the network gave
// passes through the endpoint's scrubber first.

import { DssApiError } from './errors.js';
import type { Endpoint, Exchange } from './transport.js';

/**
 * A copy of a low-level error with the key removed from its text: some dispatchers (undici's MockAgent) quote
 * the request headers in their messages, and the cause travels with our error into logs.
 */
export function scrubbedError(endpoint: Endpoint, error: unknown, code: string | undefined): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(endpoint.scrub(original.message));
  copy.name = original.name;
  if (original.stack !== undefined) copy.stack = endpoint.scrub(original.stack);
  return code === undefined ? copy : Object.assign(copy, { code });
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Stateless between calls (no streaming): one for every answer rather than one per answer. */
const utf8 = new TextDecoder();

export function parseJson(endpoint: Endpoint, ex: Exchange, status: number, bytes: Uint8Array): unknown {
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

export function apiError(
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

export function tlsHint(code: string | undefined, reason: string): string {
  if (code === undefined || !TLS_CODES.has(code)) return reason;
  return `${reason} (TLS verification failed: set caFile to the node's certificate authority, or insecure: true)`;
}

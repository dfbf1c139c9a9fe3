// Errors of the DSS client. Remote failures are classified here, once: callers ask `isTransient` instead of
// looking at status codes, and the retry loop retries exactly what this module calls transient.

import { DssGitopsError } from '../errors.js';
import type { HttpMethod } from './types.js';

/**
 * Statuses a later attempt may not see: rate limiting, a node's passing internal error (a restart, a lost
 * connection to its own backend) and gateways that lost the backend.
 */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Failures to connect at all: the request never left this process, so even a POST may be sent again. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** Socket-level failures after which the same request may well succeed. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export interface DssApiErrorDetails {
  nodeName: string;
  method: HttpMethod;
  /** Path relative to the base path, without query string: never carries credentials. */
  path: string;
  status: number;
  /** DSS's `errorType`, e.g. `com.dataiku.dip.server.controllers.NotFoundException`, when it sent one. */
  errorType?: string;
  /** DSS's own message, or the start of the body when it was not a DSS error. */
  dssMessage: string;
  detailedMessage?: string;
  /** Seconds or HTTP date, as DSS (or a proxy) sent it on 429/503. */
  retryAfter?: string;
}

/** DSS answered with an error status. */
export class DssApiError extends DssGitopsError {
  readonly nodeName: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly status: number;
  readonly errorType: string | undefined;
  readonly dssMessage: string;
  readonly detailedMessage: string | undefined;
  readonly retryAfter: string | undefined;

  constructor(details: DssApiErrorDetails) {
    const auth = details.status === 401 || details.status === 403;
    super(auth ? 'DSS_UNAUTHORIZED' : details.status === 404 ? 'DSS_NOT_FOUND' : 'DSS_API_ERROR', describe(details), {
      // A key without the privilege is a configuration problem the user fixes; the rest is DSS's answer.
      fault: auth ? 'user' : 'remote',
    });
    this.nodeName = details.nodeName;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.errorType = details.errorType;
    this.dssMessage = details.dssMessage;
    this.detailedMessage = details.detailedMessage;
    this.retryAfter = details.retryAfter;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

function describe(d: DssApiErrorDetails): string {
  const call = `${d.method} ${d.path}`;
  if (d.status === 401) return `the API key for node ${d.nodeName} was refused on ${call}: ${d.dssMessage}`;
  if (d.status === 403) return `the API key for node ${d.nodeName} lacks privilege on ${call}: ${d.dssMessage}`;
  const type = d.errorType === undefined ? '' : ` (${shortType(d.errorType)})`;
  return `node ${d.nodeName} answered ${d.status}${type} on ${call}: ${d.dssMessage}`;
}

/** `com.dataiku.dip.server.controllers.NotFoundException` → `NotFoundException`, for readable messages. */
function shortType(errorType: string): string {
  return errorType.slice(errorType.lastIndexOf('.') + 1);
}

/** The node could not be reached or the connection broke before a full response. */
export class DssConnectionError extends DssGitopsError {
  readonly nodeName: string;
  readonly url: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** The system or undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`, when there was one. */
  readonly causeCode: string | undefined;

  constructor(
    args: { nodeName: string; url: string; method: HttpMethod; path: string; causeCode?: string; reason: string },
    options: { cause?: unknown; code?: string } = {},
  ) {
    super(
      options.code ?? 'DSS_CONNECTION_ERROR',
      `cannot reach node ${args.nodeName} at ${args.url} (${args.method} ${args.path}): ${args.reason}`,
      { fault: 'remote', cause: options.cause },
    );
    this.nodeName = args.nodeName;
    this.url = args.url;
    this.method = args.method;
    this.path = args.path;
    this.causeCode = args.causeCode;
  }
}

/** One request took longer than the per-request timeout (headers and body together). */
export class DssTimeoutError extends DssConnectionError {
  readonly timeoutMs: number;

  constructor(args: { nodeName: string; url: string; method: HttpMethod; path: string; timeoutMs: number }) {
    super({ ...args, reason: `no complete response within ${args.timeoutMs} ms` }, { code: 'DSS_TIMEOUT' });
    this.timeoutMs = args.timeoutMs;
  }
}

/** A DSS long-running job (a future) did not finish: timed out, aborted by us or reported aborted by DSS. */
export class DssFutureError extends DssGitopsError {
  readonly nodeName: string;
  readonly jobId: string;
  readonly reason: 'timeout' | 'aborted' | 'aborted-by-dss';

  constructor(args: { nodeName: string; jobId: string; reason: DssFutureError['reason']; message: string }) {
    super(args.reason === 'timeout' ? 'DSS_FUTURE_TIMEOUT' : 'DSS_FUTURE_ABORTED', args.message, {
      fault: args.reason === 'aborted' ? 'user' : 'remote',
    });
    this.nodeName = args.nodeName;
    this.jobId = args.jobId;
    this.reason = args.reason;
  }
}

/** Whether the same request may succeed if sent again later. */
export function isTransient(error: unknown): boolean {
  if (error instanceof DssTimeoutError) return true;
  if (error instanceof DssConnectionError) return error.causeCode !== undefined && TRANSIENT_CODES.has(error.causeCode);
  if (error instanceof DssApiError) return TRANSIENT_STATUSES.has(error.status);
  return false;
}

/** Whether the request provably never reached DSS: the connection itself could not be made. */
export function neverSent(error: unknown): boolean {
  return (
    error instanceof DssConnectionError &&
    !(error instanceof DssTimeoutError) &&
    error.causeCode !== undefined &&
    NEVER_SENT_CODES.has(error.causeCode)
  );
}

/**
 * Whether a failed request may be sent again. GET, PUT and DELETE are idempotent; a POST may have taken effect
 * before the failure, so it is only repeated when DSS said it was not processed (429) or when it never left
 * (connection refused). A POST whose answer was lost is resolved by reading back: see `outcomeUnknown`.
 */
export function isRetryable(method: HttpMethod, error: unknown): boolean {
  if (!isTransient(error)) return false;
  if (method !== 'POST') return true;
  return (error instanceof DssApiError && error.status === 429) || neverSent(error);
}

/**
 * Whether a failed write may have taken effect in DSS all the same: its answer was lost (a connection broken
 * after the request was sent, a timeout) or a gateway or the node failed in the middle (5xx). Only reading the
 * object back tells; a refusal (4xx), a 429 and a connection never made are certain not to have written.
 */
export function outcomeUnknown(error: unknown): boolean {
  if (error instanceof DssApiError) return error.status !== 429 && TRANSIENT_STATUSES.has(error.status);
  if (error instanceof DssConnectionError) return !neverSent(error);
  return false;
}

/** The code of a low-level error (`ECONNRESET`, `UND_ERR_SOCKET`...), following `cause` a few levels. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DssApiError, DssConnectionError, DssTimeoutError, isRetryable, isTransient, outcomeUnknown } from '../../src/dss/errors.js';
import { backoffDelay, parseRetryAfter } from '../../src/dss/retry.js';

const retries = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, maxElapsedMs: 60_000 };

const apiError = (status: number): DssApiError =>
  new DssApiError({ nodeName: 'design', method: 'GET', path: '/projects/', status, dssMessage: 'x' });

const connection = (causeCode?: string): DssConnectionError =>
  new DssConnectionError({
    nodeName: 'design',
    url: 'https://dss',
    method: 'GET',
    path: '/',
    reason: 'x',
    ...(causeCode === undefined ? {} : { causeCode }),
  });

describe('backoffDelay', () => {
  it('stays within [0, min(maxDelay, base·2^retry)) for any random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const delay = backoffDelay(retry, retries, () => r);
        const ceiling = Math.min(retries.maxDelayMs, retries.baseDelayMs * 2 ** retry);
        return delay >= 0 && delay < ceiling;
      }),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
  });

  it('reads HTTP dates, never negative', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('classification of failures', () => {
  it('calls 429, 500, 502, 503, 504, broken connections and timeouts transient', () => {
    for (const status of [429, 500, 502, 503, 504]) expect(isTransient(apiError(status))).toBe(true);
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'EPIPE']) expect(isTransient(connection(code))).toBe(true);
    expect(
      isTransient(new DssTimeoutError({ nodeName: 'design', url: 'https://dss', method: 'GET', path: '/', timeoutMs: 1 })),
    ).toBe(true);
  });

  it('calls client errors, server errors, TLS failures and unknown errors permanent', () => {
    for (const status of [400, 401, 403, 404, 409, 501]) expect(isTransient(apiError(status))).toBe(false);
    expect(isTransient(connection('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe(false);
    expect(isTransient(connection('ENOTFOUND'))).toBe(false);
    expect(isTransient(connection())).toBe(false);
    expect(isTransient(new Error('bug'))).toBe(false);
  });

  it('retries a POST only on 429 or when it never reached DSS', () => {
    expect(isRetryable('POST', apiError(429))).toBe(true);
    expect(isRetryable('POST', connection('ECONNREFUSED'))).toBe(true);
    expect(isRetryable('POST', connection('UND_ERR_CONNECT_TIMEOUT'))).toBe(true);
    for (const status of [500, 502, 503, 504]) expect(isRetryable('POST', apiError(status))).toBe(false);
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']) expect(isRetryable('POST', connection(code))).toBe(false);
    expect(
      isRetryable('POST', new DssTimeoutError({ nodeName: 'design', url: 'https://dss', method: 'POST', path: '/', timeoutMs: 1 })),
    ).toBe(false);
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      for (const status of [500, 502, 503, 504]) expect(isRetryable(method, apiError(status))).toBe(true);
      expect(isRetryable(method, connection('UND_ERR_SOCKET'))).toBe(true);
    }
  });

  it('calls a write whose answer was lost or broke midway of unknown outcome, a refusal or a refused connection not', () => {
    for (const status of [500, 502, 503, 504]) expect(outcomeUnknown(apiError(status))).toBe(true);
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']) expect(outcomeUnknown(connection(code))).toBe(true);
    expect(
      outcomeUnknown(new DssTimeoutError({ nodeName: 'design', url: 'https://dss', method: 'POST', path: '/', timeoutMs: 1 })),
    ).toBe(true);
    for (const status of [400, 404, 409, 429]) expect(outcomeUnknown(apiError(status))).toBe(false);
    expect(outcomeUnknown(connection('ECONNREFUSED'))).toBe(false);
    expect(outcomeUnknown(new Error('bug'))).toBe(false);
  });
});

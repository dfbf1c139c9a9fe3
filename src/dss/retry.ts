// Retry timing: exponential backoff with full jitter, Retry-After, and the bounds on attempts and total time.
// Pure functions plus one loop; the clock, the random source and sleep come from outside so tests pin delays.

import type { RetryConfig } from '../config/types.js';
import { DssApiError, isRetryable } from './errors.js';
import type { HttpMethod } from './types.js';

export interface Timing {
  /** A number in [0, 1). */
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
}

export const realTiming: Timing = {
  random: Math.random,
  sleep: sleep,
  now: Date.now,
};

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full jitter: `random(0, min(maxDelay, base·2^attempt))`, `attempt` counting retries from 0. */
export function backoffDelay(retry: number, config: RetryConfig, random: () => number): number {
  const ceiling = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: either delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The delay before retry number `retry` (0 for the first retry) after `error`. */
export function retryDelay(error: unknown, retry: number, config: RetryConfig, timing: Timing): number {
  if (error instanceof DssApiError && error.status === 429) {
    // The server said when; waiting less would only earn another 429.
    const told = parseRetryAfter(error.retryAfter, timing.now());
    if (told !== undefined) return told;
  }
  if (error instanceof DssApiError && error.status === 503) {
    const told = parseRetryAfter(error.retryAfter, timing.now());
    if (told !== undefined) return Math.min(told, config.maxDelayMs);
  }
  return backoffDelay(retry, config, timing.random);
}

export interface RetryHooks {
  /** Replaces `isRetryable(method, error)` as the rule of what is sent again. */
  retryable?: (error: unknown) => boolean;
  /** Called before each sleep, with the failed attempt's error and the delay chosen. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/**
 * The retries after a first attempt, started at `started`, failed with `error`: `attempt` is called again until it
 * succeeds, fails permanently, or the budget (attempts, elapsed time) is spent; a retry whose delay would end past
 * `maxElapsedMs` is not started, and the last error is thrown instead. The caller sends the first attempt itself (the
 * client, which needs no retry loop around the answers that succeed at once).
 */
export async function retryAfterFailure<T>(
  error: unknown,
  started: number,
  method: HttpMethod,
  config: RetryConfig,
  timing: Timing,
  attempt: (attemptNumber: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  let failure = error;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const retryable = hooks.retryable ? hooks.retryable(failure) : isRetryable(method, failure);
    if (attemptNumber >= config.attempts || !retryable) throw failure;
    const delay = retryDelay(failure, attemptNumber - 1, config, timing);
    if (timing.now() - started + delay > config.maxElapsedMs) throw failure;
    hooks.onRetry?.(failure, attemptNumber, delay);
    await timing.sleep(delay, hooks.signal);
    try {
      return await attempt(attemptNumber + 1);
    } catch (next) {
      failure = next;
    }
  }
}

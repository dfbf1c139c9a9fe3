// Waiting for DSS long-running jobs ("futures"): poll `GET /futures/{jobId}` until it has a result. A job that
// fails answers an HTTP error to that GET, which surfaces as the DssApiError it is.

import { pathSegment } from '../base/dss-path.js';
import { DssFutureError } from './errors.js';
import type { Timing } from './retry.js';
import type { FutureProgress, RequestOptions, WaitForFutureOptions } from './types.js';

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;

export interface FutureCalls {
  nodeName: string;
  get: (path: string, options: RequestOptions) => Promise<unknown>;
  delete: (path: string) => Promise<unknown>;
  timing: Timing;
  defaultTimeoutMs: number;
  onAbortFailed?: (error: unknown) => void;
}

interface FutureState {
  hasResult?: unknown;
  result?: unknown;
  aborted?: unknown;
  alive?: unknown;
  progress?: unknown;
}

interface ProgressState {
  name?: unknown;
  unit?: unknown;
  target?: unknown;
  cur?: unknown;
}

export async function waitForFuture<T>(calls: FutureCalls, jobId: string, options: WaitForFutureOptions): Promise<T> {
  const { timing } = calls;
  const timeoutMs = options.timeoutMs ?? calls.defaultTimeoutMs;
  const deadline = timing.now() + timeoutMs;
  const path = `/futures/${pathSegment(jobId)}`;
  let delay = FIRST_POLL_MS;
  let lastReported: string | undefined;

  const fail = (reason: DssFutureError['reason'], what: string): DssFutureError =>
    new DssFutureError({ nodeName: calls.nodeName, jobId, reason, message: `job ${jobId} on node ${calls.nodeName} ${what}` });

  for (;;) {
    if (options.signal?.aborted === true) {
      await abortJob(calls, path);
      throw fail('aborted', 'was cancelled');
    }
    // A failed job answers 500 to every poll: that is its outcome, not a passing failure to retry.
    const state = ((await calls.get(path, { query: { peek: false }, finalStatuses: [500] })) ?? {}) as FutureState;
    if (state.hasResult === true) return state.result as T;
    if (state.aborted === true) {
      throw fail('aborted-by-dss', 'was aborted in DSS');
    }
    const progress = readProgress(jobId, state.progress);
    const fingerprint = JSON.stringify(progress);
    if (options.onProgress !== undefined && fingerprint !== lastReported) {
      lastReported = fingerprint;
      options.onProgress(progress);
    }
    const remaining = deadline - timing.now();
    if (remaining <= 0) {
      await abortJob(calls, path);
      throw fail('timeout', `did not finish within ${timeoutMs} ms`);
    }
    try {
      await timing.sleep(Math.min(delay, remaining), options.signal);
    } catch {
      // Aborted while sleeping: the loop's first check cancels the job and reports it.
    }
    delay = Math.min(MAX_POLL_MS, delay * 2);
  }
}

/** Best effort: the job may already be over, and the caller's error matters more than this one. */
async function abortJob(calls: FutureCalls, path: string): Promise<void> {
  try {
    await calls.delete(path);
  } catch (error) {
    calls.onAbortFailed?.(error);
  }
}

/** DSS sends progress either as a list of steps or as `{states: [...]}`; both become readable steps. */
export function readProgress(jobId: string, raw: unknown): FutureProgress {
  const list: unknown = Array.isArray(raw) ? raw : (raw as { states?: unknown } | undefined)?.states;
  const steps = Array.isArray(list) ? (list as ProgressState[]) : [];
  const states: string[] = [];
  let fraction: number | undefined;
  for (const step of steps) {
    const name = typeof step.name === 'string' ? step.name : 'working';
    const target = typeof step.target === 'number' ? step.target : 0;
    const cur = typeof step.cur === 'number' ? step.cur : 0;
    if (target > 0) {
      const unit = typeof step.unit === 'string' && step.unit !== 'NONE' ? ` ${step.unit.toLowerCase()}` : '';
      states.push(`${name} (${cur}/${target}${unit})`);
      fraction ??= Math.min(1, Math.max(0, cur / target));
    } else {
      states.push(name);
    }
  }
  return fraction === undefined ? { jobId, states } : { jobId, states, fraction };
}

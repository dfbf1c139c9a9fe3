// Rolling a deployment out: the update action on the deployer (a future that uploads, preloads and activates the
// bundle on the automation node), then a gate on the deployment's health. HEALTHY passes; ERROR, UNHEALTHY or
// the timeout fails, with the deployment's own health messages; with rollbackOnFailure the previous bundle is
// put back and rolled out again, and the error reports both outcomes.

import { setTimeout as sleep } from 'node:timers/promises';
import { DssGitopsError } from '../errors.js';
import { asObject, encode, isPlainObject } from './managed-write.js';
import type { KindContext } from './types.js';

export interface RolloutPolicy {
  waitForHealthy: boolean;
  timeoutSeconds: number;
  rollbackOnFailure: boolean;
}

export function rolloutPolicyOf(spec: Record<string, unknown>): RolloutPolicy {
  const r = asObject(spec.rollout);
  return {
    waitForHealthy: r.waitForHealthy !== false,
    timeoutSeconds: typeof r.timeoutSeconds === 'number' ? r.timeoutSeconds : 600,
    rollbackOnFailure: r.rollbackOnFailure === true,
  };
}

export function deploymentPath(id: string): string {
  return `/project-deployer/deployments/${encode(id)}`;
}

/** Health states that are settled: the gate decides on them. Others (UNKNOWN, OUT_OF_SYNC) are polled again. */
const PASSING = new Set(['HEALTHY', 'WARNING']);
const FAILING = new Set(['ERROR', 'UNHEALTHY']);
const STATUS_POLL_MS = 500;

interface Outcome {
  ok: boolean;
  /** Why it failed, or a warning worth a note. */
  detail?: string;
}

function messagesOf(status: Record<string, unknown>): string {
  const messages = Array.isArray(status.healthMessages) ? status.healthMessages : [];
  const texts = messages.flatMap((m) => (isPlainObject(m) && typeof m.message === 'string' ? [m.message] : []));
  return texts.length > 0 ? texts.join('; ') : 'no health message';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const REPORTS = ['prepareSyncReport', 'preloadReport', 'activateCheckReport', 'activateReport'] as const;

function reportMessages(report: Record<string, unknown>): string {
  const messages = Array.isArray(report.messages) ? report.messages : [];
  const texts = messages.flatMap((m) => {
    if (typeof m === 'string') return [m];
    if (!isPlainObject(m)) return [];
    const text = typeof m.message === 'string' ? m.message : typeof m.title === 'string' ? m.title : undefined;
    return text === undefined ? [] : [text];
  });
  return texts.length > 0 ? texts.join('; ') : 'no message';
}

/**
 * Why the update's result says it failed, or undefined when no report does. The reference's result is a list of
 * `{prepareSyncReport, preloadReport, activateCheckReport, activateReport}`, each with `error` and `fatal` flags
 * and its `messages`: an update can end without a failed job and still not have activated the bundle.
 */
export function updateResultFailure(result: unknown): string | undefined {
  const items = Array.isArray(result) ? result : [result];
  const failures: string[] = [];
  for (const item of items) {
    const reports = asObject(item);
    for (const name of REPORTS) {
      const report = asObject(reports[name]);
      if (report.error === true || report.fatal === true) failures.push(`${name}: ${reportMessages(report)}`);
    }
  }
  return failures.length > 0 ? failures.join('; ') : undefined;
}

/**
 * The update's result: from the answer itself when DSS ran it synchronously (`hasResult`), else from its future.
 * An answer with neither a result nor a jobId is not one the reference describes: an error, not a success.
 */
async function updateResult(ctx: KindContext, address: string, started: Record<string, unknown>, policy: RolloutPolicy): Promise<unknown> {
  if (started.hasResult === true) return started.result;
  if (typeof started.jobId !== 'string') {
    throw new DssGitopsError('ROLLOUT_FAILED', `${address}: the update action answered with neither a result nor a jobId`, { fault: 'remote' });
  }
  return ctx.client.waitForFuture(started.jobId, {
    timeoutMs: policy.timeoutSeconds * 1000,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => ctx.progress?.(address, p.states.join(' › ') || 'updating'),
  });
}

/** One update action and its health gate; never throws for a failed rollout, only for a failed request. */
async function updateOnce(ctx: KindContext, address: string, id: string, policy: RolloutPolicy): Promise<Outcome> {
  const deadline = Date.now() + policy.timeoutSeconds * 1000;
  const started = asObject(await ctx.client.postJson(`${deploymentPath(id)}/actions/update`));
  let futureError: string | undefined;
  try {
    futureError = updateResultFailure(await updateResult(ctx, address, started, policy));
  } catch (error) {
    if (error instanceof DssGitopsError && error.code === 'ROLLOUT_FAILED') throw error;
    futureError = errorText(error);
  }
  if (!policy.waitForHealthy) return futureError === undefined ? { ok: true } : { ok: false, detail: futureError };
  for (;;) {
    const status = asObject(await ctx.client.getJson(`${deploymentPath(id)}/status`));
    const health = typeof status.health === 'string' ? status.health : 'UNKNOWN';
    if (PASSING.has(health) && futureError === undefined) {
      return health === 'HEALTHY' ? { ok: true } : { ok: true, detail: `${health}: ${messagesOf(status)}` };
    }
    if (FAILING.has(health) || futureError !== undefined || Date.now() >= deadline) {
      const timedOut = !FAILING.has(health) && futureError === undefined;
      const why = timedOut ? `not healthy after ${policy.timeoutSeconds}s` : health;
      const update = futureError === undefined ? '' : `; update: ${futureError}`;
      return { ok: false, detail: `${why}: ${messagesOf(status)}${update}` };
    }
    await sleep(STATUS_POLL_MS, undefined, ctx.signal ? { signal: ctx.signal } : {});
  }
}

export interface RolloutRequest {
  address: string;
  id: string;
  bundleId: string;
  infraId: string;
  /** The bundle the deployment ran before, for a rollback; undefined on creation. */
  previousBundleId?: string;
  policy: RolloutPolicy;
}

/** Rolls the saved settings out. Returns notes for the report; throws when the rollout failed. */
export async function rollOut(ctx: KindContext, req: RolloutRequest): Promise<string[]> {
  const outcome = await updateOnce(ctx, req.address, req.id, req.policy);
  const what = `rollout of bundle ${req.bundleId} on infra ${req.infraId}`;
  if (outcome.ok) return outcome.detail === undefined ? [] : [`${what}: ${outcome.detail}`];
  const failure = `${what} failed: ${outcome.detail ?? 'unknown error'}`;
  const previous = req.previousBundleId;
  if (!req.policy.rollbackOnFailure || previous === undefined || previous === req.bundleId) {
    throw new DssGitopsError('ROLLOUT_FAILED', failure, { fault: 'remote' });
  }
  let rollback: string;
  try {
    const settings = asObject(await ctx.client.getJson(`${deploymentPath(req.id)}/settings`));
    await ctx.client.putJson(`${deploymentPath(req.id)}/settings`, { ...settings, bundleId: previous });
    const back = await updateOnce(ctx, req.address, req.id, req.policy);
    rollback = back.ok
      ? `rolled back to bundle ${previous}, which is running and HEALTHY`
      : `rollback to bundle ${previous} failed too: ${back.detail ?? 'unknown error'}`;
  } catch (error) {
    rollback = `rollback to bundle ${previous} failed too: ${errorText(error)}`;
  }
  throw new DssGitopsError('ROLLOUT_FAILED', `${failure}; ${rollback}`, { fault: 'remote' });
}

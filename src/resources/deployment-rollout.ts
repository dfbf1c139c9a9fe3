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

/** One update action and its health gate; never throws for a failed rollout, only for a failed request. */
async function updateOnce(ctx: KindContext, address: string, id: string, policy: RolloutPolicy): Promise<Outcome> {
  const deadline = Date.now() + policy.timeoutSeconds * 1000;
  const started = asObject(await ctx.client.postJson(`${deploymentPath(id)}/actions/update`));
  const jobId = typeof started.jobId === 'string' ? started.jobId : undefined;
  let futureError: string | undefined;
  if (jobId !== undefined) {
    try {
      await ctx.client.waitForFuture(jobId, {
        timeoutMs: policy.timeoutSeconds * 1000,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onProgress: (p) => ctx.progress?.(address, p.states.join(' › ') || 'updating'),
      });
    } catch (error) {
      futureError = errorText(error);
    }
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
      return { ok: false, detail: `${why}: ${messagesOf(status)}` };
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

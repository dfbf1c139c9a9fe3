// Rolling a deployment out: the update action on the deployer (a future that uploads, preloads and activates the
// bundle on the automation node), then a gate on the deployment's health. HEALTHY passes; ERROR, UNHEALTHY or
// the timeout fails, with the deployment's own health messages; with rollbackOnFailure every rollout field of the
// settings before this apply is put back (not only the bundle: local variables or scenarios changed with it would
// otherwise stay new) and rolled out again, and the error reports both outcomes as observed.

import { objectAnswer } from '../../dss/answer.js';
import { pathSegment } from '../../base/dss-path.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { DssApiError, outcomeUnknown } from '../../dss/errors.js';
import { DssGitopsError } from '../../errors.js';
import { deepEqual, isObject } from '../../base/json.js';
import { asObject } from '../managed-write.js';
import type { KindContext } from '../types.js';

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

/** Settings fields the automation node only sees after an update action; `tags` live on the deployer alone. */
export const ROLLOUT_FIELDS = [
  'bundleId',
  'projectFolderId',
  'disableAutomaticTriggers',
  'localVariables',
  'scenariosToActivate',
  'bundleContainerSettings',
] as const;

export function deploymentPath(id: string): string {
  return `/project-deployer/deployments/${pathSegment(id)}`;
}

/** Health states that are settled: the gate decides on them. Others (UNKNOWN, OUT_OF_SYNC) are polled again. */
const PASSING = new Set(['HEALTHY', 'WARNING']);
const FAILING = new Set(['ERROR', 'UNHEALTHY']);
const STATUS_POLL_MS = 500;

export interface Outcome {
  ok: boolean;
  /** Why it failed, or a warning worth a note. */
  detail?: string;
  /** The health last read, with its messages; absent when it was not checked (waitForHealthy: false). */
  health?: string;
  messages?: string;
}

/** The health messages of a deployment's status, in one line: what the plan notes and a failed rollout quote. */
export function healthMessagesOf(status: Record<string, unknown>): string {
  const messages = Array.isArray(status.healthMessages) ? status.healthMessages : [];
  const texts = messages.flatMap((m) => (isObject(m) && typeof m.message === 'string' ? [m.message] : []));
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
    if (!isObject(m)) return [];
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

const MAX_UPDATE_STARTS = 8;

/**
 * Starts the update action. It is idempotent in effect (it brings the node to the saved settings), so an answer
 * lost (a broken connection, a 5xx midway) is resolved by starting it again; while an earlier start still runs,
 * DSS refuses with 409, and the start waits for it to end.
 */
async function startUpdate(ctx: KindContext, id: string, deadline: number): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return objectAnswer(await ctx.client.postJson(`${deploymentPath(id)}/actions/update`), `POST ${deploymentPath(id)}/actions/update`);
    } catch (error) {
      const running = error instanceof DssApiError && error.status === 409;
      if (!(running || outcomeUnknown(error)) || attempt >= MAX_UPDATE_STARTS || Date.now() >= deadline) throw error;
      ctx.log.warn({ deployment: id, attempt, err: errorText(error) }, 'starting the update again');
      await sleep(Math.min(STATUS_POLL_MS * 2 ** (attempt - 1), 8_000), undefined, ctx.signal ? { signal: ctx.signal } : {});
    }
  }
}

/** One update action and its health gate; never throws for a failed rollout, only for a failed request. */
async function updateOnce(ctx: KindContext, address: string, id: string, policy: RolloutPolicy): Promise<Outcome> {
  const deadline = Date.now() + policy.timeoutSeconds * 1000;
  const started = await startUpdate(ctx, id, deadline);
  let futureError: string | undefined;
  try {
    futureError = updateResultFailure(await updateResult(ctx, address, started, policy));
  } catch (error) {
    if (error instanceof DssGitopsError && error.code === 'ROLLOUT_FAILED') throw error;
    futureError = errorText(error);
  }
  if (!policy.waitForHealthy) return futureError === undefined ? { ok: true } : { ok: false, detail: futureError };
  for (;;) {
    const status = objectAnswer(await ctx.client.getJson(`${deploymentPath(id)}/status`), `GET ${deploymentPath(id)}/status`);
    const health = typeof status.health === 'string' ? status.health : 'UNKNOWN';
    const messages = healthMessagesOf(status);
    if (PASSING.has(health) && futureError === undefined) {
      return health === 'HEALTHY' ? { ok: true, health, messages } : { ok: true, detail: `${health}: ${messages}`, health, messages };
    }
    if (FAILING.has(health) || futureError !== undefined || Date.now() >= deadline) {
      const timedOut = !FAILING.has(health) && futureError === undefined;
      const why = timedOut ? `not healthy after ${policy.timeoutSeconds}s` : health;
      const update = futureError === undefined ? '' : `; update: ${futureError}`;
      return { ok: false, detail: `${why}: ${messages}${update}`, health, messages };
    }
    await sleep(STATUS_POLL_MS, undefined, ctx.signal ? { signal: ctx.signal } : {});
  }
}

/**
 * What a failed rollout may go back to: the settings read when the change was planned (their rollout fields are
 * taken whole, absent ones removed), or why there is nothing to go back to.
 */
export type RollbackSource = { settings: Record<string, unknown> } | { unavailable: string };

export interface RolloutRequest {
  address: string;
  id: string;
  bundleId: string;
  infraId: string;
  previous: RollbackSource;
  policy: RolloutPolicy;
}

/** The current settings with the previous rollout fields laid back, and the fields that this changes. */
export function restoredSettings(current: Record<string, unknown>, previous: Record<string, unknown>): { body: Record<string, unknown>; restored: string[] } {
  const body = { ...current };
  const restored: string[] = [];
  for (const field of ROLLOUT_FIELDS) {
    if (deepEqual(current[field], previous[field])) continue;
    restored.push(field);
    if (previous[field] === undefined) delete body[field];
    else body[field] = previous[field];
  }
  return { body, restored };
}

/** The rollback's outcome in the words of what was observed: the health read and its messages, or none read. */
export function rollbackReport(target: string, back: Outcome): string {
  if (!back.ok) return `rollback to ${target} failed too: ${back.detail ?? 'unknown error'}`;
  if (back.health === undefined) {
    return `rolled back to ${target}: the update reported no failure; health not checked (rollout.waitForHealthy is false)`;
  }
  return `rolled back to ${target}: health ${back.health}: ${back.messages ?? 'no health message'}`;
}

/** Puts the previous rollout fields back (GET-modify-PUT, so unmanaged fields stay) and rolls them out. */
async function rollBack(ctx: KindContext, req: RolloutRequest, previous: Record<string, unknown>): Promise<string> {
  const path = `${deploymentPath(req.id)}/settings`;
  let target = 'the settings before this apply';
  try {
    const current = objectAnswer(await ctx.client.getJson(path), `GET ${path}`);
    const { body, restored } = restoredSettings(current, previous);
    if (restored.length === 0) return 'no rollback: the settings before this apply are the current ones';
    const bundle = typeof body.bundleId === 'string' ? body.bundleId : '(none)';
    target = `the settings before this apply (bundle ${bundle}; restored: ${restored.join(', ')})`;
    await ctx.client.putJson(path, body);
    return rollbackReport(target, await updateOnce(ctx, req.address, req.id, req.policy));
  } catch (error) {
    return `rollback to ${target} failed too: ${errorText(error)}`;
  }
}

/** Rolls the saved settings out. Returns notes for the report; throws when the rollout failed, rolled back or not. */
export async function rollOut(ctx: KindContext, req: RolloutRequest): Promise<string[]> {
  const outcome = await updateOnce(ctx, req.address, req.id, req.policy);
  const what = `rollout of bundle ${req.bundleId} on infra ${req.infraId}`;
  if (outcome.ok) return outcome.detail === undefined ? [] : [`${what}: ${outcome.detail}`];
  const failure = `${what} failed: ${outcome.detail ?? 'unknown error'}`;
  if (!req.policy.rollbackOnFailure) throw new DssGitopsError('ROLLOUT_FAILED', failure, { fault: 'remote' });
  const rollback = 'settings' in req.previous ? await rollBack(ctx, req, req.previous.settings) : `no rollback: ${req.previous.unavailable}`;
  throw new DssGitopsError('ROLLOUT_FAILED', `${failure}; ${rollback}`, { fault: 'remote' });
}

// The run lock on one DSS node, kept in its instance variables (`GET|PUT /admin/variables/`, administrators only).
// DSS has no compare-and-swap there: taking the lock is GET, then PUT of every variable with ours added, then a
// short settle delay and a second GET to check that ours is still the one stored. Two runs that write within the
// settle delay of each other both see the later one's lock, and only that one goes on: the check narrows the race
// to a PUT that takes longer than the delay to reach DSS, it does not close it. A refresh that finds another run's
// lock says so. Each PUT writes back every variable it read: an edit of another instance variable made between
// that GET and PUT is lost, as with any GET-modify-PUT of this endpoint; within this process, each GET-PUT pair is
// queued with the other edits of the node's variables (the instance ownership record, kinds kept there), so that a
// refresh during apply never writes back a record from before the apply wrote it.

import { DssApiError } from '../dss/errors.js';
import { serializeInstanceVariables } from '../dss/instance-variables.js';
import type { DssClient, RequestOptions } from '../dss/types.js';
import { DssGitopsError, UserError } from '../errors.js';
import { describeLock, freeValue, heldValue, isAbandoned, isExpired, LOCK_VARIABLE, parseLock, type LockInfo, type LockState } from './lock-info.js';

export const VARIABLES_PATH = '/admin/variables/';

/** What the lock operations need besides the client: time, and where warnings go. */
export interface LockClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  warn(message: string): void;
}

export class LockHeldError extends DssGitopsError {
  constructor(node: string, holder: LockInfo, waitedMs: number) {
    super(
      'LOCK_HELD',
      `DSS is locked: the run lock on node ${node} is held by ${describeLock(holder)} (lock id ${holder.id}). ` +
        `Waited ${Math.round(waitedMs / 1000)}s (--lock-timeout). Wait for that run to end, pass --lock-timeout to wait ` +
        `for it, or, if it is gone, break the lock with: dss-gitops force-unlock ${holder.id}`,
      { fault: 'user' },
    );
  }
}

function notPermitted(client: DssClient, error: DssApiError): UserError {
  return new UserError(
    'LOCK_NOT_PERMITTED',
    `cannot use the run lock on node ${client.nodeName}: its API key may not read and write DSS instance variables ` +
      `(GET|PUT ${VARIABLES_PATH}, administrators only), where dss-gitops keeps the lock (DSS answered ${error.status}). ` +
      'Use an administrator key, or run without the lock with --lock=false (--no-lock) when nothing else may write at the same time',
    { cause: error },
  );
}

/** Every instance variable of the node. */
export async function readVariables(client: DssClient, request: RequestOptions = {}): Promise<Record<string, unknown>> {
  let variables: unknown;
  try {
    variables = await client.getJson<unknown>(VARIABLES_PATH, request);
  } catch (error) {
    if (error instanceof DssApiError && (error.status === 403 || error.status === 404)) throw notPermitted(client, error);
    throw error;
  }
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    throw new DssGitopsError('LOCK_UNREADABLE', `node ${client.nodeName} answered GET ${VARIABLES_PATH} with something other than an object`, {
      fault: 'remote',
    });
  }
  return variables as Record<string, unknown>;
}

async function writeVariables(client: DssClient, variables: Record<string, unknown>): Promise<void> {
  try {
    await client.putJson(VARIABLES_PATH, variables);
  } catch (error) {
    if (error instanceof DssApiError && (error.status === 403 || error.status === 404)) throw notPermitted(client, error);
    throw error;
  }
}

export async function readLock(client: DssClient, request: RequestOptions = {}): Promise<LockState> {
  return parseLock((await readVariables(client, request))[LOCK_VARIABLE]);
}

/** Whether another run holds the lock now (an expired lock, or one whose process is gone, does not count). */
export function heldByOther(state: LockState, id: string, now: number): LockInfo | undefined {
  if (state.kind !== 'held' || state.info.id === id) return undefined;
  return isExpired(state.info, now) || isAbandoned(state.info) ? undefined : state.info;
}

export interface AcquireOptions {
  /** How long to wait for another run's lock; 0 refuses at once. */
  timeoutMs: number;
  /** The delay between writing the lock and checking it is still ours. */
  settleMs: number;
}

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5_000;

/**
 * Takes the lock on one node, waiting up to `timeoutMs` for another run's; throws LockHeldError after that.
 * Returns the generation it found free (undefined when the value there could not be read).
 */
export async function acquireNodeLock(client: DssClient, lock: LockInfo, options: AcquireOptions, clock: LockClock): Promise<number | undefined> {
  const started = clock.now();
  let pause = FIRST_POLL_MS;
  let warned: string | undefined;
  for (;;) {
    const outcome = await serializeInstanceVariables(client, () => tryWrite(client, lock, clock, warned));
    if ('other' in outcome) {
      const other = outcome.other;
      const left = started + options.timeoutMs - clock.now();
      if (left <= 0) throw new LockHeldError(client.nodeName, other, clock.now() - started);
      await clock.sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, MAX_POLL_MS);
      continue;
    }
    warned = outcome.warned;
    await clock.sleep(options.settleMs);
    const check = await readLock(client);
    if (check.kind === 'held' && check.info.id === lock.id) return outcome.state.kind === 'free' ? outcome.found : undefined;
    // Another run wrote its lock after ours: it holds the lock, and the loop waits for it or refuses.
  }
}

type WriteOutcome = { other: LockInfo } | { state: LockState; found: number | undefined; warned: string | undefined };

/** One GET and, when no other run holds the lock, the PUT of ours: queued as one edit of the node's variables. */
async function tryWrite(client: DssClient, lock: LockInfo, clock: LockClock, warnedBefore: string | undefined): Promise<WriteOutcome> {
  let warned = warnedBefore;
  const variables = await readVariables(client);
  const state = parseLock(variables[LOCK_VARIABLE]);
  const other = heldByOther(state, lock.id, clock.now());
  if (other) return { other };
  const takeOver =
    state.kind === 'held' && state.info.id !== lock.id
      ? `the run lock on node ${client.nodeName} held by ${describeLock(state.info)} ${isExpired(state.info, clock.now()) ? 'has expired' : `was left by a process that is gone (pid ${state.info.process?.pid ?? '?'} on this host)`}: this run takes it over (lock id ${state.info.id} was never released; that run may have been stopped)`
      : state.kind === 'unreadable'
        ? `the instance variable ${LOCK_VARIABLE} on node ${client.nodeName} does not hold a lock dss-gitops can read: this run replaces it`
        : undefined;
  if (takeOver !== undefined && takeOver !== warned) {
    clock.warn(takeOver);
    warned = takeOver;
  }
  const found = state.kind === 'unreadable' ? undefined : state.generation;
  await writeVariables(client, { ...variables, [LOCK_VARIABLE]: heldValue(lock, (found ?? 0) + 1) });
  return { state, found, warned };
}

/** Extends a lock this run holds; false when the lock stored is no longer this run's (broken or taken over). */
export function refreshNodeLock(client: DssClient, lock: LockInfo): Promise<boolean> {
  return serializeInstanceVariables(client, () => refreshNow(client, lock));
}

async function refreshNow(client: DssClient, lock: LockInfo): Promise<boolean> {
  const variables = await readVariables(client);
  const state = parseLock(variables[LOCK_VARIABLE]);
  if (state.kind !== 'held' || state.info.id !== lock.id) return false;
  await writeVariables(client, { ...variables, [LOCK_VARIABLE]: heldValue(lock, state.generation) });
  return true;
}

/** Frees the lock when it is still this run's; says whose it is otherwise. */
export function releaseNodeLock(client: DssClient, lock: LockInfo, clock: LockClock): Promise<void> {
  return serializeInstanceVariables(client, () => releaseNow(client, lock, clock));
}

async function releaseNow(client: DssClient, lock: LockInfo, clock: LockClock): Promise<void> {
  const variables = await readVariables(client);
  const state = parseLock(variables[LOCK_VARIABLE]);
  if (state.kind !== 'held' || state.info.id !== lock.id) {
    const now = state.kind === 'held' ? `held by ${describeLock(state.info)}` : state.kind === 'free' ? 'free' : 'unreadable';
    clock.warn(`the run lock ${lock.id} on node ${client.nodeName} was not this run's any more when it ended (it is ${now}); it is left as it is`);
    return;
  }
  await writeVariables(client, { ...variables, [LOCK_VARIABLE]: freeValue(state.generation) });
}

/** `force-unlock`: frees the lock of the node when its id is `id`; returns what was removed. */
export function breakNodeLock(client: DssClient, id: string): Promise<LockInfo | undefined> {
  return serializeInstanceVariables(client, () => breakNow(client, id));
}

async function breakNow(client: DssClient, id: string): Promise<LockInfo | undefined> {
  const variables = await readVariables(client);
  const state = parseLock(variables[LOCK_VARIABLE]);
  if (state.kind !== 'held' || state.info.id !== id) return undefined;
  await writeVariables(client, { ...variables, [LOCK_VARIABLE]: freeValue(state.generation) });
  return state.info;
}

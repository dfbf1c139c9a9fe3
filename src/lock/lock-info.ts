// The run lock's value, kept in DSS's instance variables under one key: who holds it, why, since when and until
// when. The value read back is input like any record (anyone who may write instance variables may have edited
// it): it is checked here and its strings are cleaned before they are printed.

import { hostname, userInfo } from 'node:os';

/** The instance variable that holds the lock. */
export const LOCK_VARIABLE = 'dss-gitops.lock';

export interface LockInfo {
  /** Random; `force-unlock` takes it, and a run only releases a lock whose id is its own. */
  id: string;
  /** `user@host`, or the CI job (`github-actions:team/dss run 123`). */
  holder: string;
  /** The command and the manifests tree, e.g. `apply from git:github.com/team/dss#manifests`. */
  reason: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * The variable's value as read: free or held, with the generation (how many times the lock was taken, kept after a
 * release), so that a run can tell whether anyone took the lock since it last looked.
 */
export type LockState = { kind: 'free'; generation: number } | { kind: 'held'; info: LockInfo; generation: number } | { kind: 'unreadable' };

/** The value stored while the lock is held. */
export function heldValue(info: LockInfo, generation: number): Record<string, unknown> {
  return { ...info, generation };
}

/** The value stored once the lock is released: only the generation stays. */
export function freeValue(generation: number): Record<string, unknown> {
  return { generation };
}

const MAX_TEXT = 300;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A string from DSS made safe to print: no control characters (terminal escapes), bounded length. */
export function printable(text: string): string {
  const clean = text.replace(/\p{Cc}/gu, '?');
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

/** Reads the value of LOCK_VARIABLE. */
export function parseLock(value: unknown): LockState {
  if (value === undefined || value === null) return { kind: 'free', generation: 0 };
  if (!isObject(value)) return { kind: 'unreadable' };
  const { id, holder, reason, createdAt, expiresAt, generation } = value;
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) return { kind: 'unreadable' };
  if (id === undefined && holder === undefined) return { kind: 'free', generation };
  const texts = [id, holder, reason, createdAt, expiresAt];
  if (!texts.every((t): t is string => typeof t === 'string')) return { kind: 'unreadable' };
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(id as string) || Number.isNaN(Date.parse(expiresAt as string)) || Number.isNaN(Date.parse(createdAt as string))) {
    return { kind: 'unreadable' };
  }
  return {
    kind: 'held',
    generation,
    info: {
      id: id as string,
      holder: printable(holder as string),
      reason: printable(reason as string),
      createdAt: createdAt as string,
      expiresAt: expiresAt as string,
    },
  };
}

export function isExpired(info: LockInfo, now: number): boolean {
  return Date.parse(info.expiresAt) <= now;
}

/** `alice@laptop (apply from dss-gitops-example) since 2026-12-04T23:50:00.000Z, until 2026-12-05T00:05:00.000Z` */
export function describeLock(info: LockInfo): string {
  return `${info.holder} (${info.reason}) since ${info.createdAt}, until ${info.expiresAt}`;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Who this run is: the CI job when the environment says so, else the local user at this host. */
export function holderOf(env: NodeJS.ProcessEnv, host = hostname(), user = localUser()): string {
  if (env.GITHUB_ACTIONS === 'true') {
    const repo = env.GITHUB_REPOSITORY ?? 'unknown repository';
    const run = env.GITHUB_RUN_ID === undefined ? '' : ` run ${env.GITHUB_RUN_ID}`;
    const actor = env.GITHUB_ACTOR === undefined ? '' : ` (${env.GITHUB_ACTOR})`;
    return printable(`github-actions:${repo}${run}${actor}`);
  }
  if (env.GITLAB_CI === 'true') {
    const job = env.CI_JOB_ID === undefined ? '' : ` job ${env.CI_JOB_ID}`;
    return printable(`gitlab-ci:${env.CI_PROJECT_PATH ?? 'unknown project'}${job}`);
  }
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return printable(`${ci ? 'ci:' : ''}${user}@${host}`);
}

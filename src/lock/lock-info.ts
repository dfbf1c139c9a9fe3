// The run lock's value, kept in DSS's instance variables under one key: who holds it, why, since when and until
// when. The value read back is input like any record (anyone who may write instance variables may have edited
// it): it is checked here and its strings are cleaned before they are printed.

import { isObject } from '../base/json.js';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { scrubSecrets } from '../base/secrets.js';

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
  /** The process that holds it, where it can be told (Linux): a lock whose process is gone is abandoned. */
  process?: LockProcess;
}

/**
 * A process as seen from its machine: the host name, the kernel's boot id (random per boot, so two machines never
 * share it, unlike the root pid namespace's number), its pid namespace (`pid:[4026531836]`) and its pid. Two runs
 * that agree on all but the pid see the same processes, so one can tell whether the other is still running.
 */
export interface LockProcess {
  host: string;
  bootId: string;
  pidNamespace: string;
  pid: number;
}

/** This process, or undefined where its boot id or pid namespace cannot be read (not Linux). */
export function currentProcess(): LockProcess | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (bootId === '') return undefined;
    return { host: hostname(), bootId, pidNamespace: readlinkSync('/proc/self/ns/pid'), pid: process.pid };
  } catch {
    return undefined;
  }
}

/** Whether a pid names a running process (EPERM: it runs under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a lock's process is known to be gone: it ran on this machine since its last boot, in this pid namespace,
 * and no process has its pid any more (a run killed with SIGKILL). A lock held elsewhere, or with no process recorded, is never abandoned
 * by this rule: it waits for its expiry or `force-unlock`.
 */
export function isAbandoned(info: LockInfo, self: LockProcess | undefined = currentProcess(), alive: (pid: number) => boolean = processAlive): boolean {
  const holder = info.process;
  if (!holder || !self) return false;
  if (holder.host !== self.host || holder.bootId !== self.bootId || holder.pidNamespace !== self.pidNamespace) return false;
  return holder.pid !== self.pid && !alive(holder.pid);
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

/** A string from DSS made safe to print: no control characters (terminal escapes), bounded length. */
export function printable(text: string): string {
  // The run's secrets go first, while the text is whole: a cut value would hide a secret from the output scrubber.
  const clean = scrubSecrets(text).replace(/\p{Cc}/gu, '?');
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

/** Reads the value of LOCK_VARIABLE. */
export function parseLock(value: unknown): LockState {
  if (value === undefined || value === null) return { kind: 'free', generation: 0 };
  if (!isObject(value)) return { kind: 'unreadable' };
  const { id, holder, reason, createdAt, expiresAt, generation, process: owner } = value;
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
      ...(isLockProcess(owner) ? { process: owner } : {}),
    },
  };
}

function isLockProcess(value: unknown): value is LockProcess {
  return (
    isObject(value) &&
    typeof value.host === 'string' &&
    typeof value.bootId === 'string' &&
    typeof value.pidNamespace === 'string' &&
    typeof value.pid === 'number' &&
    Number.isSafeInteger(value.pid) &&
    value.pid > 0
  );
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

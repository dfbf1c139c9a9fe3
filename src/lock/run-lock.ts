// One writer at a time: the run lock a writing run (apply, promote --apply, a self-heal) holds on every DSS node it
// writes to, from before its final plan until it ends. It is refreshed while the run lasts, so that a long apply
// keeps it and a stopped one lets it expire; it is released at the end only when it is still this run's.

import { randomBytes } from 'node:crypto';
import type { DssClient, RequestOptions } from '../dss/types.js';
import { currentProcess, type LockInfo } from './lock-info.js';
import { acquireNodeLock, heldByOther, LockHeldError, readLock, refreshNodeLock, releaseNodeLock, type LockClock } from './node-lock.js';

export interface RunLockOptions {
  holder: string;
  reason: string;
  /** How long to wait for another run's lock; 0 refuses at once. */
  timeoutMs: number;
  /** How long the lock is valid without a refresh; it is refreshed every third of that. */
  ttlMs: number;
  settleMs: number;
  clock: LockClock;
}

export const DEFAULT_LOCK_TTL_MS = 15 * 60_000;
export const DEFAULT_LOCK_SETTLE_MS = 500;

export function newLockId(): string {
  return randomBytes(12).toString('base64url');
}

export class RunLock {
  private readonly held: DssClient[] = [];
  /** The generation each node's lock was seen free at by `observe`. */
  private readonly observed = new Map<DssClient, number>();
  private disturbed = false;
  private timer: NodeJS.Timeout | undefined;
  /** The refresh in flight: a release waits for it, or its PUT could bring the released lock back. */
  private refreshing: Promise<void> = Promise.resolve();
  private lock: LockInfo;

  constructor(private readonly options: RunLockOptions) {
    const now = options.clock.now();
    this.lock = {
      id: newLockId(),
      holder: options.holder,
      reason: options.reason,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + options.ttlMs).toISOString(),
    };
    const self = currentProcess();
    if (self) this.lock.process = self;
  }

  get id(): string {
    return this.lock.id;
  }

  /**
   * Looks at the lock before the run plans (GET only). Another run's lock refuses the run at once when there is no
   * --lock-timeout to wait with; a free lock is remembered, so that `undisturbed` can tell later whether anyone
   * took it in between. Answers the nodes whose lock could not be read (`request`: how, e.g. one attempt only).
   */
  async observe(clients: readonly DssClient[], request: RequestOptions = {}): Promise<DssClient[]> {
    const unread: DssClient[] = [];
    for (const client of clients) {
      // A node whose lock cannot be read here (a key that is no administrator) is left unobserved: a run that
      // writes nothing needs no lock, and one that writes gets the error when it takes the lock.
      const state = await readLock(client, request).catch(() => undefined);
      if (state === undefined) {
        unread.push(client);
        continue;
      }
      const other = heldByOther(state, this.lock.id, this.options.clock.now());
      if (other && this.options.timeoutMs <= 0) throw new LockHeldError(client.nodeName, other, 0);
      if (state.kind === 'free') this.observed.set(client, state.generation);
    }
    return unread;
  }

  /**
   * Whether no run took the lock of any held node between `observe` and `acquire`: then nothing that honours the
   * lock wrote to DSS in between, and a plan made after `observe` is still current.
   */
  get undisturbed(): boolean {
    return !this.disturbed;
  }

  /** Takes the lock on the nodes not held yet, in the order given (callers give the design node first). */
  async acquire(clients: readonly DssClient[]): Promise<void> {
    for (const client of clients) {
      if (this.held.includes(client)) continue;
      const found = await acquireNodeLock(client, this.lock, this.options, this.options.clock);
      this.held.push(client);
      const seen = this.observed.get(client);
      if (seen === undefined || found !== seen) this.disturbed = true;
    }
    this.timer ??= setInterval(() => {
      this.refreshing = this.refreshing.then(() => this.refresh());
    }, Math.max(1, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    const now = this.options.clock.now();
    this.lock = { ...this.lock, expiresAt: new Date(now + this.options.ttlMs).toISOString() };
    for (const client of this.held) {
      try {
        if (!(await refreshNodeLock(client, this.lock))) {
          this.options.clock.warn(
            `the run lock ${this.lock.id} on node ${client.nodeName} is no longer this run's (broken with force-unlock, or taken over after it expired): another run may be writing at the same time`,
          );
        }
      } catch (error) {
        this.options.clock.warn(`could not refresh the run lock ${this.lock.id} on node ${client.nodeName}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Releases every node's lock, in reverse order; a failure is a warning naming the lock, never an error. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
    for (const client of [...this.held].reverse()) {
      try {
        await releaseNodeLock(client, this.lock, this.options.clock);
      } catch (error) {
        this.options.clock.warn(
          `could not release the run lock ${this.lock.id} on node ${client.nodeName} (${error instanceof Error ? error.message : String(error)}); ` +
            `it expires at ${this.lock.expiresAt}, or break it with: dss-gitops force-unlock ${this.lock.id}`,
        );
      }
    }
    this.held.length = 0;
  }
}

/** Runs `work` holding the lock on `clients`, released in every case. */
export async function withRunLock<T>(lock: RunLock, clients: readonly DssClient[], work: () => Promise<T>): Promise<T> {
  try {
    await lock.acquire(clients);
    return await work();
  } finally {
    await lock.release();
  }
}

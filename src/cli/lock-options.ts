// The run lock on the command line: `--lock=false` / `--no-lock`, `--lock-timeout DURATION`, and the one way
// writing commands take it. Before planning, a run looks at the lock (checkConnectionAndObserveLock, GET only: another run's lock
// refuses it at once unless --lock-timeout lets it wait). When the plan writes anything, it takes the lock on the
// nodes it writes to (lockedApply); when another run took the lock in between, it plans again under the lock.
// A run that writes nothing never takes the lock, so a no-op apply sends no write at all.

import type { Command } from 'commander';
import { sameOrigin } from '../config/origin.js';
import { nodeSettings } from '../config/connection.js';
import type { GitopsConfig } from '../config/types.js';
import type { DssClient, RequestOptions } from '../dss/types.js';
import { UserError } from '../errors.js';
import { holderOf } from '../lock/lock-info.js';
import { LockHeldError } from '../lock/node-lock.js';
import { DEFAULT_LOCK_SETTLE_MS, DEFAULT_LOCK_TTL_MS, RunLock, withRunLock, type RunLockOptions } from '../lock/run-lock.js';
import { nodesWritten } from '../lock/written-nodes.js';
import type { PlannedRun, RunSetup } from '../reconciler/reconcile.js';
import type { Plan } from '../reconciler/types.js';
import type { RecordWriteGuard } from '../reconciler/state.js';
import type { NodeName } from '../resources/types.js';
import { scrubSecrets } from '../base/secrets.js';
import { write, type CliIo } from './io.js';
import type { RunContext } from './run-context.js';

export interface LockFlags {
  lock?: boolean;
  lockTimeout?: string;
}

function parseBoolean(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new UserError('BAD_FLAG', `--lock takes true or false, not ${value}`);
}

export function addLockOptions(command: Command): Command {
  return command
    .option('--lock <bool>', 'take the run lock on DSS while writing (--lock=false runs without it)', parseBoolean, true)
    .option('--no-lock', 'the same as --lock=false')
    .option('--lock-timeout <duration>', 'how long to wait for another run to release the lock, e.g. 30s, 5m (default: 0s, refuse at once)', '0s');
}

/** `30s`, `5m`, `1h`, `250ms`, or a number of seconds, as milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new UserError('BAD_FLAG', `${flag} takes a duration such as 0s, 30s, 5m or 1h, not ${value}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}

export interface LockSettings {
  enabled: boolean;
  options: RunLockOptions;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The lock settings of a run; `reason` says what it does (`apply from SOURCE`). Warnings go to stderr unless `warn`. */
export function lockSettings(flags: LockFlags, io: CliIo, reason: string, warn?: (message: string) => void): LockSettings {
  const timeoutMs = parseDuration(flags.lockTimeout ?? '0s', '--lock-timeout');
  return {
    enabled: flags.lock !== false,
    options: {
      holder: holderOf(io.env),
      reason,
      timeoutMs,
      ttlMs: DEFAULT_LOCK_TTL_MS,
      settleMs: DEFAULT_LOCK_SETTLE_MS,
      clock: { now: Date.now, sleep, warn: warn ?? ((message) => write(io.stderr, scrubSecrets(`Warning: ${message}`))) },
    },
  };
}

/**
 * The clients to lock for `nodes`: the design node, and the deployer when it is another server. DSS's local
 * deployer shares the design node's instance variables, so one lock covers both.
 */
export function lockClients(
  run: { clients: Record<NodeName, DssClient>; set: { config: GitopsConfig } },
  nodes: readonly NodeName[],
): DssClient[] {
  const { design, deployer } = run.clients;
  const config = run.set.config;
  const separate = deployer !== design && !sameOrigin(nodeSettings(config, 'design').url, nodeSettings(config, 'deployer').url);
  const out: DssClient[] = [];
  if (nodes.includes('design') || (nodes.includes('deployer') && !separate)) out.push(design);
  if (nodes.includes('deployer') && separate) out.push(deployer);
  return out;
}

/** What tells two plans apart for the lock: the objects, actions and field changes. */
function planShape(planned: { plan: Plan }): string {
  return JSON.stringify(planned.plan.report.resourceChanges.map((c) => ({ a: c.address, x: c.action, c: c.changes })));
}

/**
 * Starts the lock of a writing run that deferred its preflight, before it plans: the preflight and a look at the lock
 * of every node at once (another run's lock refuses the run at once unless --lock-timeout lets it wait; undefined
 * with --lock=false). Both are reads that need nothing from each other, so the run waits one round trip for them,
 * not two. The plan is made after both, so it reads what it plans after the lock was seen (the preflight's project
 * list is not reused). The preflight's error comes first: DSS down or a refused key is the problem to report,
 * whatever the lock said.
 */
export async function checkConnectionAndObserveLock(run: RunContext, settings: LockSettings): Promise<RunLock | undefined> {
  return (await checkConnectionObservingLock(run, settings)).lock();
}

/**
 * checkConnectionAndObserveLock, for a run that may look at what the lock said later than at the connection
 * (promote says what it would promote before a held lock refuses it): `lock()` gives the lock, or throws its
 * refusal, where the run asks for it. The lock is read once beside the check, without retries: with DSS down the
 * check alone retries, so the warnings are the check's and its error the run's. A lock that one read could not
 * read is read again, retried as any read, once the check went through. `refuse: false` (watch): another run's
 * lock does not refuse the run; the run finds it again when it takes the lock.
 */
export async function checkConnectionObservingLock(
  run: RunContext,
  settings: LockSettings,
  refuse = true,
): Promise<{ lock: () => Promise<RunLock | undefined> }> {
  if (!settings.enabled) {
    await run.checkConnection();
    return { lock: () => Promise.resolve(undefined) };
  }
  const lock = new RunLock(settings.options);
  const observe = async (clients: readonly DssClient[], request: RequestOptions = {}): Promise<DssClient[]> => {
    try {
      return await lock.observe(clients, request);
    } catch (error) {
      if (refuse || !(error instanceof LockHeldError)) throw error;
      return [];
    }
  };
  const checking = run.checkConnection();
  const observing = observe(lockClients(run, ['design', 'deployer']), { attempts: 1 });
  // Its refusal is the run's when the run asks for the lock; nobody's when the check failed first.
  observing.catch(() => undefined);
  await checking;
  return {
    lock: async () => {
      const unread = await observing;
      if (unread.length > 0) await observe(unread);
      return lock;
    },
  };
}

/** The run lock of the design node, taken while the plan is still being made (see lockWhilePlanning). */
export interface EarlyLock {
  /** The run's setup, which takes the lock as soon as the plan's reads show a write to the design node. */
  setup: RunSetup;
  /** Waits until a lock taken early is held; throws what taking it threw (another run's lock after --lock-timeout). */
  taken(): Promise<void>;
  /** Releases a lock taken early that the apply did not go on with (a plan that writes nothing, an error). */
  release(): Promise<void>;
}

/**
 * For a run that writes without asking (--auto-approve): as soon as the plan's reads show that the design node will
 * be written, its run lock is taken while the plan goes on, so that the lock's round trips and settle delay pass
 * during the plan's reads and comparisons rather than after them. Only the design node, which every run takes first,
 * so that two runs never wait for each other's locks in opposite orders; `lockedApply` takes the other nodes after
 * it, as always. A plan made while another run took the lock in between is made again under the lock, as always
 * (`RunLock.undisturbed`). Nothing is taken for a plan that writes nothing.
 */
export function lockWhilePlanning(run: RunContext, lock: RunLock | undefined, writesWithoutAsking: boolean): EarlyLock {
  if (!lock || !writesWithoutAsking) return { setup: run.setup, taken: () => Promise.resolve(), release: () => Promise.resolve() };
  let taking: Promise<void> | undefined;
  const onWriteFound = (node: NodeName): void => {
    const [first] = lockClients(run, [node]);
    if (taking !== undefined || first !== run.clients.design) return;
    taking = lock.acquire([first]);
    // Its error is the apply's (taken), or nobody's when the apply turns out to write nothing (release).
    taking.catch(() => undefined);
  };
  return {
    setup: { ...run.setup, onWriteFound },
    taken: () => taking ?? Promise.resolve(),
    release: async () => {
      await taking?.catch(() => undefined);
      await lock.release();
    },
  };
}

export interface LockedApplyOptions<T, P extends { plan: Plan } = PlannedRun> {
  run: RunContext;
  /** From checkConnectionAndObserveLock, before the plan; undefined runs without the lock (with a warning when it writes). */
  lock: RunLock | undefined;
  io: CliIo;
  /** The plan made without the lock, shown (and approved) already. */
  planned: P;
  /** Plans again; called under the lock when another run took the lock since it was looked at. */
  replan: () => Promise<P>;
  /** Whether the plan was approved by a person: a plan that changed under the lock is then refused, not applied. */
  approved: boolean;
  /** Renders a plan that changed under the lock before it is applied (auto-approved runs). */
  showChanged: (planned: P) => void;
  apply: (planned: P) => Promise<T>;
  /** A lock taken while planning (lockWhilePlanning): waited for before the lock of the nodes written is taken. */
  taken?: () => Promise<void>;
}

/** Applies a plan under the run lock (see the head of this file). */
export async function lockedApply<T, P extends { plan: Plan } = PlannedRun>(options: LockedApplyOptions<T, P>): Promise<T> {
  const { run, lock, io, planned } = options;
  const nodeOf = (kind: string): NodeName => run.setup.registry.get(kind)?.node ?? 'design';
  const nodes = nodesWritten(planned.plan, nodeOf);
  if (nodes.length === 0) return options.apply(planned);
  if (!lock) {
    write(io.stderr, 'Warning: running without the run lock (--lock=false): another apply, a person or watch --self-heal may write to DSS at the same time');
    return options.apply(planned);
  }
  await options.taken?.();
  return withRunLock(lock, lockClients(run, nodes), async () => {
    // Nobody took the lock since before the plan: the plan is current. Otherwise another run may have written
    // meanwhile, and the plan is made again under the lock.
    if (lock.undisturbed) return options.apply(planned);
    const again = await options.replan();
    if (planShape(again) !== planShape(planned)) {
      if (options.approved) {
        throw new UserError(
          'PLAN_CHANGED',
          'DSS changed between the plan and the run lock (another run held the lock): the plan approved is not the plan now, and nothing was written; run apply again to review it',
        );
      }
      write(io.stderr, 'Note: another run held the lock and DSS changed since the plan; the plan applied is the one made under the lock:');
      options.showChanged(again);
    }
    await lock.acquire(lockClients(run, nodesWritten(again.plan, nodeOf)));
    return options.apply(again);
  });
}

/**
 * The record-write guard of `state rm` and `import` (see reconciler/state.ts): each edit of a record runs under the
 * run lock of the design node, where the records live; with --lock=false, with a warning.
 */
export function recordLockGuard(settings: LockSettings, io: CliIo): RecordWriteGuard {
  return async (client, _projectKey, _reason, work) => {
    if (!settings.enabled) {
      write(io.stderr, 'Warning: running without the run lock (--lock=false): another apply, a person or watch --self-heal may write to DSS at the same time');
      return work();
    }
    const lock = new RunLock(settings.options);
    await lock.observe([client]);
    return withRunLock(lock, [client], work);
  };
}

// One run of `dss-gitops watch`: sync the manifests, detect drift, self-heal when asked, and sum it all up as a
// RunOutcome for the controller (metrics, readiness, webhook, the run's log line). Each run opens its own
// clients, so a changed `dss-gitops.yaml` in the repository is picked up by the next run like any manifest.

import type { DssClient } from '../dss/types.js';
import { driftRun } from '../reconciler/drift-run.js';
import type { DriftEntry, DriftReport } from '../reconciler/drift.js';
import type { ApplyReport } from '../diff/types.js';
import { LockHeldError } from '../lock/node-lock.js';
import { withRunLock, type RunLock } from '../lock/run-lock.js';
import { nodesWritten } from '../lock/written-nodes.js';
import { hasHealing, heal, healingPlan, healSkipOf } from '../reconciler/heal.js';
import { contextFactory, type PlannedRun, type RunSetup } from '../reconciler/reconcile.js';
import { driftFingerprint } from '../watch/fingerprint.js';
import type { ManifestSource } from '../watch/source.js';
import { emptyCounts, type DriftedObject, type DssRequestCount, type RunOutcome, type StateCounts, type WatchLogger } from '../watch/types.js';
import type { CliIo } from './io.js';
import { checkConnectionObservingLock, lockClients, lockSettings, type LockFlags } from './lock-options.js';
import { openRun, type RunContext, type RunFlags } from './run-context.js';
import type { KindRegistry } from '../resources/registry.js';
import type { LoadManifestOptions } from '../manifest/types.js';

export interface DriftRunnerOptions {
  source: ManifestSource;
  /** The manifest load options; `paths` are replaced by the checkout directory when the source is git. */
  load: (dir: string) => LoadManifestOptions;
  flags: Pick<RunFlags, 'parallelism' | 'sim'>;
  selfHeal: boolean;
  prune: boolean;
  /** The run lock a healing run takes (`--lock=false`, `--lock-timeout`). */
  lock?: LockFlags;
  io: CliIo;
  debug: boolean;
  logger: WatchLogger;
  /** The clock, for `startedAt` and durations. */
  now?: () => number;
  /** The kinds of every run (`registryOf(ctx)`); the registry's when absent. */
  kinds?: KindRegistry;
}

function kindOfAddress(address: string): string {
  const slash = address.indexOf('/');
  return slash === -1 ? address : address.slice(0, slash);
}

function toDrifted(entry: DriftEntry): DriftedObject {
  return {
    address: entry.address,
    kind: entry.kind,
    node: entry.node,
    fingerprint: driftFingerprint(entry.changes),
    fields: entry.changes.map((c) => c.path),
    ...(entry.changedBy === undefined ? {} : { changedBy: entry.changedBy }),
    ...(entry.changedAt === undefined ? {} : { changedAt: entry.changedAt }),
  };
}

/** Counts by kind and state; healed objects count as in sync, since the run left them so. */
export function countsOf(report: DriftReport, healed: ReadonlySet<string>): Record<string, StateCounts> {
  const counts: Record<string, StateCounts> = {};
  const add = (kind: string, state: keyof StateCounts): void => {
    counts[kind] ??= emptyCounts();
    counts[kind][state] += 1;
  };
  for (const address of report.inSync) add(kindOfAddress(address), 'in_sync');
  for (const entry of report.drift) add(entry.kind, healed.has(entry.address) ? 'in_sync' : 'drifted');
  for (const entry of report.pending) add(entry.kind, 'pending');
  for (const entry of report.unmanaged) add(entry.kind, 'unmanaged');
  return counts;
}

/** Requests of this run by node and method; a client's errors are counted on its GET line (metrics sum by node). */
function requestCounts(clients: DssClient[]): DssRequestCount[] {
  const out: DssRequestCount[] = [];
  for (const client of new Set(clients)) {
    const stats = client.stats();
    let errors = stats.errors;
    for (const [method, count] of Object.entries(stats.byMethod)) {
      if (count === 0 && !(method === 'GET' && errors > 0)) continue;
      out.push({ node: client.nodeName, method, count, errors: method === 'GET' ? errors : 0 });
      if (method === 'GET') errors = 0;
    }
  }
  return out;
}

/**
 * The preflight and the first look at the lock of a self-heal run at once (see checkConnectionObservingLock); the
 * preflight's error first. Another run's lock does not refuse the tick: healing waits for it or is skipped.
 */
async function checkConnectionAndObserve(run: RunContext, options: DriftRunnerOptions): Promise<RunLock | undefined> {
  const warn = (message: string): void => options.logger.warn({ warning: message }, 'run lock');
  const settings = lockSettings(options.lock ?? {}, options.io, `watch --self-heal from ${run.setup.source}`, warn);
  return (await checkConnectionObservingLock(run, settings, false)).lock();
}

/**
 * Heals under the run lock, like an apply: a run that holds it makes the tick skip healing (logged), and when
 * another run took it since the drift was read, drift is read again under the lock before anything is healed.
 */
async function healUnderLock(
  run: RunContext,
  setup: RunSetup,
  first: { report: DriftReport; planned: PlannedRun },
  lock: RunLock | undefined,
  options: DriftRunnerOptions,
): Promise<{ report: DriftReport; applied: ApplyReport | undefined }> {
  const plan = healingPlan(first.planned, first.report, options.prune, setup.registry);
  if (!hasHealing(plan)) return { report: first.report, applied: undefined };
  const nodes = nodesWritten(plan, (kind) => setup.registry.get(kind)?.node ?? 'design');
  if (!lock) {
    options.logger.warn({}, 'self-heal runs without the run lock (--lock=false): an apply may write at the same time');
    return { report: first.report, applied: await heal(setup, first.planned, first.report, options.prune) };
  }
  try {
    return await withRunLock(lock, lockClients(run, nodes), async () => {
      if (lock.undisturbed) return { report: first.report, applied: await heal(setup, first.planned, first.report, options.prune) };
      const again = await driftRun(setup, run.set.documents);
      return { report: again.report, applied: await heal(setup, again.planned, again.report, options.prune) };
    });
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    options.logger.warn({ reason: error.message }, 'self-heal skipped this run: another run holds the run lock');
    return { report: first.report, applied: undefined };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createDriftRunner(options: DriftRunnerOptions): () => Promise<RunOutcome> {
  const now = options.now ?? Date.now;
  return async () => {
    const started = now();
    const startedAt = new Date(started).toISOString();
    const elapsed = (): number => (now() - started) / 1000;
    let commit: string | undefined;
    let clients: DssClient[] = [];
    try {
      const checkout = await options.source();
      commit = checkout.commit;
      const run = await openRun({
        flags: { ...options.flags, file: [], var: [], varFile: [], target: [] },
        load: options.load(checkout.dir),
        io: options.io,
        debug: options.debug,
        ...(options.kinds ? { kinds: options.kinds } : {}),
        plan: { prune: options.prune, allowEmpty: false, targets: [] },
        // A healing run looks at the lock while it checks the connection (see below).
        deferPreflight: options.selfHeal,
      });
      clients = [run.clients.design, run.clients.deployer];
      try {
        // Only --prune prunes: `prune: true` in the repository's config does not arm an unattended controller.
        const setup = {
          ...run.setup,
          ...(commit === undefined ? {} : { commit }),
          options: { ...run.setup.options, prune: options.prune },
        };
        // Without healing, the run may be as old as its preflight, whose project list it reads no second time. A
        // healing run checks the connection and looks at the lock at once, and reads what it heals after both.
        const lock = options.selfHeal ? await checkConnectionAndObserve(run, options) : undefined;
        const first = await driftRun(setup, run.set.documents, options.selfHeal ? contextFactory(setup) : contextFactory(setup, run.preflightCache()));
        let { report } = first;
        // A deletion refused by the plan (a whole project gone) is logged every run until someone decides.
        for (const warning of report.warnings.filter((w) => w.startsWith('REFUSED:'))) {
          options.logger.warn({ warning }, 'prune refused');
        }
        const healed = new Set<string>();
        if (options.selfHeal) {
          for (const entry of report.drift) {
            const skip = healSkipOf(entry, setup.registry);
            if (skip !== undefined) options.logger.warn({ address: entry.address }, `not self-healed: ${skip}`);
          }
        }
        if (options.selfHeal && report.drift.length > 0) {
          const healing = await healUnderLock(run, setup, first, lock, options);
          report = healing.report;
          const applied = healing.applied;
          for (const result of applied?.results ?? []) {
            if (result.status === 'applied' && !result.address.endsWith('#ownership')) healed.add(result.address);
            if (result.status === 'failed' || result.status === 'skipped') {
              options.logger.warn({ address: result.address, error: result.error }, 'self-heal could not repair an object');
            }
          }
        }
        const outcome: RunOutcome = {
          startedAt,
          durationSeconds: elapsed(),
          ...(commit === undefined ? {} : { commit }),
          counts: countsOf(report, healed),
          drifted: report.drift.filter((e) => !healed.has(e.address)).map(toDrifted),
          requests: requestCounts(clients),
        };
        if (options.selfHeal) outcome.healed = [...healed].sort();
        return outcome;
      } finally {
        await run.close();
      }
    } catch (error) {
      return {
        startedAt,
        durationSeconds: elapsed(),
        ...(commit === undefined ? {} : { commit }),
        counts: {},
        drifted: [],
        ...(clients.length > 0 ? { requests: requestCounts(clients) } : {}),
        error: messageOf(error),
      };
    }
  };
}

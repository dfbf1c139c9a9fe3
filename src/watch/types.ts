// What one drift run reports to the watch controller. The drift engine produces a RunOutcome; the scheduler,
// metrics, health endpoints and notifications only read it, so they work (and are tested) without DSS.

export const OBJECT_STATES = ['in_sync', 'drifted', 'pending', 'unmanaged', 'failed'] as const;

/**
 * `drifted`: DSS changed since the last apply. `pending`: the manifest changed and was not applied yet.
 * `unmanaged`: in DSS under a managed project but in no manifest. `failed`: could not be read or compared.
 */
export type ObjectState = (typeof OBJECT_STATES)[number];

export type StateCounts = Record<ObjectState, number>;

export interface DriftedObject {
  address: string;
  kind: string;
  node: string;
  /**
   * Identifies this particular change (e.g. a hash of the live values of the drifted fields), so that a second,
   * different change to an already drifted object is noticed (`driftFingerprint` in fingerprint.ts). Never output.
   */
  fingerprint: string;
  /** Readable paths of the drifted fields, e.g. `variables.standard.threshold`. Paths only, never values. */
  fields?: string[];
  /** Who changed the object and when, where DSS records it (deployer `versionTag`). */
  changedBy?: string;
  changedAt?: string;
}

export interface DssRequestCount {
  /** `design` or `deployer`. */
  node: string;
  method: string;
  /** Requests sent during this run. */
  count: number;
  /** Of which failed (transport error or an HTTP error other than an expected 404). */
  errors: number;
}

export interface RunOutcome {
  /** ISO time at which the run started. */
  startedAt: string;
  durationSeconds: number;
  /** The manifests' commit, when they come from git. */
  commit?: string;
  /** Counts of objects by kind, then by state. */
  counts: Record<string, StateCounts>;
  /** Objects whose live state drifted, sorted by address. */
  drifted: DriftedObject[];
  /** Addresses repaired by `--self-heal` during this run. */
  healed?: string[];
  /** DSS requests made during this run, by node and method. */
  requests?: DssRequestCount[];
  /** Set when the run as a whole failed (manifests invalid, DSS unreachable, git fetch failed). */
  error?: string;
}

export type RunResult = 'in_sync' | 'drift' | 'error';

/** How a run ended, for the `result` label of the runs counter. */
export function runResult(outcome: RunOutcome): RunResult {
  if (outcome.error !== undefined) return 'error';
  return outcome.drifted.length > 0 ? 'drift' : 'in_sync';
}

/** The pino methods the controller uses; a pino Logger fits, and tests pass a recording fake. */
export interface WatchLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: WatchLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function emptyCounts(): StateCounts {
  return { in_sync: 0, drifted: 0, pending: 0, unmanaged: 0, failed: 0 };
}

/** Totals over every kind, for log lines and messages. */
export function totalCounts(outcome: RunOutcome): StateCounts {
  const total = emptyCounts();
  for (const counts of Object.values(outcome.counts)) {
    for (const state of OBJECT_STATES) total[state] += counts[state];
  }
  return total;
}

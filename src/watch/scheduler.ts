// The watch controller's clock: one run on start, then one per cron tick, never two at once. A tick that arrives
// while a run is in progress is skipped (and counted), not queued: queued runs would pile up behind a slow DSS.

import { schedule as cronSchedule, validate as validateCron } from 'node-cron';
import { UserError } from '../errors.js';
import { runResult, silentLogger, totalCounts } from './types.js';
import type { RunOutcome, WatchLogger } from './types.js';

/** Calls `onTick` on every tick of `expression` until stopped. Injected in tests to tick on demand. */
export type ScheduleFn = (expression: string, onTick: () => void) => { stop(): void | Promise<void> };

export interface ControllerOptions {
  /** A node-cron expression: five fields, or six with seconds first. */
  schedule: string;
  runOnce: () => Promise<RunOutcome>;
  /** Called after every run, including failed ones (metrics, notifications). Its failures are logged. */
  onOutcome?: (outcome: RunOutcome) => void | Promise<void>;
  /** Called for every skipped tick (metrics). */
  onSkippedTick?: () => void;
  logger?: WatchLogger;
  scheduleFn?: ScheduleFn;
  /** Defaults to true: a controller that waits an hour for its first look is of no use after a deploy. */
  runOnStart?: boolean;
}

export interface Controller {
  /** Runs once now (unless runOnStart is false) and starts the schedule. */
  start(): void;
  /** Stops the schedule and resolves once the run in progress, if any, has finished. */
  stop(): Promise<void>;
  /** Starts a run now unless one is in progress; resolves with its outcome, or undefined when skipped. */
  trigger(): Promise<RunOutcome | undefined>;
  readonly running: boolean;
  readonly completedRuns: number;
  readonly skippedTicks: number;
  readonly lastOutcome: RunOutcome | undefined;
  /** Whether any run so far ended without error. */
  readonly hasSucceeded: boolean;
}

/** node-cron, with its own warnings (missed ticks under load) routed to our JSON log instead of the console. */
export function nodeCronSchedule(logger: WatchLogger = silentLogger): ScheduleFn {
  const cronLogger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (message: string) => logger.warn({ source: 'node-cron' }, message),
    error: (message: string | Error) =>
      logger.error({ source: 'node-cron' }, message instanceof Error ? message.message : message),
  };
  return (expression, onTick) => {
    const task = cronSchedule(expression, () => onTick(), { name: 'dss-gitops-watch', logger: cronLogger });
    // destroy, not stop: a stopped task stays in node-cron's global registry.
    return { stop: () => task.destroy() };
  };
}

export function assertValidSchedule(expression: string): void {
  if (!validateCron(expression)) {
    throw new UserError(
      'watch-bad-schedule',
      `--schedule "${expression}" is not a valid cron expression (e.g. "*/5 * * * *" for every five minutes)`,
    );
  }
}

/** A run that threw instead of returning an outcome still gets one, so metrics and logs stay truthful. */
function failedOutcome(startedAt: Date, error: unknown): RunOutcome {
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    counts: {},
    drifted: [],
    error: error instanceof Error ? error.message : String(error),
  };
}

export function createController(options: ControllerOptions): Controller {
  assertValidSchedule(options.schedule);
  const logger = options.logger ?? silentLogger;
  const scheduleFn = options.scheduleFn ?? nodeCronSchedule(logger);
  let current: Promise<RunOutcome> | undefined;
  let task: { stop(): void | Promise<void> } | undefined;
  let stopped = false;
  let completedRuns = 0;
  let skippedTicks = 0;
  let lastOutcome: RunOutcome | undefined;
  let hasSucceeded = false;

  async function runAndReport(): Promise<RunOutcome> {
    const startedAt = new Date();
    let outcome: RunOutcome;
    try {
      outcome = await options.runOnce();
    } catch (error) {
      outcome = failedOutcome(startedAt, error);
    }
    completedRuns += 1;
    lastOutcome = outcome;
    if (outcome.error === undefined) hasSucceeded = true;
    logRun(logger, outcome);
    try {
      await options.onOutcome?.(outcome);
    } catch (error) {
      logger.error({ err: error }, 'handling the run outcome failed');
    }
    return outcome;
  }

  function trigger(): Promise<RunOutcome | undefined> {
    if (stopped) return Promise.resolve(undefined);
    if (current !== undefined) {
      skippedTicks += 1;
      options.onSkippedTick?.();
      logger.warn({ skippedTicks }, 'previous run still in progress; skipping this tick');
      return Promise.resolve(undefined);
    }
    const run = runAndReport().finally(() => {
      current = undefined;
    });
    current = run;
    return run;
  }

  return {
    start() {
      if (stopped) throw new Error('a stopped controller cannot be started again');
      if (options.runOnStart ?? true) void trigger();
      task = scheduleFn(options.schedule, () => void trigger());
    },
    async stop() {
      stopped = true;
      await task?.stop();
      task = undefined;
      if (current !== undefined) await current;
    },
    trigger,
    get running() {
      return current !== undefined;
    },
    get completedRuns() {
      return completedRuns;
    },
    get skippedTicks() {
      return skippedTicks;
    },
    get lastOutcome() {
      return lastOutcome;
    },
    get hasSucceeded() {
      return hasSucceeded;
    },
  };
}

/** One line per run with its counts: what an operator greps for. */
function logRun(logger: WatchLogger, outcome: RunOutcome): void {
  const fields = {
    result: runResult(outcome),
    commit: outcome.commit,
    durationSeconds: outcome.durationSeconds,
    ...totalCounts(outcome),
    drifted: outcome.drifted.length,
    healed: outcome.healed?.length ?? 0,
  };
  if (outcome.error !== undefined) logger.error({ ...fields, error: outcome.error }, 'drift run failed');
  else logger.info(fields, 'drift run finished');
}

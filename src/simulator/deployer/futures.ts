// DSS futures: long jobs that advance through named steps over simulated time. A job's record lives in the node's
// state (so finished results persist); the running part (timers, abort signals) lives in this process only, and a
// record found alive without a runner (after a restart) is reported as interrupted.

import { randomBytes } from 'node:crypto';
import type { SimContext } from '../context.js';
import { ERROR_TYPES, notFound, SimHttpError } from '../errors.js';
import { completeDeployerState, type DeployerState, type FutureFailure, type FutureRecord } from './state.js';

export interface FutureStep {
  name: string;
  /** Does the step's work and answers its report; throwing fails the job. */
  run(signal: AbortSignal): Promise<unknown>;
}

export interface FutureJob {
  kind: string;
  target: string;
  steps: FutureStep[];
  /** Builds the job's result from the steps' reports (default: `{steps: [...]}`). */
  result?: (steps: FutureRecord['steps']) => unknown;
  /** Called once the job ended, whatever the outcome, after the record was updated. */
  onSettled?: (record: FutureRecord) => void;
}

/** A step failure with the HTTP status and DSS error type that `GET /futures/{id}` should answer. */
export class FutureStepError extends Error {
  constructor(
    message: string,
    readonly status = 500,
    readonly errorType: string = ERROR_TYPES.internal,
  ) {
    super(message);
  }
}

interface RunningJob {
  /** The futures map the job reports to: a node restarted in the same process has another one. */
  owner: Record<string, FutureRecord>;
  controller: AbortController;
  done: Promise<void>;
  onSettled: ((record: FutureRecord) => void) | undefined;
}

const running = new Map<string, RunningJob>();

export function deployerState(ctx: SimContext): DeployerState {
  ctx.state.deployer = completeDeployerState(ctx.state.deployer);
  return ctx.state.deployer;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // A pending step must not keep a process alive that is otherwise done.
    timer.unref();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

function failureOf(err: unknown): FutureFailure {
  if (err instanceof FutureStepError) return { status: err.status, errorType: err.errorType, message: err.message };
  if (err instanceof SimHttpError) return { status: err.status, errorType: err.errorType, message: err.message };
  return { status: 500, errorType: ERROR_TYPES.internal, message: err instanceof Error ? err.message : String(err) };
}

/** Starts a job and answers its record right away (alive, no result yet). */
export function startFuture(ctx: SimContext, job: FutureJob): FutureRecord {
  const state = deployerState(ctx);
  const jobId = randomBytes(6).toString('base64url');
  const record: FutureRecord = {
    jobId,
    kind: job.kind,
    target: job.target,
    owner: ctx.userLogin,
    startTime: ctx.now(),
    alive: true,
    aborted: false,
    hasResult: false,
    progress: [{ name: job.steps[0]?.name ?? job.kind, unit: 'NONE', target: job.steps.length, cur: 0 }],
    steps: [],
  };
  state.futures[jobId] = record;
  ctx.changed();
  const controller = new AbortController();
  const done = runJob(ctx, job, jobId, controller.signal).finally(() => running.delete(jobId));
  running.set(jobId, { owner: state.futures, controller, done, onSettled: job.onSettled });
  return record;
}

async function runJob(ctx: SimContext, job: FutureJob, jobId: string, signal: AbortSignal): Promise<void> {
  // The record is looked up again after every await: a reset of the node replaces the state, and the job then
  // has nothing left to report to.
  const current = (): FutureRecord | undefined => deployerState(ctx).futures[jobId];
  let failure: FutureFailure | undefined;
  for (const [index, step] of job.steps.entries()) {
    await sleep(deployerState(ctx).config.futureStepMs, signal);
    let record = current();
    if (signal.aborted || !record) return;
    record.progress = [{ name: step.name, unit: 'NONE', target: job.steps.length, cur: index }];
    ctx.changed();
    try {
      const report = await step.run(signal);
      record = current();
      if (signal.aborted || !record) return;
      record.steps.push({ name: step.name, report: report ?? {} });
    } catch (err) {
      if (signal.aborted) return;
      failure = failureOf(err);
      break;
    }
  }
  const record = current();
  if (!record || signal.aborted) return;
  record.alive = false;
  record.endTime = ctx.now();
  if (failure) {
    record.failure = failure;
  } else {
    record.hasResult = true;
    record.result = job.result ? job.result(record.steps) : { steps: record.steps };
    record.progress = [{ name: 'Done', unit: 'NONE', target: job.steps.length, cur: job.steps.length }];
  }
  ctx.changed();
  job.onSettled?.(record);
}

/** Aborts a running job (its `onSettled` sees `aborted`); aborting a finished one changes nothing. */
export function abortFuture(ctx: SimContext, jobId: string, onAborted?: (record: FutureRecord) => void): FutureRecord {
  const record = findFuture(ctx, jobId);
  const runner = running.get(jobId);
  if (record.alive) {
    runner?.controller.abort();
    record.alive = false;
    record.aborted = true;
    record.endTime = ctx.now();
    ctx.changed();
    runner?.onSettled?.(record);
    onAborted?.(record);
  }
  return record;
}

/** Resolves when the job has ended (immediately when it is not running in this process). */
export async function settledFuture(jobId: string): Promise<void> {
  await running.get(jobId)?.done;
}

/** The record, with a job left alive by a previous process marked as interrupted. */
export function findFuture(ctx: SimContext, jobId: string): FutureRecord {
  const futures = deployerState(ctx).futures;
  const record = futures[jobId];
  if (!record) throw notFound(`Future not found: ${jobId}`);
  if (record.alive && running.get(jobId)?.owner !== futures) {
    record.alive = false;
    record.endTime = ctx.now();
    record.failure = {
      status: 500,
      errorType: ERROR_TYPES.internal,
      message: 'The job was interrupted by a restart of the node',
    };
    ctx.changed();
  }
  return record;
}

/** The JSON DSS answers for a future; `peek` leaves the result out. */
export function futureView(ctx: SimContext, record: FutureRecord, peek: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    jobId: record.jobId,
    hasResult: record.hasResult,
    aborted: record.aborted,
    alive: record.alive,
    unknown: false,
    owner: record.owner,
    startTime: record.startTime,
    runningTime: (record.endTime ?? ctx.now()) - record.startTime,
    progress: record.progress,
  };
  if (record.hasResult && !peek) view.result = record.result;
  if (record.failure) view.failure = { errorType: record.failure.errorType, message: record.failure.message };
  return view;
}

/**
 * `GET /futures/{id}`: a failed job answers its failure as an HTTP error, or clients that poll until `hasResult`
 * would wait forever.
 */
export function readFuture(ctx: SimContext, jobId: string, peek: boolean): Record<string, unknown> {
  const record = findFuture(ctx, jobId);
  if (record.failure) {
    throw new SimHttpError(
      record.failure.status,
      record.failure.errorType,
      `Future ${jobId} failed: ${record.failure.message}`,
    );
  }
  // An aborted job answers normally with `aborted: true`, as DSS does; clients stop polling on it.
  return futureView(ctx, record, peek);
}

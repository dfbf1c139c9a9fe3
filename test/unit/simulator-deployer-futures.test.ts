import { describe, expect, it } from 'vitest';
import type { SimContext } from '../../src/simulator/context.js';
import { SimHttpError } from '../../src/simulator/errors.js';
import {
  abortFuture,
  FutureStepError,
  readFuture,
  settledFuture,
  startFuture,
  type FutureStep,
} from '../../src/simulator/deployer/futures.js';
import { createState } from '../../src/simulator/state.js';

function context(stepMs = 0): SimContext & { changes: number } {
  const state = createState();
  state.deployer.config.futureStepMs = stepMs;
  let clock = 1_000;
  const ctx = {
    state,
    changes: 0,
    changed() {
      ctx.changes += 1;
    },
    now: () => (clock += 5),
    url: 'http://127.0.0.1:1',
    userLogin: 'admin',
    canRead: () => true,
  };
  return ctx;
}

const step = (name: string, report: unknown): FutureStep => ({ name, run: () => Promise.resolve(report) });

describe('futures', () => {
  it('start alive without a result, then end with the reports of every step', async () => {
    const ctx = context();
    const record = startFuture(ctx, {
      kind: 'test',
      target: 'x',
      steps: [step('Import', { imported: true }), step('Activate', { activated: true })],
      result: (steps) => ({ reports: steps.map((s) => s.report) }),
    });
    expect(readFuture(ctx, record.jobId, false)).toMatchObject({ hasResult: false, alive: true, aborted: false });
    await settledFuture(record.jobId);
    const view = readFuture(ctx, record.jobId, false);
    expect(view).toMatchObject({
      jobId: record.jobId,
      hasResult: true,
      alive: false,
      result: { reports: [{ imported: true }, { activated: true }] },
      progress: [{ name: 'Done', unit: 'NONE', target: 2, cur: 2 }],
    });
    expect(ctx.changes).toBeGreaterThan(0);
  });

  it('leave the result out when peeking', async () => {
    const ctx = context();
    const { jobId } = startFuture(ctx, { kind: 'test', target: 'x', steps: [step('Only', 1)] });
    await settledFuture(jobId);
    const view = readFuture(ctx, jobId, true);
    expect(view.hasResult).toBe(true);
    expect('result' in view).toBe(false);
  });

  it('answer a failed job as an HTTP error that carries the step message', async () => {
    const ctx = context();
    let afterFailure = false;
    const { jobId } = startFuture(ctx, {
      kind: 'test',
      target: 'x',
      steps: [
        { name: 'Call node', run: () => Promise.reject(new FutureStepError('node unreachable', 502)) },
        { name: 'Never', run: () => Promise.resolve((afterFailure = true)) },
      ],
    });
    await settledFuture(jobId);
    let error: unknown;
    try {
      readFuture(ctx, jobId, false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimHttpError);
    expect((error as SimHttpError).status).toBe(502);
    expect((error as SimHttpError).message).toBe(`Future ${jobId} failed: node unreachable`);
    expect(afterFailure).toBe(false);
  });

  it('stop at the next step when aborted, and report aborted', async () => {
    const ctx = context();
    let secondRan = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { jobId } = startFuture(ctx, {
      kind: 'test',
      target: 'x',
      steps: [
        { name: 'Slow', run: () => gate.then(() => 'slow done') },
        { name: 'Second', run: () => Promise.resolve((secondRan = true)) },
      ],
    });
    // Let the job enter its first step before aborting it.
    await new Promise((resolve) => setImmediate(resolve));
    let settledHook = '';
    abortFuture(ctx, jobId, (r) => (settledHook = r.jobId));
    release();
    await settledFuture(jobId);
    expect(readFuture(ctx, jobId, false)).toMatchObject({ aborted: true, alive: false, hasResult: false });
    expect(secondRan).toBe(false);
    expect(settledHook).toBe(jobId);
  });

  it('report a job left alive by a previous process as interrupted', () => {
    const ctx = context();
    ctx.state.deployer.futures.OLD = {
      jobId: 'OLD',
      kind: 'test',
      target: 'x',
      owner: 'admin',
      startTime: 1,
      alive: true,
      aborted: false,
      hasResult: false,
      progress: [],
      steps: [],
    };
    expect(() => readFuture(ctx, 'OLD', false)).toThrow(/interrupted by a restart/);
  });

  it('answer 404 for an unknown job', () => {
    expect(() => readFuture(context(), 'nope', false)).toThrow(/Future not found/);
  });
});

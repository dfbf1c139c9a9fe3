import { Writable } from 'node:stream';
import { getTasks } from 'node-cron';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createController } from '../../src/watch/scheduler.js';
import type { ScheduleFn } from '../../src/watch/scheduler.js';
import type { RunOutcome } from '../../src/watch/types.js';

function outcome(overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    durationSeconds: 0.1,
    counts: { Project: { in_sync: 2, drifted: 1, pending: 0, unmanaged: 0, failed: 0 } },
    drifted: [{ address: 'Project/CHURN', kind: 'Project', node: 'design', fingerprint: 'a' }],
    ...overrides,
  };
}

/** A schedule that ticks only when the test says so. */
function manualClock(): { scheduleFn: ScheduleFn; tick(): void; stopped: boolean; expression: string | undefined } {
  const clock = {
    stopped: false,
    expression: undefined as string | undefined,
    onTick: undefined as (() => void) | undefined,
    scheduleFn: ((expression, onTick) => {
      clock.expression = expression;
      clock.onTick = onTick;
      return { stop: () => void (clock.stopped = true) };
    }) as ScheduleFn,
    tick: () => clock.onTick?.(),
  };
  return clock;
}

/** A run that stays in progress until released. */
function gatedRuns(): { runOnce: () => Promise<RunOutcome>; release(): void; started: number } {
  const gate = { started: 0, releases: [] as Array<() => void> };
  return {
    get started() {
      return gate.started;
    },
    runOnce: () =>
      new Promise<RunOutcome>((resolve) => {
        gate.started += 1;
        gate.releases.push(() => resolve(outcome()));
      }),
    release: () => gate.releases.shift()?.(),
  };
}

describe('createController', () => {
  it('runs once on start, then on every tick', async () => {
    const clock = manualClock();
    let runs = 0;
    const controller = createController({
      schedule: '*/5 * * * *',
      runOnce: async () => {
        runs += 1;
        return outcome();
      },
      scheduleFn: clock.scheduleFn,
    });
    controller.start();
    expect(clock.expression).toBe('*/5 * * * *');
    expect(runs).toBe(1);
    await expect.poll(() => controller.completedRuns).toBe(1);
    clock.tick();
    await expect.poll(() => controller.completedRuns).toBe(2);
    clock.tick();
    await expect.poll(() => controller.completedRuns).toBe(3);
    expect(runs).toBe(3);
    expect(controller.skippedTicks).toBe(0);
    expect(controller.hasSucceeded).toBe(true);
    await controller.stop();
  });

  it('never overlaps: ticks during a slow run are skipped and counted, and the next tick after it runs', async () => {
    const clock = manualClock();
    const runs = gatedRuns();
    let skippedSeen = 0;
    const controller = createController({
      schedule: '* * * * *',
      runOnce: runs.runOnce,
      scheduleFn: clock.scheduleFn,
      onSkippedTick: () => (skippedSeen += 1),
    });
    controller.start();
    expect(controller.running).toBe(true);
    clock.tick();
    clock.tick();
    expect(runs.started).toBe(1);
    expect(controller.skippedTicks).toBe(2);
    expect(skippedSeen).toBe(2);

    runs.release();
    await expect.poll(() => controller.running).toBe(false);
    clock.tick();
    expect(runs.started).toBe(2);
    runs.release();
    await expect.poll(() => controller.completedRuns).toBe(2);
    expect(controller.skippedTicks).toBe(2);
    await controller.stop();
  });

  it('stop() waits for the run in progress, stops the schedule, and ignores later ticks', async () => {
    const clock = manualClock();
    const runs = gatedRuns();
    const controller = createController({ schedule: '* * * * *', runOnce: runs.runOnce, scheduleFn: clock.scheduleFn });
    controller.start();
    let stopped = false;
    const stopping = controller.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(clock.stopped).toBe(true);
    expect(stopped).toBe(false);
    runs.release();
    await stopping;
    expect(controller.completedRuns).toBe(1);
    clock.tick();
    expect(runs.started).toBe(1);
    expect(await controller.trigger()).toBeUndefined();
  });

  it('turns a thrown run into an error outcome, logs one line per run with counts, and survives a failing handler', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    let calls = 0;
    const seen: RunOutcome[] = [];
    const controller = createController({
      schedule: '* * * * *',
      runOnce: async () => {
        calls += 1;
        if (calls === 1) throw new Error('DSS unreachable');
        return outcome({ commit: 'abc123' });
      },
      onOutcome: (o) => {
        seen.push(o);
        throw new Error('handler broke');
      },
      logger,
      scheduleFn: manualClock().scheduleFn,
      runOnStart: false,
    });
    controller.start();
    expect(controller.completedRuns).toBe(0);
    const first = await controller.trigger();
    expect(first?.error).toBe('DSS unreachable');
    expect(controller.hasSucceeded).toBe(false);
    const second = await controller.trigger();
    expect(second?.error).toBeUndefined();
    expect(controller.hasSucceeded).toBe(true);
    expect(seen).toHaveLength(2);
    await controller.stop();

    const runLines = lines.filter((l) => l.msg === 'drift run finished' || l.msg === 'drift run failed');
    expect(runLines).toHaveLength(2);
    expect(runLines[0]).toMatchObject({ msg: 'drift run failed', result: 'error', error: 'DSS unreachable' });
    expect(runLines[1]).toMatchObject({ result: 'drift', commit: 'abc123', in_sync: 2, drifted: 1, pending: 0 });
    expect(lines.filter((l) => l.msg === 'handling the run outcome failed')).toHaveLength(2);
  });

  it('rejects an invalid cron expression as a user error', () => {
    expect(() => createController({ schedule: 'every five minutes', runOnce: async () => outcome() })).toThrow(
      expect.objectContaining({ code: 'watch-bad-schedule', fault: 'user' }),
    );
  });

  it('runs on a real node-cron schedule (every second) without overlapping a slow run', async () => {
    const runs = gatedRuns();
    const controller = createController({ schedule: '* * * * * *', runOnce: runs.runOnce });
    controller.start();
    // The first run is held open while real ticks arrive; each of them must be skipped.
    await expect.poll(() => controller.skippedTicks, { timeout: 5_000, interval: 50 }).toBeGreaterThanOrEqual(1);
    expect(runs.started).toBe(1);
    runs.release();
    await expect.poll(() => runs.started, { timeout: 5_000, interval: 50 }).toBe(2);
    const stopping = controller.stop();
    runs.release();
    await stopping;
    expect(controller.completedRuns).toBe(2);
    expect([...getTasks().values()].filter((task) => task.name === 'dss-gitops-watch')).toEqual([]);
  });
});

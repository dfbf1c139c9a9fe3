// The watch phase of `npm run bench`: `dss-gitops watch` on an applied tree, its ticks timed by its log lines.

import { formatWatch, median, medianOrNull, networkBoundMs, networkPhaseMs, ratioTo, timing, watchEvent, watchScheduleSeconds } from './figures.js';
import { commandFor, projectsTree, type BenchCase, type BenchOptions, type BenchTree, type PhaseResult, type WatchResult } from './report.js';
import type { Runner } from './runner.js';
import type { RemoteSimulator, SimStats } from './workload.js';

/** Waits until just after the wall clock's next multiple of `seconds`, where a cron schedule of that period ticks. */
async function untilScheduleBoundary(seconds: number): Promise<void> {
  const period = seconds * 1000;
  const wait = period - (Date.now() % period) + 20;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * Runs `dss-gitops watch` on the case's tree (in sync: applied by benchCase) at the case's first parallelism, on a
 * schedule at least twice the expected tick, until `ticks` ticks after the first have finished, then stops it with
 * SIGTERM. Each tick's time is the `durationSeconds` of its "drift run finished" log line; its requests and network
 * phase are the simulator's counts, read and cleared at once when that line arrives. The process starts just
 * after a tick of the schedule, so that its first run (on start) ends well before the next tick, and every tick
 * ends half a period before the one after it: the counts taken between them belong to one tick.
 */
export async function benchWatch(
  runner: Runner,
  sim: RemoteSimulator,
  c: BenchCase,
  o: BenchOptions,
  phases: PhaseResult[],
  tree: BenchTree = projectsTree(c),
): Promise<WatchResult> {
  const parallelism = c.parallelisms[0];
  if (parallelism === undefined) throw new Error('a case needs at least one parallelism');
  const ticks = o.watchTicks ?? 5;
  if (ticks < 1) throw new Error('the watch phase needs at least one tick after the first');
  const plan = phases.find((r) => r.phase === 'plan' && r.parallelism === parallelism);
  const drift = phases.find((r) => r.phase === 'drift' && r.parallelism === parallelism);
  const env = { ...tree.env, DSS_URL: sim.url, DSS_API_KEY: sim.adminKey };
  // The schedule leaves room for a tick as long as the plan or drift took; one drift, untimed, when neither was run.
  let expectedMs = Math.max(drift?.medianMs ?? 0, plan?.medianMs ?? 0);
  if (expectedMs === 0) {
    await sim.setLatency(c.latencyMs);
    expectedMs = (await runner.run(commandFor('drift', parallelism).argv, env, false)).ms;
  }
  const scheduleSeconds = watchScheduleSeconds(Math.max(expectedMs, 500));
  const argv = ['watch', '-f', 'manifests', '--parallelism', String(parallelism), '--schedule', `*/${scheduleSeconds} * * * * *`];

  await sim.reset(false);
  await sim.setLatency(c.latencyMs);
  await untilScheduleBoundary(scheduleSeconds);
  const durations: number[] = [];
  const counts: SimStats[] = [];
  let skippedTicks = 0;
  let failure: string | undefined;
  // Each finished tick's counts are taken in order; the process is stopped once enough are in.
  let taking: Promise<unknown> = Promise.resolve();
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const started = runner.start(argv, env, true, (line) => {
    const event = watchEvent(line);
    if (event === undefined) return;
    if (event.type === 'skipped') skippedTicks += 1;
    else if (event.type === 'failed') {
      failure = event.error;
      resolveAll();
    } else if (durations.length <= ticks) {
      durations.push(event.durationMs);
      taking = taking.then(async () => {
        counts.push(await sim.takeStats());
        if (counts.length > ticks) resolveAll();
      });
    }
  });
  const exited = started.done.then((run) => {
    resolveAll();
    return run;
  });
  // A watch that stops ticking (a hung run) fails the bench instead of holding it forever.
  const patience = setTimeout(() => {
    failure = `fewer than ${ticks + 1} ticks in ${(ticks + 2) * scheduleSeconds + 120} s`;
    resolveAll();
  }, ((ticks + 2) * scheduleSeconds + 120) * 1000);
  await all;
  clearTimeout(patience);
  await taking;
  if (started.child.exitCode === null) started.child.kill('SIGTERM');
  const run = await exited;
  await sim.setLatency(0);
  if (failure !== undefined) throw new Error(`a watch tick failed: ${failure}\n${run.output}`);
  if (counts.length <= ticks || run.exitCode !== 0) {
    throw new Error(`watch exited with ${run.exitCode} after ${counts.length} of ${ticks + 1} ticks:\n${run.output}`);
  }
  const [first, ...timed] = durations as [number, ...number[]];
  const timedCounts = counts.slice(1);
  const last = timedCounts[timedCounts.length - 1] as SimStats;
  if (timedCounts.some((t) => t.writes > 0)) throw new Error(`a watch tick wrote: ${JSON.stringify(timedCounts.map((t) => t.byRoute))}`);
  const requestsPerTick = timedCounts.map((t) => t.total);
  const requests = median(requestsPerTick);
  const boundMs = networkBoundMs(requests, parallelism, c.latencyMs);
  const networkPhaseTimesMs = timedCounts.map((t) => networkPhaseMs(t, c.latencyMs));
  const networkPhaseMedianMs = medianOrNull(networkPhaseTimesMs);
  const t = timing(timed);
  const result: WatchResult = {
    ...(tree.label === undefined ? {} : { tree: tree.label }),
    projects: tree.projects,
    scenarios: tree.scenarios,
    objects: phases[0]?.objects ?? 0,
    latencyMs: c.latencyMs,
    parallelism,
    scheduleSeconds,
    firstTickMs: first,
    ticks: timed.length,
    skippedTicks,
    requestsPerTick,
    requests,
    reads: last.reads,
    writes: last.writes,
    byRoute: last.byRoute,
    boundMs,
    networkPhaseTimesMs,
    networkPhaseMedianMs,
    networkRatioToBound: ratioTo(networkPhaseMedianMs, boundMs),
    planMedianMs: plan?.medianMs ?? null,
    ratioToPlan: ratioTo(t.medianMs, plan?.medianMs ?? null),
    planNetworkPhaseMs: plan?.networkPhaseMedianMs ?? null,
    ratioToPlanNetworkPhase: ratioTo(t.medianMs, plan?.networkPhaseMedianMs ?? null),
    peakRssMiB: run.maxRssKiB / 1024,
    ...t,
  };
  o.progress?.(tree.label === undefined ? formatWatch(result) : `${tree.label} ${formatWatch(result).replace(/^0×0 +/, '')}`);
  return result;
}

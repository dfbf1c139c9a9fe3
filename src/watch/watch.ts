// Puts the watch controller together: the scheduler drives runs, and each outcome feeds the metrics, the
// readiness state and the webhook. What a run does (sync git, detect drift, self-heal) is the caller's `runOnce`.

import { createStatusServer } from './http.js';
import type { ListenAddress, StatusServer } from './http.js';
import { createMetrics } from './metrics.js';
import type { WatchMetrics } from './metrics.js';
import { createNotifier } from './notify.js';
import type { PostFn } from './notify.js';
import { createController } from './scheduler.js';
import type { Controller, ScheduleFn } from './scheduler.js';
import { silentLogger } from './types.js';
import type { RunOutcome, WatchLogger } from './types.js';

export interface WatchOptions {
  schedule: string;
  runOnce: () => Promise<RunOutcome>;
  listen?: ListenAddress;
  webhook?: string;
  logger?: WatchLogger;
  scheduleFn?: ScheduleFn;
  post?: PostFn;
}

export interface RunningWatch {
  controller: Controller;
  metrics: WatchMetrics;
  /** The bound address of the status server, when `listen` was given. */
  address?: ListenAddress;
  /** Stops the schedule, waits for the run in progress, then closes the server. */
  stop(): Promise<void>;
}

export async function startWatch(options: WatchOptions): Promise<RunningWatch> {
  const logger = options.logger ?? silentLogger;
  const metrics = createMetrics();
  const notifier =
    options.webhook === undefined
      ? undefined
      : createNotifier({ url: options.webhook, logger, ...(options.post ? { post: options.post } : {}) });
  const controller = createController({
    schedule: options.schedule,
    runOnce: options.runOnce,
    logger,
    ...(options.scheduleFn ? { scheduleFn: options.scheduleFn } : {}),
    onSkippedTick: () => metrics.recordSkippedTick(),
    onOutcome: async (outcome) => {
      metrics.recordRun(outcome);
      await notifier?.handle(outcome);
    },
  });

  // The server comes up before the first run, so liveness probes pass while a slow first run is in progress.
  let server: StatusServer | undefined;
  let address: ListenAddress | undefined;
  if (options.listen !== undefined) {
    server = createStatusServer({ metrics, isReady: () => controller.hasSucceeded, logger });
    address = await server.listen(options.listen);
  }
  controller.start();

  return {
    controller,
    metrics,
    ...(address === undefined ? {} : { address }),
    async stop() {
      await controller.stop();
      await server?.close();
    },
  };
}

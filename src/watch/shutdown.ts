// Clean shutdown on SIGTERM/SIGINT: Kubernetes sends SIGTERM on every rollout, and a run cut in half (by
// `--self-heal` mid-apply) is worse than a pod that takes a few more seconds to go.

import { silentLogger } from './types.js';
import type { WatchLogger } from './types.js';

/** The part of `process` this needs; tests pass an EventEmitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ShutdownOptions {
  /** Finishes the current run and closes the server; called once, on the first signal. */
  shutdown: () => Promise<void>;
  signals?: NodeJS.Signals[];
  source?: SignalSource;
  logger?: WatchLogger;
}

export interface ShutdownHandle {
  /** Resolves with the signal once shutdown has completed; rejects if shutdown failed. */
  done: Promise<NodeJS.Signals>;
  /** Removes the signal listeners (when the controller stops for another reason). */
  dispose(): void;
}

export function handleShutdownSignals(options: ShutdownOptions): ShutdownHandle {
  const source = options.source ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const logger = options.logger ?? silentLogger;
  const listeners = new Map<NodeJS.Signals, () => void>();
  let shuttingDown = false;
  let settle!: { resolve: (signal: NodeJS.Signals) => void; reject: (error: unknown) => void };
  const done = new Promise<NodeJS.Signals>((resolve, reject) => {
    settle = { resolve, reject };
  });

  const dispose = (): void => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
    listeners.clear();
  };

  for (const signal of signals) {
    // Listening (rather than once) also keeps a second signal from killing the process mid-shutdown.
    const listener = (): void => {
      if (shuttingDown) {
        logger.warn({ signal }, 'already shutting down; waiting for the current run to finish');
        return;
      }
      shuttingDown = true;
      logger.info({ signal }, 'shutting down after the current run');
      options.shutdown().then(
        () => {
          dispose();
          logger.info({ signal }, 'stopped');
          settle.resolve(signal);
        },
        (error: unknown) => {
          dispose();
          settle.reject(error);
        },
      );
    };
    listeners.set(signal, listener);
    source.on(signal, listener);
  }
  return { done, dispose };
}

// The pool that runs the reads of a run: at most `max` tasks running, each made only when a slot is free. p-limit
// takes every task at once, with four promises and two async functions per task, which a plan pays on its hot path
// and keeps in memory until the last read ends.

/** One task of a pool: a function that starts it, or `undefined` when there is none to start now. */
export type NextTask = () => (() => Promise<void>) | undefined;

/**
 * Runs the tasks `next` gives, at most `max` at once: `next` is asked for one each time a slot is free, so only the
 * running tasks exist (28,000 reads given to a limit at once kept 28,000 closures and promise chains alive until the
 * last ended). `next` may give none for now and more later, when a running task has added
 * work: it is asked again as each task ends. Resolves once `next` gives none and none runs. A task that rejects
 * stops the pool taking more: it rejects with that error once the running ones have ended.
 */
export function runPool(max: number, next: NextTask): Promise<void> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`a pool runs a whole number of at least 1 tasks (got ${max})`);
  return new Promise<void>((resolve, reject) => {
    let running = 0;
    let failed = false;
    let failure: unknown;
    const fill = (): void => {
      while (!failed && running < max) {
        let result: Promise<void>;
        try {
          const task = next();
          if (task === undefined) break;
          result = task();
        } catch (error) {
          failed = true;
          failure = error;
          break;
        }
        running++;
        result.then(ended, fail);
      }
      if (running > 0) return;
      if (failed) reject(failure);
      else resolve();
    };
    const ended = (): void => {
      running--;
      fill();
    };
    const fail = (error: unknown): void => {
      if (!failed) {
        failed = true;
        failure = error;
      }
      ended();
    };
    fill();
  });
}

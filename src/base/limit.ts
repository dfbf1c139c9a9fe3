// A concurrency limit for the reads of a run: at most `max` tasks running, the others started in the order they
// were given as slots free up. p-limit does the same with four promises and two async functions per task, which a
// plan of 800 reads pays on its hot path; here a task that finds a free slot starts at once and costs one `then`.

/** A function that runs `task` once fewer than `max` tasks given to it are running, and gives its result. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function concurrencyLimit(max: number): Limit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`a concurrency limit is a whole number of at least 1 (got ${max})`);
  let running = 0;
  // The waiting tasks from `head` on: taking the first moves no element (Array#shift moves them all, quadratic in a
  // run of 26,000 reads queued at once); the taken ones are dropped when the queue empties or they are most of it.
  const waiting: Array<(() => void) | undefined> = [];
  let head = 0;
  // A slot freed while tasks wait passes straight to the first of them: `running` never drops in between, so a
  // task given meanwhile cannot take it out of turn.
  const release = (): void => {
    const next = waiting[head];
    if (next === undefined) {
      running--;
      return;
    }
    waiting[head++] = undefined;
    if (head === waiting.length) {
      waiting.length = 0;
      head = 0;
    } else if (head >= 1024 && head * 2 >= waiting.length) {
      waiting.splice(0, head);
      head = 0;
    }
    next();
  };
  const start = <T>(task: () => Promise<T>): Promise<T> => {
    let result: Promise<T>;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(release, release);
    return result;
  };
  return <T>(task: () => Promise<T>): Promise<T> => {
    if (running < max) {
      running++;
      return start(task);
    }
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => start(task));
  };
}

/** One task of a pool: a function that starts it, or `undefined` when there is none to start now. */
export type NextTask = () => (() => Promise<void>) | undefined;

/**
 * Runs the tasks `next` gives, at most `max` at once: `next` is asked for one each time a slot is free, so only the
 * running tasks exist (a run of 28,000 reads given to `concurrencyLimit` at once keeps 28,000 closures and promise
 * chains alive until the last ends). `next` may give none for now and more later, when a running task has added
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

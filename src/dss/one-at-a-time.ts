// GET-modify-PUTs of one DSS endpoint, one at a time within this process. DSS has no compare-and-swap on some
// objects that several parts of one run rewrite whole: the instance variables hold the run lock, refreshed on a
// timer while the run writes, and the global variables the run applies. Two such read-then-write sequences that
// overlap lose one of the writes (the later PUT carries what the earlier GET saw). Queued per node and endpoint,
// they cannot overlap; writers in other processes are what the run lock is for.

import type { DssClient } from './types.js';

const tails = new Map<string, Promise<void>>();

/** Runs `work` after every earlier `work` queued for the same node and endpoint has ended (succeeded or not). */
export function oneAtATime<T>(client: DssClient, path: string, work: () => Promise<T>): Promise<T> {
  const key = `${client.url} ${path}`;
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}

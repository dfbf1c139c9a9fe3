// Per-run memoization and per-node serialization shared by the design-node kinds. A run reads each DSS object
// once: lookups that many units need (the folder tree, the project list) are fetched once per run and shared.

import type { DssClient } from '../dss/types.js';
import type { KindContext } from './types.js';

const fallbackCaches = new WeakMap<KindContext, Map<string, unknown>>();

function cacheOf(ctx: KindContext): Map<string, unknown> {
  if (ctx.runCache) return ctx.runCache;
  let cache = fallbackCaches.get(ctx);
  if (!cache) {
    cache = new Map();
    fallbackCaches.set(ctx, cache);
  }
  return cache;
}

/**
 * The value of `load()` for `key`, computed once per run and node. Concurrent callers share the same promise;
 * a failed load is forgotten so that a later caller retries it.
 */
export function memoPerRun<T>(ctx: KindContext, key: string, load: () => Promise<T>): Promise<T> {
  const cache = cacheOf(ctx);
  const fullKey = keyOn(ctx.client, key);
  const hit = cache.get(fullKey) as Promise<T> | undefined;
  if (hit) return hit;
  const promise = load();
  cache.set(fullKey, promise);
  promise.catch(() => {
    if (cache.get(fullKey) === promise) cache.delete(fullKey);
  });
  return promise;
}

function keyOn(client: DssClient, key: string): string {
  return `${client.nodeName}:${client.url}:${key}`;
}

/**
 * The answer of `GET route` on the context's node, read once per run and shared by every reader of the route. A
 * run cache may start with it (`seedAnswer`): the preflight's read of the project list is the plan's.
 */
export function getOncePerRun<T = unknown>(ctx: KindContext, route: string): Promise<T> {
  return memoPerRun(ctx, `GET ${route}`, () => ctx.client.getJson<T>(route));
}

/** Puts an answer of `GET route` on `client`'s node, read already in this run, into a run cache for getOncePerRun. */
export function seedAnswer(cache: Map<string, unknown>, client: DssClient, route: string, answer: unknown): void {
  cache.set(keyOn(client, `GET ${route}`), Promise.resolve(answer));
}

const locks = new WeakMap<DssClient, Promise<unknown>>();

/**
 * Runs `work` after every earlier `serialized` call on the same client has settled. Folder creation goes
 * through here: two units that both need `Analytics` must not create it twice.
 */
export function serialized<T>(client: DssClient, work: () => Promise<T>): Promise<T> {
  const previous = locks.get(client) ?? Promise.resolve();
  const next = previous.then(work, work);
  locks.set(
    client,
    next.catch(() => undefined),
  );
  return next;
}

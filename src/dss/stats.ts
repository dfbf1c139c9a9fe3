// Request counters of one client, for the reconciler's reports ("0 writes") and the benchmarks.

import type { ClientStats, HttpMethod } from './types.js';

export class RequestCounters {
  #stats: ClientStats = emptyStats();

  /** One attempt sent, retries included. */
  count(method: HttpMethod): void {
    this.#stats.byMethod[method] += 1;
    if (method === 'GET') this.#stats.reads += 1;
    else this.#stats.writes += 1;
  }

  retried(): void {
    this.#stats.retries += 1;
  }

  failed(): void {
    this.#stats.errors += 1;
  }

  snapshot(): ClientStats {
    return { ...this.#stats, byMethod: { ...this.#stats.byMethod } };
  }

  reset(): void {
    this.#stats = emptyStats();
  }
}

function emptyStats(): ClientStats {
  return { reads: 0, writes: 0, byMethod: { GET: 0, POST: 0, PUT: 0, DELETE: 0 }, retries: 0, errors: 0 };
}

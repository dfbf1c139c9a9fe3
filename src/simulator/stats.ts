// Request counts, so that tests and benchmarks can assert how many reads and writes a run made.

export interface SimStats {
  total: number;
  reads: number;
  writes: number;
  /** Counts by HTTP method, e.g. `{GET: 12, PUT: 3}`. */
  byMethod: Record<string, number>;
  /** Counts by method and route pattern, e.g. `{"GET /projects/:projectKey/metadata": 2}`. */
  byRoute: Record<string, number>;
  /** Faults injected, by kind (`status 503`, `throttle`, `drop`, `lost-response`); absent while none was. */
  faults?: Record<string, number>;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class StatsRecorder {
  private stats: SimStats = emptyStats();

  /** Records one request; `route` is the matched pattern, or undefined when no route matched. */
  record(method: string, route: string | undefined): void {
    const s = this.stats;
    s.total += 1;
    if (READ_METHODS.has(method)) s.reads += 1;
    else s.writes += 1;
    s.byMethod[method] = (s.byMethod[method] ?? 0) + 1;
    const key = `${method} ${route ?? '(unmatched)'}`;
    s.byRoute[key] = (s.byRoute[key] ?? 0) + 1;
  }

  /** Records one injected fault, by its label. */
  fault(label: string): void {
    const faults = (this.stats.faults ??= {});
    faults[label] = (faults[label] ?? 0) + 1;
  }

  /** A copy, so that callers can keep a snapshot while requests go on. */
  snapshot(): SimStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.stats = emptyStats();
  }
}

function emptyStats(): SimStats {
  return { total: 0, reads: 0, writes: 0, byMethod: {}, byRoute: {} };
}

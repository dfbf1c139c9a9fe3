// Request counts, so that tests and benchmarks can assert how many reads and writes a run made, and when the
// requests arrived, so that a benchmark can time the part of a run spent talking to the node.

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
  /**
   * When the counted requests arrived. Not enumerable, so that the counts compare and serialize as they always
   * did: `GET /__sim/stats?timing=true` adds it to the answer.
   */
  readonly timing?: SimTiming;
}

/**
 * Arrival times of the counted requests since the last reset, on the simulator's monotonic clock
 * (`performance.now()`, milliseconds); `originMs` (`performance.timeOrigin`) turns them into Unix times. A request
 * arrives when its headers have been read, before the injected latency: its answer leaves that latency (and the
 * time to make it) later. The time an answer is sent is not recorded.
 */
export interface SimTiming {
  originMs: number;
  /** Null while no request was counted. */
  firstArrivalMs: number | null;
  lastArrivalMs: number | null;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class StatsRecorder {
  private stats: SimStats = emptyStats();
  private firstArrivalMs: number | null = null;
  private lastArrivalMs: number | null = null;

  /** Records one request; `route` is the matched pattern, or undefined when no route matched. */
  record(method: string, route: string | undefined): void {
    const arrived = performance.now();
    this.firstArrivalMs ??= arrived;
    this.lastArrivalMs = arrived;
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

  /** A copy, so that callers can keep a snapshot while requests go on; its `timing` is not enumerable. */
  snapshot(): SimStats {
    const copy = structuredClone(this.stats);
    const timing: SimTiming = { originMs: performance.timeOrigin, firstArrivalMs: this.firstArrivalMs, lastArrivalMs: this.lastArrivalMs };
    Object.defineProperty(copy, 'timing', { value: timing, enumerable: false });
    return copy;
  }

  reset(): void {
    this.stats = emptyStats();
    this.firstArrivalMs = null;
    this.lastArrivalMs = null;
  }
}

/** The counts with their timing as an ordinary property, to be sent as JSON. */
export function withTiming(stats: SimStats): Omit<SimStats, 'timing'> & { timing: SimTiming | null } {
  return { ...stats, timing: stats.timing ?? null };
}

function emptyStats(): SimStats {
  return { total: 0, reads: 0, writes: 0, byMethod: {}, byRoute: {} };
}

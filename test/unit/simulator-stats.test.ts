// The simulator's request counts keep when the counted requests arrived, beside the counts and not among them.

import { describe, expect, it } from 'vitest';
import { StatsRecorder, withTiming } from '../../src/simulator/stats.js';

describe('StatsRecorder timing', () => {
  it('has no arrival before the first request, and the first and the last one after', async () => {
    const stats = new StatsRecorder();
    expect(stats.snapshot().timing).toEqual({ originMs: performance.timeOrigin, firstArrivalMs: null, lastArrivalMs: null });
    const before = performance.now();
    stats.record('GET', '/projects');
    const between = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 15));
    stats.record('PUT', '/projects/:projectKey/metadata');
    stats.record('GET', undefined);
    const after = performance.now();
    const timing = stats.snapshot().timing;
    if (!timing || timing.firstArrivalMs === null || timing.lastArrivalMs === null) throw new Error('no arrival recorded');
    expect(timing.firstArrivalMs).toBeGreaterThanOrEqual(before);
    expect(timing.firstArrivalMs).toBeLessThanOrEqual(between);
    expect(timing.lastArrivalMs - timing.firstArrivalMs).toBeGreaterThanOrEqual(14);
    expect(timing.lastArrivalMs).toBeLessThanOrEqual(after);
  });

  it('keeps the counts comparable and serializable as they were: the timing is not enumerable', () => {
    const stats = new StatsRecorder();
    stats.record('GET', '/projects');
    const snapshot = stats.snapshot();
    expect(snapshot).toStrictEqual({ total: 1, reads: 1, writes: 0, byMethod: { GET: 1 }, byRoute: { 'GET /projects': 1 } });
    expect(Object.keys(JSON.parse(JSON.stringify(snapshot)) as object)).toEqual(['total', 'reads', 'writes', 'byMethod', 'byRoute']);
    const sent = JSON.parse(JSON.stringify(withTiming(snapshot))) as { timing: { firstArrivalMs: number; lastArrivalMs: number } };
    expect(sent.timing.firstArrivalMs).toBe(snapshot.timing?.firstArrivalMs);
    expect(sent.timing.lastArrivalMs).toBe(sent.timing.firstArrivalMs);
  });

  it('forgets the arrivals with the counts on reset, and a snapshot does not change with later requests', () => {
    const stats = new StatsRecorder();
    stats.record('GET', '/projects');
    const kept = stats.snapshot();
    const first = kept.timing?.firstArrivalMs;
    stats.reset();
    expect(stats.snapshot().timing?.firstArrivalMs).toBeNull();
    expect(stats.snapshot().total).toBe(0);
    stats.record('GET', '/projects');
    expect(stats.snapshot().timing?.firstArrivalMs).toBeGreaterThanOrEqual(first as number);
    expect(kept.timing?.firstArrivalMs).toBe(first);
    expect(kept.total).toBe(1);
  });

  it('sends a null timing for counts that have none', () => {
    expect(withTiming({ total: 0, reads: 0, writes: 0, byMethod: {}, byRoute: {} }).timing).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/watch/metrics.js';
import type { RunOutcome } from '../../src/watch/types.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line is a HELP, a TYPE, or a sample
 * `name{label="value",...} number`; every sample belongs to a declared family.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!sample) throw new Error(`not a valid exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const labelText = sample[2] ?? '';
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (let m = labelRe.exec(labelText); m; m = labelRe.exec(labelText)) {
      labels[m[1]!] = m[2]!;
      consumed = labelRe.lastIndex;
    }
    if (consumed !== labelText.length) throw new Error(`bad labels in: ${line}`);
    const value = Number(sample[3] === '+Inf' ? Infinity : sample[3]);
    if (Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
    const family = sample[1]!.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(sample[1]!) && !types.has(family)) throw new Error(`sample without a TYPE: ${line}`);
    samples.push({ name: sample[1]!, labels, value });
  }
  return { samples, types };
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ambiguous`);
  return found[0]?.value;
}

const driftRun: RunOutcome = {
  startedAt: '2026-03-01T10:00:00.000Z',
  durationSeconds: 3.5,
  commit: 'c0ffee',
  counts: {
    Project: { in_sync: 4, drifted: 1, pending: 2, unmanaged: 0, failed: 0 },
    Scenario: { in_sync: 7, drifted: 0, pending: 0, unmanaged: 3, failed: 1 },
  },
  drifted: [{ address: 'Project/CHURN#variables', kind: 'Project', node: 'design', fingerprint: 'f1' }],
  requests: [
    { node: 'design', method: 'GET', count: 30, errors: 2 },
    { node: 'design', method: 'PUT', count: 1, errors: 0 },
    { node: 'deployer', method: 'GET', count: 5, errors: 1 },
  ],
};

describe('createMetrics', () => {
  it('exposes valid Prometheus text whose numbers match the runs recorded', async () => {
    const metrics = createMetrics();
    metrics.recordRun(driftRun);
    metrics.recordRun({ ...driftRun, error: 'DSS unreachable', requests: [{ node: 'design', method: 'GET', count: 1, errors: 1 }], durationSeconds: 0.2 });
    metrics.recordSkippedTick();
    metrics.recordSkippedTick();

    const { contentType, body } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(body);

    expect(types.get('dss_gitops_runs_total')).toBe('counter');
    expect(types.get('dss_gitops_run_duration_seconds')).toBe('histogram');
    expect(types.get('dss_gitops_objects')).toBe('gauge');
    expect(valueOf(samples, 'dss_gitops_runs_total', { result: 'drift' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_runs_total', { result: 'error' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_runs_total', { result: 'in_sync' })).toBe(0);

    expect(valueOf(samples, 'dss_gitops_run_duration_seconds_count')).toBe(2);
    expect(valueOf(samples, 'dss_gitops_run_duration_seconds_sum')).toBeCloseTo(3.7);
    expect(valueOf(samples, 'dss_gitops_run_duration_seconds_bucket', { le: '0.5' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_run_duration_seconds_bucket', { le: '5' })).toBe(2);

    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Project', state: 'drifted' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Project', state: 'pending' })).toBe(2);
    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Scenario', state: 'unmanaged' })).toBe(3);
    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Scenario', state: 'failed' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Scenario', state: 'in_sync' })).toBe(7);

    expect(valueOf(samples, 'dss_gitops_last_success_timestamp_seconds')).toBe(Date.parse(driftRun.startedAt) / 1000 + 3.5);
    expect(valueOf(samples, 'dss_gitops_dss_requests_total', { node: 'design', method: 'GET' })).toBe(31);
    expect(valueOf(samples, 'dss_gitops_dss_requests_total', { node: 'design', method: 'PUT' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_dss_requests_total', { node: 'deployer', method: 'GET' })).toBe(5);
    expect(valueOf(samples, 'dss_gitops_dss_request_errors_total', { node: 'design' })).toBe(3);
    expect(valueOf(samples, 'dss_gitops_dss_request_errors_total', { node: 'deployer' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_overlapping_runs_skipped_total')).toBe(2);
  });

  it('replaces object counts on each successful run, dropping kinds no longer present', async () => {
    const metrics = createMetrics();
    metrics.recordRun(driftRun);
    metrics.recordRun({
      startedAt: '2026-03-01T11:00:00.000Z',
      durationSeconds: 1,
      counts: { Project: { in_sync: 7, drifted: 0, pending: 0, unmanaged: 0, failed: 0 } },
      drifted: [],
    });
    const { samples } = parseExposition((await metrics.render()).body);
    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Project', state: 'in_sync' })).toBe(7);
    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Project', state: 'drifted' })).toBe(0);
    expect(valueOf(samples, 'dss_gitops_objects', { kind: 'Scenario', state: 'in_sync' })).toBeUndefined();
    expect(valueOf(samples, 'dss_gitops_runs_total', { result: 'in_sync' })).toBe(1);
    expect(valueOf(samples, 'dss_gitops_last_success_timestamp_seconds')).toBe(Date.parse('2026-03-01T11:00:01.000Z') / 1000);
  });

  it('keeps registries apart: two controllers in one process do not share counters', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.recordSkippedTick();
    const { samples } = parseExposition((await b.render()).body);
    expect(valueOf(samples, 'dss_gitops_overlapping_runs_skipped_total')).toBe(0);
  });
});

// Prometheus metrics of the watch controller, on a registry of its own (not prom-client's global one) so that
// two controllers in one process, or tests, never share counters.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OBJECT_STATES, runResult } from './types.js';
import type { RunOutcome, RunResult } from './types.js';

const RESULTS: RunResult[] = ['in_sync', 'drift', 'error'];

export interface WatchMetrics {
  readonly registry: Registry;
  /** Updates every metric from one run. Object gauges keep the last successful run's values when a run fails. */
  recordRun(outcome: RunOutcome): void;
  recordSkippedTick(): void;
  /** The exposition text and its content type, for `/metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(): WatchMetrics {
  const registry = new Registry();
  const runs = new Counter({
    name: 'dss_gitops_runs_total',
    help: 'Drift runs, by result (in_sync, drift, error).',
    labelNames: ['result'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'dss_gitops_run_duration_seconds',
    help: 'Duration of drift runs.',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const objects = new Gauge({
    name: 'dss_gitops_objects',
    help: 'Objects by kind and state (in_sync, drifted, pending, unmanaged, failed) at the last successful run.',
    labelNames: ['kind', 'state'],
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'dss_gitops_last_success_timestamp_seconds',
    help: 'Unix time at which the last successful drift run finished.',
    registers: [registry],
  });
  const requests = new Counter({
    name: 'dss_gitops_dss_requests_total',
    help: 'Requests sent to DSS, by node and HTTP method.',
    labelNames: ['node', 'method'],
    registers: [registry],
  });
  const requestErrors = new Counter({
    name: 'dss_gitops_dss_request_errors_total',
    help: 'Requests to DSS that failed, by node.',
    labelNames: ['node'],
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'dss_gitops_overlapping_runs_skipped_total',
    help: 'Schedule ticks skipped because the previous run was still in progress.',
    registers: [registry],
  });
  // Every result present from the start, so that rate() and alerts see a zero rather than an absent series.
  for (const result of RESULTS) runs.inc({ result }, 0);

  return {
    registry,
    recordRun(outcome) {
      runs.inc({ result: runResult(outcome) });
      duration.observe(outcome.durationSeconds);
      for (const request of outcome.requests ?? []) {
        requests.inc({ node: request.node, method: request.method }, request.count);
        if (request.errors > 0) requestErrors.inc({ node: request.node }, request.errors);
      }
      if (outcome.error !== undefined) return;
      // Reset first: a kind that left the manifests must not keep reporting its old counts.
      objects.reset();
      for (const [kind, counts] of Object.entries(outcome.counts)) {
        for (const state of OBJECT_STATES) objects.set({ kind, state }, counts[state]);
      }
      const finished = Date.parse(outcome.startedAt) / 1000 + outcome.durationSeconds;
      lastSuccess.set(Number.isFinite(finished) ? finished : Date.now() / 1000);
    },
    recordSkippedTick() {
      skipped.inc();
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

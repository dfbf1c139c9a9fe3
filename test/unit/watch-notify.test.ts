import { describe, expect, it } from 'vitest';
import { buildMessage, createNotifier } from '../../src/watch/notify.js';
import type { WebhookMessage } from '../../src/watch/notify.js';
import type { DriftedObject, RunOutcome, WatchLogger } from '../../src/watch/types.js';

function drifted(address: string, fingerprint = 'fp1', extra: Partial<DriftedObject> = {}): DriftedObject {
  return { address, kind: address.split('/')[0]!, node: 'design', fingerprint, ...extra };
}

function run(objects: DriftedObject[], overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    startedAt: '2026-03-01T10:00:00.000Z',
    durationSeconds: 1,
    commit: '0123456789abcdef0123',
    counts: { Project: { in_sync: 3, drifted: objects.length, pending: 1, unmanaged: 0, failed: 0 } },
    drifted: objects,
    ...overrides,
  };
}

function recorder(failures = 0): { post: (url: string, m: WebhookMessage) => Promise<void>; sent: WebhookMessage[] } {
  const sent: WebhookMessage[] = [];
  let remainingFailures = failures;
  return {
    sent,
    post: async (_url, message) => {
      if (remainingFailures > 0) {
        remainingFailures -= 1;
        throw new Error('connect ECONNREFUSED');
      }
      sent.push(message);
    },
  };
}

describe('createNotifier', () => {
  it('posts once per change of the drift set, and once on return to in-sync', async () => {
    const hook = recorder();
    const notifier = createNotifier({ url: 'https://hooks.example.com/T000/secret-token', post: hook.post });
    const a = drifted('Project/CHURN#variables');
    const b = drifted('Scenario/CHURN/DAILY');

    expect(await notifier.handle(run([]))).toBe(false); // a clean start is silent
    expect(await notifier.handle(run([a]))).toBe(true);
    expect(await notifier.handle(run([a]))).toBe(false); // same drift, next run: nothing
    expect(await notifier.handle(run([a, b]))).toBe(true);
    expect(await notifier.handle(run([b, a]))).toBe(false); // order does not matter
    expect(await notifier.handle(run([a, drifted('Scenario/CHURN/DAILY', 'fp2')]))).toBe(true); // b changed again
    expect(await notifier.handle(run([], { error: 'DSS unreachable' }))).toBe(false); // a failed run proves nothing
    expect(await notifier.handle(run([]))).toBe(true);
    expect(await notifier.handle(run([]))).toBe(false);

    expect(hook.sent.map((m) => m.report.status)).toEqual(['drift', 'drift', 'drift', 'in_sync']);
    expect(hook.sent.map((m) => m.report.added)).toEqual([
      ['Project/CHURN#variables'],
      ['Scenario/CHURN/DAILY'],
      ['Scenario/CHURN/DAILY'],
      [],
    ]);
    expect(hook.sent[3]!.report.resolved).toEqual(['Project/CHURN#variables', 'Scenario/CHURN/DAILY']);
    expect(hook.sent[3]!.text).toBe(':white_check_mark: dss-gitops: DSS is back in sync with the manifests (commit 0123456789ab).');
  });

  it('logs a failed delivery without throwing, and delivers the same change after the next run', async () => {
    const hook = recorder(1);
    const warnings: Array<{ fields: object; message: string }> = [];
    const logger: WatchLogger = {
      info: () => undefined,
      error: () => undefined,
      warn: (fields, message) => warnings.push({ fields, message }),
    };
    const url = 'https://hooks.example.com/services/T000/B000/secret-token';
    const notifier = createNotifier({ url, post: hook.post, logger });
    const a = drifted('Project/CHURN');
    expect(await notifier.handle(run([a]))).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('secret-token');
    expect(warnings[0]!.fields).toMatchObject({ webhook: 'https://hooks.example.com', error: 'connect ECONNREFUSED' });
    expect(await notifier.handle(run([a]))).toBe(true);
    expect(hook.sent).toHaveLength(1);
  });
});

describe('buildMessage', () => {
  it('lists drifted objects with their fields and authors, and carries no fingerprints or values', () => {
    const message = buildMessage(
      run([
        drifted('Project/CHURN#variables', 'sha256:deadbeef', { fields: ['variables.standard.threshold'] }),
        drifted('Deployment/churn-prod', 'sha256:cafe', { fields: ['bundleId'], changedBy: 'alice', changedAt: '2026-02-28T09:00:00Z' }),
      ]),
      new Map([['Deployment/churn-prod', 'sha256:cafe']]),
    );
    expect(message.text).toBe(
      [
        ':warning: dss-gitops: 2 objects have drifted from the manifests (commit 0123456789ab).',
        '• `Deployment/churn-prod`: bundleId (changed by alice)',
        '• `Project/CHURN#variables`: variables.standard.threshold *new*',
      ].join('\n'),
    );
    expect(message.report).toMatchObject({
      status: 'drift',
      commit: '0123456789abcdef0123',
      totals: { in_sync: 3, drifted: 2, pending: 1, unmanaged: 0, failed: 0 },
      added: ['Project/CHURN#variables'],
      resolved: [],
    });
    expect(message.report.drifted[0]).toEqual({
      address: 'Deployment/churn-prod',
      kind: 'Deployment',
      node: 'design',
      fields: ['bundleId'],
      changedBy: 'alice',
      changedAt: '2026-02-28T09:00:00Z',
    });
    expect(JSON.stringify(message)).not.toContain('sha256:');
  });

  it('truncates the text list but keeps every object in the report', () => {
    const many = Array.from({ length: 25 }, (_, i) => drifted(`Scenario/P/S${String(i).padStart(2, '0')}`));
    const message = buildMessage(run(many), new Map(), 20);
    const lines = message.text.split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('… and 5 more');
    expect(message.report.drifted).toHaveLength(25);
  });

  it('reports what self-heal repaired, even when the drift set ends where it started', async () => {
    const hook = recorder();
    const notifier = createNotifier({ url: 'https://hooks.example.com/x', post: hook.post });
    expect(await notifier.handle(run([], { healed: ['Project/CHURN#variables'] }))).toBe(true);
    expect(hook.sent[0]?.text).toBe(
      ':wrench: dss-gitops: self-heal put 1 drifted object(s) back to the manifests (commit 0123456789ab).\n' +
        'Repaired by self-heal: `Project/CHURN#variables`',
    );
    expect(hook.sent[0]?.report).toMatchObject({ status: 'in_sync', healed: ['Project/CHURN#variables'], drifted: [] });
    expect(await notifier.handle(run([], { healed: [] }))).toBe(false);
  });
});

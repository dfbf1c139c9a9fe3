import { describe, expect, it } from 'vitest';
import { buildPlanFile, parsePlanFile, restoreDocuments, staleObjects } from '../../src/reconciler/plan-file.js';
import { planRun } from '../../src/reconciler/reconcile.js';
import { doc, FakeClient, setupFor } from './reconciler-fakes.js';

const SECRET = 'hunter2-very-secret';
const manifests = (secret = SECRET) => [
  doc('Project', 'CHURN', { description: 'churn', password: secret }, {}, ['/spec/password']),
  doc('Scenario', 'DAILY', { active: true }, { project: 'CHURN' }),
];
const ctx = {
  source: 's',
  manifests: { cwd: '/tmp', paths: ['m'] },
  options: { prune: false, allowEmpty: false, targets: [] },
  salt: 'salt-1',
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('plan files', () => {
  it('hold no secret value, and get them back from the manifests on apply', async () => {
    const client = new FakeClient();
    const setup = setupFor(client);
    const planned = await planRun(setup, manifests());
    const text = JSON.stringify(buildPlanFile(planned, manifests(), ctx));
    expect(text).not.toContain(SECRET);
    const file = parsePlanFile(text, 'plan.json');
    expect(file.report.summary).toEqual({ add: 2, change: 0, destroy: 0 });
    const restored = restoreDocuments(file, manifests());
    expect(restored[0]?.spec.password).toBe(SECRET);
    expect(() => restoreDocuments(file, manifests('rotated'))).toThrow(/Project\/CHURN \/spec\/password/);
    expect(() => restoreDocuments(file, [])).toThrow(/run plan again/);
  });

  it('names the objects that changed since the plan', async () => {
    const client = new FakeClient();
    const setup = setupFor(client);
    const planned = await planRun(setup, manifests());
    const file = buildPlanFile(planned, manifests(), ctx);
    expect(staleObjects(file, await planRun(setup, manifests()))).toEqual([]);
    client.store.set('/projects/CHURN/scenarios/DAILY', { active: false });
    expect(staleObjects(file, await planRun(setup, manifests()))).toEqual(['Scenario/CHURN/DAILY']);
  });

  it('refuses files that are not plans or of another major format', () => {
    expect(() => parsePlanFile('nope', 'x')).toThrow(/not JSON/);
    expect(() => parsePlanFile('{"kind":"dss-gitops-plan","documents":[],"fingerprints":{},"format_version":"9.0"}', 'x')).toThrow(
      /format 9.0/,
    );
  });
});

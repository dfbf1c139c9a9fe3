import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { buildPlanReport } from '../../src/diff/impact.js';
import { renderPlanJson, type JsonPlan } from '../../src/diff/render-json.js';
import { renderPlanMarkdown } from '../../src/diff/render-markdown.js';
import { formatPlanText, renderPlanText } from '../../src/diff/render-text.js';
import type { DiffPolicy, PlanReport, ResourceChange } from '../../src/diff/types.js';

const SECRET = 'hunter2-do-not-print';

const variablesPolicy: DiffPolicy = {
  exact: ['/standard', '/local'],
  sensitive: ['/local/apiToken'],
};

function resource(address: string, action: ResourceChange['action'], extra: Partial<ResourceChange> = {}): ResourceChange {
  return { address, kind: address.split('/')[0] ?? '', node: 'design', action, changes: [], ...extra };
}

/** A plan with a create, updates (one holding a secret and a keyed list), a delete, notes and a warning. */
function sampleReport(): PlanReport {
  const create = resource('Project/CHURN', 'create', {
    changes: diffManaged({ name: 'Churn prediction', tags: ['gold'] }, undefined, { sets: ['/tags'] }),
  });
  const variables = resource('Project/CHURN#variables', 'update', {
    changes: diffManaged(
      { standard: { threshold: 0.8, region: 'eu' }, local: { apiToken: SECRET } },
      { standard: { threshold: 0.7, legacy: true, region: 'eu' }, local: { apiToken: 'previous-token' } },
      variablesPolicy,
    ),
  });
  const scenario = resource('Scenario/CHURN/daily-refresh', 'update', {
    changes: diffManaged(
      {
        triggers: [{ id: 'daily', params: { frequency: 'Hourly' } }],
        permissions: [{ group: 'analysts', writeProjectContent: true }],
        params: { steps: [{ id: 'check' }, { id: 'build' }] },
      },
      {
        triggers: [{ id: 'daily', type: 'temporal', params: { frequency: 'Daily' } }],
        permissions: [{ group: 'analysts', writeProjectContent: false }],
        params: { steps: [{ id: 'build', type: 'build_flowitem' }, { id: 'check', type: 'check_dataset' }] },
      },
      {
        keyedLists: { '/triggers': ['id'], '/permissions': ['group', 'user'], '/params/steps': ['id'] },
        ordered: ['/params/steps'],
      },
    ),
  });
  const deployment = resource('Deployment/churn-prod', 'update', {
    node: 'deployer',
    changes: diffManaged({ bundleId: 'v12' }, { bundleId: 'v11' }, {}),
    notes: ['bundle v11 → v12 (rollout on infra prod)'],
  });
  const python = resource('Scenario/CHURN/score', 'update', {
    changes: diffManaged(
      { script: 'import dataiku\n\nclient = dataiku.api_client()\nthreshold = 0.8\nrun(threshold)\nreport()\nlog()\nend()' },
      { script: 'import dataiku\n\nclient = dataiku.api_client()\nthreshold = 0.7\nrun(threshold)\nreport()\nlog()\nend()\n' },
      {},
    ),
  });
  const removed = resource('Scenario/CHURN/old-export', 'delete', { reason: 'no longer in the manifests (owned, --prune)' });
  return buildPlanReport([scenario, removed, create, deployment, variables, python], ['--target limits this run to 5 objects'], '3f2a9c1');
}

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('renderPlanText', () => {
  it('renders the sample plan', async () => {
    const text = formatPlanText(sampleReport());
    await expect(text).toMatchFileSnapshot('./__snapshots__/render-plan.sample.txt');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Plan: 1 to add, 4 to change, 1 to destroy.');
    expect(text).toContain('  ~ standard.threshold: 0.7 → 0.8\n');
    expect(text).toContain('  ~ local.apiToken: (sensitive value)\n');
    expect(text).toContain('  # bundle v11 → v12 (rollout on infra prod)\n');
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('  ~ script: (2 lines removed, 1 line added)\n');
    expect(text).toContain('      - threshold = 0.7\n      + threshold = 0.8\n');
    expect(text).toContain('  ~ params.steps order: build, check → check, build\n');
  });

  it('writes to the stream it is given, colored only when asked', () => {
    const plain = capture();
    renderPlanText(sampleReport(), plain.out);
    expect(plain.text()).toBe(formatPlanText(sampleReport()));
    const colored = capture();
    renderPlanText(sampleReport(), colored.out, { color: true });
    expect(colored.text()).toContain('\u001b[32m+ create Project/CHURN\u001b[0m');
    expect(colored.text()).toMatch(/\nPlan: 1 to add, 4 to change, 1 to destroy\.\n$/);
  });

  it('ends with exactly the no-changes line when nothing changes', () => {
    expect(formatPlanText(buildPlanReport([]))).toBe('No changes. DSS matches the manifests.\n');
  });
});

describe('renderPlanJson', () => {
  it('is exactly one versioned JSON document with Terraform-like resource changes and masks', async () => {
    const text = renderPlanJson(sampleReport());
    await expect(text).toMatchFileSnapshot('./__snapshots__/render-plan.sample.json');
    const doc = JSON.parse(text) as JsonPlan;
    expect(Object.keys(doc)).toEqual(['format_version', 'commit', 'resource_changes', 'drift', 'summary', 'warnings']);
    expect(doc.format_version).toBe('1.0');
    expect(doc.summary).toEqual({ add: 1, change: 4, destroy: 1 });
    const vars = doc.resource_changes.find((r) => r.address === 'Project/CHURN#variables');
    expect(vars?.actions).toEqual(['update']);
    expect(vars?.change.before_sensitive).toEqual({ local: { apiToken: true } });
    expect(vars?.change.after).toEqual({ standard: { threshold: 0.8 }, local: { apiToken: '(sensitive value)' } });
    expect(vars?.change.before).toEqual({ standard: { threshold: 0.7, legacy: true }, local: { apiToken: '(sensitive value)' } });
    const created = doc.resource_changes.find((r) => r.address === 'Project/CHURN');
    expect(created?.change.before).toBeNull();
    expect(created?.change.after_sensitive).toBe(false);
    expect(doc.resource_changes.find((r) => r.address === 'Scenario/CHURN/old-export')?.change.after).toBeNull();
    const scenario = doc.resource_changes.find((r) => r.address === 'Scenario/CHURN/daily-refresh');
    expect(scenario?.field_changes.find((c) => c.reorder === true)).toEqual({
      path: 'params.steps',
      pointer: '/params/steps',
      kind: 'modify',
      before: ['build', 'check'],
      after: ['check', 'build'],
      sensitive: false,
      reorder: true,
    });
    expect(scenario?.change.after).not.toHaveProperty('params');
  });
});

describe('renderPlanMarkdown', () => {
  it('renders the sample plan as a pull-request comment', async () => {
    const md = renderPlanMarkdown(sampleReport());
    await expect(md).toMatchFileSnapshot('./__snapshots__/render-plan.sample.md');
    expect(md.match(/<details>/g)).toHaveLength(6);
    expect(md).toContain('**Plan: 1 to add, 4 to change, 1 to destroy.**');
    expect(md).toContain('\n~ params.steps order: build, check → check, build\n');
  });

  it('says there is nothing to do when nothing changes', () => {
    expect(renderPlanMarkdown(buildPlanReport([]))).toContain('**No changes. DSS matches the manifests.**');
  });

  it('truncates a long plan below the limit, keeping the summary and counting what it left out', async () => {
    const many = Array.from({ length: 600 }, (_, i) =>
      resource(`Project/P${String(i).padStart(3, '0')}#variables`, 'update', {
        changes: diffManaged(
          { standard: Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`key${k}`, `new value ${k} of ${i}`])) },
          { standard: {} },
          variablesPolicy,
        ),
      }),
    );
    const report = buildPlanReport(many);
    const md = renderPlanMarkdown(report);
    expect(md.length).toBeLessThan(60_000);
    expect(md).toContain('**Plan: 0 to add, 600 to change, 0 to destroy.**');
    const shown = md.match(/<details>/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    expect(md).toContain(`_${600 - shown} more resources not shown:`);
    expect(md.trimEnd().endsWith('for the full plan._')).toBe(true);

    const small = renderPlanMarkdown(report, { maxLength: 3_000 });
    expect(small.length).toBeLessThan(3_000);
    await expect(small).toMatchFileSnapshot('./__snapshots__/render-plan.truncated.md');
  });

  it('fences values that contain backticks with a longer fence', () => {
    const rc = resource('Scenario/P/s', 'update', { changes: diffManaged({ script: 'a ``` b' }, { script: '' }, {}) });
    const md = renderPlanMarkdown(buildPlanReport([rc]));
    expect(md).toContain('````diff\n~ script: "" → "a ``` b"\n````');
  });
});

describe('order changes', () => {
  it('print the item names, masked on a sensitive list and cut when very long', () => {
    const policy: DiffPolicy = { keyedLists: { '/steps': ['id'] }, ordered: ['/steps'] };
    const many = Array.from({ length: 60 }, (_, i) => ({ id: `step-number-${i}` }));
    const long = resource('Scenario/P/long', 'update', { changes: diffManaged({ steps: [...many].reverse() }, { steps: many }, policy) });
    const secret = resource('Scenario/P/secret', 'update', {
      changes: diffManaged({ steps: [{ id: 'b' }, { id: 'a' }] }, { steps: [{ id: 'a' }, { id: 'b' }] }, { ...policy, sensitive: ['/steps'] }),
    });
    const text = formatPlanText(buildPlanReport([long, secret]));
    expect(text).toContain('  ~ steps order: (sensitive value)\n');
    const line = text.split('\n').find((l) => l.startsWith('  ~ steps order: step-number-0, step-number-1,')) ?? '';
    expect(line).toContain('… → step-number-59, step-number-58,');
    expect(line.length).toBeLessThan(450);
  });
});

describe('secrets in every output', () => {
  it('never prints a secret value, in any format', () => {
    const report = sampleReport();
    for (const output of [formatPlanText(report), renderPlanJson(report), renderPlanMarkdown(report)]) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain('previous-token');
      expect(output).toContain('(sensitive value)');
    }
  });
});

describe('an item added or removed whole', () => {
  const policy: DiffPolicy = { keyedLists: { '/triggers': ['id'] }, exact: ['/triggers'] };
  const trigger = { id: 'morning', type: 'temporal', params: { daysOfWeek: ['Monday', 'Friday'], hour: 6 } };

  it('is shown one leaf a line, without repeating the key that names it, in text and markdown', () => {
    const changes = diffManaged({ triggers: [trigger] }, { triggers: [{ id: 'old', type: 'manual' }] }, policy);
    const report = buildPlanReport([{ address: 'Scenario/P/S', kind: 'Scenario', node: 'design', action: 'update', changes }]);
    const text = formatPlanText(report);
    expect(text).toContain('  + triggers[id=morning].type: "temporal"\n');
    expect(text).toContain('  + triggers[id=morning].params.daysOfWeek: ["Monday","Friday"]\n');
    expect(text).toContain('  + triggers[id=morning].params.hour: 6\n');
    expect(text).toContain('  - triggers[id=old].type: "manual"\n');
    expect(text).not.toContain('triggers[id=morning].id');
    expect(renderPlanMarkdown(report)).toContain('+ triggers[id=morning].params.hour: 6');
  });

  it('stays on one cut line when it has more leaves than a reviewer can read', () => {
    const wide = { id: 'wide', params: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i])) };
    const changes = diffManaged({ triggers: [wide] }, { triggers: [] }, policy);
    const report = buildPlanReport([{ address: 'Scenario/P/S', kind: 'Scenario', node: 'design', action: 'update', changes }]);
    expect(formatPlanText(report)).toMatch(/\+ triggers\[id=wide\]: \{"id":"wide".*chars\)\n/);
  });
});

describe('a permission grant added or removed whole', () => {
  const policy: DiffPolicy = { keyedLists: { '/permissions': ['group', 'user'] }, exact: ['/permissions'] };
  const flags = { admin: false, readProjectContent: true, writeProjectContent: false, readDashboards: true, runScenarios: false };

  it('is one line naming the flags it grants, in text and markdown; a changed flag keeps its own line', () => {
    const changes = diffManaged(
      { permissions: [{ group: 'analysts', ...flags }, { user: 'ops', ...flags, readProjectContent: false, readDashboards: false }, { group: 'kept', admin: true }] },
      { permissions: [{ group: 'leavers', ...flags, admin: true }, { group: 'kept', admin: false }] },
      policy,
    );
    const report = buildPlanReport([{ address: 'Project/P#permissions', kind: 'Project', node: 'design', action: 'update', changes }]);
    const text = formatPlanText(report);
    expect(text).toContain('  + permissions[group=analysts]: readProjectContent, readDashboards\n');
    expect(text).toContain('  + permissions[user=ops]: (no permission)\n');
    expect(text).toContain('  - permissions[group=leavers]: admin, readProjectContent, readDashboards\n');
    expect(text).toContain('  ~ permissions[group=kept].admin: false → true\n');
    expect(text).not.toContain('permissions[group=analysts].');
    expect(renderPlanMarkdown(report)).toContain('+ permissions[group=analysts]: readProjectContent, readDashboards\n');
  });
});

// `export` round trip, in-process against the simulator: a design node populated through the API with varied
// objects → export → validate → plan reports no changes → apply on a fresh node → export again, byte for byte.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_GRANT_FLAGS, normalizeGrants } from '../../src/resources/grants.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const DB_PASSWORD = 'pa55-w0rd-from-dss';
const API_TOKEN = 'tok-123-never-written';
const HOOK_TOKEN = 'hook-tok-9f8e7d6c';
const HOOK_URL = `https://hooks.example.com/dss/notify?channel=ops&token=${HOOK_TOKEN}`;
const SMTP_PASSWORD = 'smtp-pa55-never-written';
const STEP_TOKEN = 'step-tok-0a1b2c3d';
const SLACK_URL = 'https://hooks.slack.com/services/T0001/B0002/slackSecretPath';
/** Every value of the NOTIFY scenario that must appear in no exported file. */
const SCENARIO_SECRETS = [HOOK_TOKEN, SMTP_PASSWORD, STEP_TOKEN, 'slackSecretPath'];

let sim: TestSimulator;
let fresh: TestSimulator | undefined;
let dir: string;

async function cli(node: TestSimulator, argv: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: node.url, DSS_API_KEY: node.adminKey, ...extraEnv },
    cwd: dir,
  });
}

const SECRETS = {
  CHURN_DB_PASSWORD: DB_PASSWORD,
  CHURN_API_TOKEN: API_TOKEN,
  CHURN_NOTIFY_CALL_API_TOKEN: STEP_TOKEN,
  CHURN_NOTIFY_HOOK_URL: HOOK_URL,
  CHURN_NOTIFY_MAIL_SMTP_PASSWORD: SMTP_PASSWORD,
  CHURN_NOTIFY_SLACK_WEBHOOK_URL: SLACK_URL,
};

/** Every file under `root`, by relative path, with its content. */
function tree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

async function folder(node: TestSimulator, parentId: string, name: string): Promise<string> {
  return (await node.ok<{ id: string }>('POST', `/project-folders/${parentId}/children?name=${encodeURIComponent(name)}`)).id;
}

/** A design node with what teams have: folders, projects, secrets, grants, scenarios with DSS's defaults. */
async function populate(node: TestSimulator): Promise<void> {
  const analytics = await folder(node, 'ROOT', 'Analytics');
  const churnFolder = await folder(node, analytics, 'Churn');
  await folder(node, 'ROOT', 'Unrelated');
  const settings = await node.ok<Record<string, unknown>>('GET', `/project-folders/${analytics}/settings`);
  await node.ok('PUT', `/project-folders/${analytics}/settings`, {
    ...settings,
    owner: 'lead',
    permissions: [{ group: 'analysts', read: true, writeContents: false, admin: false }],
  });

  await node.ok('POST', `/projects/?projectFolderId=${churnFolder}`, { projectKey: 'CHURN', name: 'Customer churn', owner: 'alice' });
  await node.ok('POST', '/projects/', { projectKey: 'FIN', name: 'Finance', owner: 'bob' });
  await node.ok('POST', '/projects/', { projectKey: 'OTHER', name: 'Not exported', owner: 'bob' });

  const metadata = await node.ok<Record<string, unknown>>('GET', '/projects/CHURN/metadata');
  await node.ok('PUT', '/projects/CHURN/metadata', {
    ...metadata,
    shortDesc: 'Nightly churn scores',
    description: 'Scores every customer.\nPublishes to the warehouse.\n',
    tags: ['ml', 'churn'],
    custom: { kv: { team: 'data-science', costCenter: '4210', 'dss-gitops': { source: 'git:old', inventory: {} } } },
  });
  await node.ok('PUT', '/projects/CHURN/variables/', {
    standard: {
      threshold: 0.7,
      dbPassword: DB_PASSWORD,
      apiToken: API_TOKEN,
      template: 'SELECT * FROM ${projectKey}_scores WHERE home = "${env:HOME}"',
      keyboardLayout: 'fr',
    },
    local: { sampleRows: 1000 },
  });
  const permissions = await node.ok<Record<string, unknown>>('GET', '/projects/CHURN/permissions');
  await node.ok('PUT', '/projects/CHURN/permissions', {
    ...permissions,
    permissions: [
      { group: 'data_scientists', readProjectContent: true, writeProjectContent: true, runScenarios: true },
      { user: 'carol', readProjectContent: true, readDashboards: true },
    ],
  });

  await node.ok('POST', '/projects/CHURN/scenarios/', {
    id: 'DAILY',
    name: 'Daily refresh',
    type: 'step_based',
    active: true,
    params: {
      steps: [
        { id: 'build', type: 'build_flowitem', params: { builds: [{ type: 'DATASET', itemId: 'scores' }], undocumentedStepParam: { keep: [1, 2] } } },
        { type: 'exec_sql', name: 'Vacuum', runConditionType: 'RUN_ALWAYS', params: { sql: 'VACUUM' } },
      ],
      undocumentedParam: 'kept',
    },
    triggers: [
      { id: 'nightly', type: 'temporal', params: { frequency: 'Daily', hour: 3 } },
      { id: 'on_change', type: 'ds_modified', delay: 30, active: false, undocumentedTrigger: true, params: { datasets: ['raw'] } },
    ],
    reporters: [{ id: 'mail', messaging: { type: 'mail-scenario', configuration: { recipients: 'team@example.com' } }, phase: 'END', active: true }],
  });
  await node.ok('POST', '/projects/CHURN/scenarios/', { id: 'EXPORT_SCORES', name: 'Export scores', type: 'custom_python' });
  await node.ok('PUT', '/projects/CHURN/scenarios/EXPORT_SCORES/payload', { script: 'import dataiku\n\nprint("${not interpolated}")\n' });
  await node.ok('POST', '/projects/FIN/scenarios/', { id: 'CLOSE', name: 'Month-end close', type: 'step_based' });
  // Secrets where DSS keeps them in a scenario: a step param, a webhook URL's query, an SMTP password, a Slack URL.
  await node.ok('POST', '/projects/CHURN/scenarios/', {
    id: 'NOTIFY',
    name: 'Notify',
    type: 'step_based',
    params: { steps: [{ id: 'call', type: 'python', params: { apiToken: STEP_TOKEN, endpoint: 'https://api.example.com/run?page=1' } }] },
    reporters: [
      { id: 'hook', messaging: { type: 'webhook-scenario', configuration: { url: HOOK_URL, method: 'POST' } }, phase: 'END' },
      {
        id: 'mail',
        messaging: { type: 'mail-scenario', configuration: { recipients: 'ops@example.com', smtpHost: 'smtp.example.com', smtpPassword: SMTP_PASSWORD } },
        phase: 'END',
      },
      { id: 'slack', messaging: { type: 'slack-scenario', configuration: { webhookUrl: SLACK_URL, message: 'done' } }, phase: 'END' },
    ],
  });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-export-'));
  await populate(sim);
});

afterEach(async () => {
  await sim.close();
  await fresh?.close();
  fresh = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('export', () => {
  it('round-trips: export, validate, no-change plan, apply on a fresh node, identical re-export', async () => {
    const exported = await cli(sim, ['export', '--project', 'CHURN', '--project', 'FIN', '--out', 'first']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('Exported 2 ProjectFolder, 2 Project, 4 Scenario to first');
    expect(exported.stdout).toContain('CHURN_API_TOKEN');
    expect(exported.stdout).toContain('CHURN_DB_PASSWORD');

    const first = tree(path.join(dir, 'first'));
    expect([...first.keys()]).toEqual([
      'CHURN/project.yaml',
      'CHURN/scenarios/DAILY.yaml',
      'CHURN/scenarios/EXPORT_SCORES.py',
      'CHURN/scenarios/EXPORT_SCORES.yaml',
      'CHURN/scenarios/NOTIFY.yaml',
      'FIN/project.yaml',
      'FIN/scenarios/CLOSE.yaml',
      'SECRETS.md',
      'dss-gitops.yaml',
      'folders/Analytics/Churn.yaml',
      'folders/Analytics.yaml',
      'schemas/config.schema.json',
      'schemas/project-folder.schema.json',
      'schemas/project.schema.json',
      'schemas/scenario.schema.json',
    ]);
    // Outside a repository with schemas, the export carries the schemas its files name, so editors find them.
    for (const [file, content] of first) {
      const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(content)?.[1];
      if (schema !== undefined) expect(first.has(path.posix.join(path.posix.dirname(file), schema)), `${file}: ${schema}`).toBe(true);
    }
    expect(first.get('schemas/project.schema.json')).toBe(readFileSync(path.resolve(import.meta.dirname, '../../schemas/project.schema.json'), 'utf8'));
    const everything = [...first.values()].join('\n') + exported.stdout;
    expect(everything).not.toContain(DB_PASSWORD);
    expect(everything).not.toContain(API_TOKEN);
    expect(everything).not.toContain(sim.adminKey);
    for (const [file, content] of first) {
      for (const value of SCENARIO_SECRETS) expect(content, `${value} in ${file}`).not.toContain(value);
    }
    for (const value of SCENARIO_SECRETS) expect(exported.stdout).not.toContain(value);
    for (const name of Object.keys(SECRETS)) {
      expect(exported.stdout).toContain(name);
      expect(first.get('SECRETS.md')).toContain(`\`${name}\``);
    }
    for (const server of ['versionTag', 'creationTag', 'lastModifiedOn', 'dss-gitops:', 'RUN_IF_STATUS_MATCH', 'graceDelaySettings']) {
      expect(everything).not.toContain(server);
    }

    const project = first.get('CHURN/project.yaml') ?? '';
    expect(project.startsWith('# yaml-language-server: $schema=../schemas/project.schema.json\n')).toBe(true);
    expect(parse(project)).toEqual({
      apiVersion: 'dss-gitops/v1',
      kind: 'Project',
      metadata: { name: 'CHURN' },
      spec: {
        name: 'Customer churn',
        folder: 'Analytics/Churn',
        owner: 'alice',
        shortDesc: 'Nightly churn scores',
        description: 'Scores every customer.\nPublishes to the warehouse.\n',
        tags: ['churn', 'ml'],
        custom: { costCenter: '4210', team: 'data-science' },
        variables: {
          standard: {
            apiToken: '${secret:CHURN_API_TOKEN}',
            dbPassword: '${secret:CHURN_DB_PASSWORD}',
            keyboardLayout: 'fr',
            template: 'SELECT * FROM $${projectKey}_scores WHERE home = "$${env:HOME}"',
            threshold: 0.7,
          },
          local: { sampleRows: 1000 },
        },
        permissions: [
          { group: 'data_scientists', readProjectContent: true, runScenarios: true, writeProjectContent: true },
          { user: 'carol', readDashboards: true, readProjectContent: true },
        ],
      },
    });
    expect(parse(first.get('CHURN/scenarios/DAILY.yaml') ?? '')).toEqual({
      apiVersion: 'dss-gitops/v1',
      kind: 'Scenario',
      metadata: { name: 'DAILY', project: 'CHURN' },
      spec: {
        name: 'Daily refresh',
        type: 'step_based',
        active: true,
        params: {
          undocumentedParam: 'kept',
          steps: [
            { id: 'build', type: 'build_flowitem', params: { builds: [{ type: 'DATASET', itemId: 'scores' }], undocumentedStepParam: { keep: [1, 2] } } },
            { id: 'exec_sql_1', type: 'exec_sql', name: 'Vacuum', runConditionType: 'RUN_ALWAYS', params: { sql: 'VACUUM' } },
          ],
        },
        triggers: [
          { id: 'nightly', type: 'temporal', params: { frequency: 'Daily', hour: 3 } },
          { id: 'on_change', type: 'ds_modified', delay: 30, active: false, undocumentedTrigger: true, params: { datasets: ['raw'] } },
        ],
        reporters: [{ id: 'mail', messaging: { type: 'mail-scenario', configuration: { recipients: 'team@example.com' } }, phase: 'END', active: true }],
      },
    });
    expect(parse(first.get('CHURN/scenarios/EXPORT_SCORES.yaml') ?? '').spec).toEqual({
      name: 'Export scores',
      type: 'custom_python',
      params: { envSelection: { envMode: 'INHERIT' } },
      scriptFile: 'EXPORT_SCORES.py',
    });
    expect(parse(first.get('CHURN/scenarios/NOTIFY.yaml') ?? '').spec).toEqual({
      name: 'Notify',
      type: 'step_based',
      params: { steps: [{ id: 'call', type: 'python', params: { apiToken: '${secret:CHURN_NOTIFY_CALL_API_TOKEN}', endpoint: 'https://api.example.com/run?page=1' } }] },
      reporters: [
        { id: 'hook', messaging: { type: 'webhook-scenario', configuration: { url: '${secret:CHURN_NOTIFY_HOOK_URL}', method: 'POST' } }, phase: 'END' },
        {
          id: 'mail',
          messaging: {
            type: 'mail-scenario',
            configuration: { recipients: 'ops@example.com', smtpHost: 'smtp.example.com', smtpPassword: '${secret:CHURN_NOTIFY_MAIL_SMTP_PASSWORD}' },
          },
          phase: 'END',
        },
        { id: 'slack', messaging: { type: 'slack-scenario', configuration: { webhookUrl: '${secret:CHURN_NOTIFY_SLACK_WEBHOOK_URL}', message: 'done' } }, phase: 'END' },
      ],
    });
    expect(first.get('SECRETS.md')).toContain('`Scenario/CHURN/NOTIFY spec.reporters[hook].messaging.configuration.url`');
    expect(first.get('CHURN/scenarios/EXPORT_SCORES.py')).toBe('import dataiku\n\nprint("${not interpolated}")\n');
    expect(parse(first.get('FIN/scenarios/CLOSE.yaml') ?? '').spec).toEqual({ name: 'Month-end close', type: 'step_based' });
    expect(parse(first.get('folders/Analytics.yaml') ?? '').spec).toEqual({ owner: 'lead', permissions: [{ group: 'analysts', read: true }] });
    expect(parse(first.get('dss-gitops.yaml') ?? '')).toEqual({ nodes: { design: { url: '${env:DSS_URL}' } }, prune: false });
    expect(first.get('SECRETS.md')).toContain('`CHURN_DB_PASSWORD`');

    const validated = await cli(sim, ['validate', '-f', 'first'], SECRETS);
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('8 documents valid.');

    sim.reset({ stats: true, state: false });
    const planned = await cli(sim, ['plan', '-f', 'first', '--detailed-exitcode'], SECRETS);
    expect(planned.stdout).toContain('No changes.');
    expect(planned.code).toBe(0);
    expect(sim.stats().writes).toBe(0);

    fresh = await startTestSimulator();
    const applied = await cli(fresh, ['apply', '-f', 'first', '--auto-approve'], SECRETS);
    expect(applied.code).toBe(0);
    const vars = await fresh.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
    expect(vars.standard.dbPassword).toBe(DB_PASSWORD);
    expect(vars.standard.template).toBe('SELECT * FROM ${projectKey}_scores WHERE home = "${env:HOME}"');
    // What the fresh node holds is what the first one held, the markers of the server aside.
    const settingsOf = async (node: TestSimulator, id: string): Promise<Record<string, unknown>> => {
      const { versionTag: _v, creationTag: _c, ...rest } = await node.ok<Record<string, unknown>>('GET', `/projects/CHURN/scenarios/${id}`);
      return rest;
    };
    for (const id of ['DAILY', 'EXPORT_SCORES', 'NOTIFY']) expect(await settingsOf(fresh, id)).toEqual(await settingsOf(sim, id));
    expect(await fresh.ok('GET', '/projects/CHURN/scenarios/EXPORT_SCORES/payload')).toEqual(
      await sim.ok('GET', '/projects/CHURN/scenarios/EXPORT_SCORES/payload'),
    );
    // The Project kind writes every flag of a grant, false ones included: compare the grants expanded.
    const grantsOf = async (node: TestSimulator): Promise<unknown> =>
      normalizeGrants((await node.ok<{ permissions: unknown }>('GET', '/projects/CHURN/permissions')).permissions, PROJECT_GRANT_FLAGS);
    expect(await grantsOf(fresh)).toEqual(await grantsOf(sim));

    const again = await cli(fresh, ['export', '--project', 'CHURN', '--project', 'FIN', '--out', 'second']);
    expect(again.code).toBe(0);
    expect(tree(path.join(dir, 'second'))).toEqual(first);
  });

  it('exports by kind, every project with --all-projects, folders only where exported projects are', async () => {
    const result = await cli(sim, ['export', '--all-projects', '--layout', 'by-kind', '--out', 'all']);
    expect(result.code).toBe(0);
    const files = tree(path.join(dir, 'all'));
    expect([...files.keys()].filter((f) => f.endsWith('.yaml'))).toEqual([
      'dss-gitops.yaml',
      'folders/Analytics/Churn.yaml',
      'folders/Analytics.yaml',
      'projects/CHURN.yaml',
      'projects/FIN.yaml',
      'projects/OTHER.yaml',
      'scenarios/CHURN/DAILY.yaml',
      'scenarios/CHURN/EXPORT_SCORES.yaml',
      'scenarios/CHURN/NOTIFY.yaml',
      'scenarios/FIN/CLOSE.yaml',
    ]);
    expect(files.get('scenarios/CHURN/EXPORT_SCORES.py')).toContain('import dataiku');
    const validated = await cli(sim, ['validate', '-f', 'all'], SECRETS);
    expect(validated.code).toBe(0);
  });

  it("points schema lines at the repository's schemas when the output is inside a repository that has them", async () => {
    execFileSync('git', ['init', '-q', dir]);
    mkdirSync(path.join(dir, 'schemas'));
    writeFileSync(path.join(dir, 'schemas', 'project.schema.json'), '{}');
    expect((await cli(sim, ['export', '--project', 'CHURN', '--out', 'manifests/live'])).code).toBe(0);
    const files = tree(path.join(dir, 'manifests', 'live'));
    expect(files.get('CHURN/project.yaml')?.split('\n')[0]).toBe('# yaml-language-server: $schema=../../../schemas/project.schema.json');
    expect(files.get('folders/Analytics/Churn.yaml')?.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../../../../schemas/project-folder.schema.json',
    );
    expect(files.get('dss-gitops.yaml')?.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schemas/config.schema.json');
  });

  it('reads every object once, and refuses an unknown project or a non-empty output directory', async () => {
    sim.reset({ stats: true, state: false });
    expect((await cli(sim, ['export', '--project', 'CHURN', '--out', 'once'])).code).toBe(0);
    const stats = sim.stats();
    expect(stats.writes).toBe(0);
    // The project list (1), the folder tree (root, Analytics, Churn, Unrelated: 4), two folder settings (2),
    // metadata, variables and permissions (3), the scenario list (1), three scenario settings and one payload (4).
    expect(stats.reads).toBe(15);

    const unknown = await cli(sim, ['export', '--project', 'NOPE', '--out', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no project NOPE');

    const notEmpty = await cli(sim, ['export', '--project', 'CHURN', '--out', 'once']);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toContain('once is not empty');

    const neither = await cli(sim, ['export', '--out', 'x']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('--all-projects');
  });
});

// Plugins through the CLI against the simulator: plan, apply, a second plan with nothing to do and no write, drift
// made in DSS reported and healed, secrets of presets never printed nor in plan files, and a plugin archive that a
// manifest leads astray (a path out, a symbolic link out, a FIFO, too large, not a zip, another plugin's) refused
// at its line by validate, and by plan before any request.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN_ZIP_SIZE_LIMIT } from '../../src/resources/plugin/source.js';
import { pluginZip } from '../fixtures/plugins/archives.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const SECRET = 'sheets-oauth-secret-5521';
let sim: TestSimulator;
let dir: string;
beforeAll(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-cli-plugin-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(file: string, text: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const cli = (argv: string[]): Promise<CliResult> =>
  runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, SHEETS_SECRET: SECRET }, cwd: dir });

const SHEETS = `apiVersion: dss-gitops/v1
kind: Plugin
metadata:
  name: googlesheets
spec:
  source:
    store:
      version: 1.3.0
  presets:
    - name: team
      type: googlesheets_oauth-credentials
      config:
        clientId: team-client
        clientSecret: \${secret:SHEETS_SECRET}
  codeEnv:
    pythonInterpreter: PYTHON310
`;

function expectNoSecret(result: CliResult): void {
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stderr).not.toContain(SECRET);
}

describe('Plugin through the CLI', () => {
  it('plans, applies, then plans nothing and writes nothing; a change in DSS is drift, healed by apply; the secret never shows', async () => {
    write(path.join(dir, 'store/plugins.yaml'), SHEETS);
    const plan = await cli(['plan', '-f', 'store', '--out', 'store.plan']);
    expectNoSecret(plan);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ create Plugin/googlesheets\n');
    expect(plan.stdout).toContain('+ create Plugin/googlesheets#settings\n');
    expect(plan.stdout).toContain('+ create Plugin/googlesheets#code-env\n');
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(readFileSync(path.join(dir, 'store.plan'), 'utf8')).not.toContain(SECRET);

    const apply = await cli(['apply', '-f', 'store', '--auto-approve']);
    expectNoSecret(apply);
    expect(apply.code).toBe(0);
    const settings = await sim.ok<{ presets: { config: Record<string, unknown> }[]; codeEnvName: string }>('GET', '/plugins/googlesheets/settings');
    expect(settings.presets[0]?.config).toEqual({ clientId: 'team-client', clientSecret: SECRET });
    expect(settings.codeEnvName).toBe('plugin_googlesheets_managed');

    sim.reset({ stats: true, state: false });
    const again = await cli(['apply', '-f', 'store', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 added, 0 changed, 0 destroyed');
    expect(sim.stats().writes, JSON.stringify(sim.stats().byRoute) + again.stdout + again.stderr).toBe(0);

    const live = await sim.ok<Record<string, unknown> & { presets: Record<string, unknown>[] }>('GET', '/plugins/googlesheets/settings');
    await sim.ok('POST', '/plugins/googlesheets/settings', { ...live, presets: [{ ...live.presets[0], config: { clientId: 'other', clientSecret: SECRET } }] });
    const drift = await cli(['drift', '-f', 'store']);
    expectNoSecret(drift);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('presets[name=team].config.clientId');
    const heal = await cli(['apply', '-f', 'store', '--auto-approve']);
    expect(heal.code).toBe(0);
    expect(heal.stdout).toContain('0 added, 1 changed, 0 destroyed');
    expect((await cli(['plan', '-f', 'store', '--detailed-exitcode'])).code).toBe(0);
  });

  it('applies a version update as an update from the store, old → new', async () => {
    await sim.ok('POST', '/plugins/actions/installFromZip', undefined, { rawBody: pluginZip('timeseries-preparation', '2.0.1'), headers: { 'content-type': 'application/octet-stream' } });
    write(path.join(dir, 'ts/plugin.yaml'), 'apiVersion: dss-gitops/v1\nkind: Plugin\nmetadata:\n  name: timeseries-preparation\nspec:\n  source:\n    store:\n      version: 2.0.4\n');
    const plan = await cli(['plan', '-f', 'ts']);
    expect(plan.stdout).toContain('~ update Plugin/timeseries-preparation\n');
    expect(plan.stdout).toContain('~ version: "2.0.1" → "2.0.4"');
    expect(plan.stdout).toContain('update from the store: 2.0.1 → 2.0.4');
    expect((await cli(['apply', '-f', 'ts', '--auto-approve'])).code).toBe(0);
    expect(await sim.ok('GET', '/plugins/')).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'timeseries-preparation', version: '2.0.4' })]));
  });
});

describe('export --platform of plugins', () => {
  it('exports the plugins with their presets, secrets as references; the export validates and plans no change', async () => {
    const out = await cli(['export', '--platform', '--out', 'exported']);
    expectNoSecret(out);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('GOOGLESHEETS_TEAM_CONFIG_CLIENT_SECRET');
    const sheets = readFileSync(path.join(dir, 'exported/plugins/googlesheets.yaml'), 'utf8');
    expect(sheets).not.toContain(SECRET);
    expect(sheets).toContain('clientSecret: ${secret:GOOGLESHEETS_TEAM_CONFIG_CLIENT_SECRET}');
    expect(sheets).toContain('source:\n    store:\n      version: 1.3.0\n');
    expect(sheets).toContain('codeEnv:\n    pythonInterpreter: PYTHON310\n');
    const env = { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, GOOGLESHEETS_TEAM_CONFIG_CLIENT_SECRET: SECRET };
    expect(await runCliCaptured(['validate', '-f', 'exported'], { env, cwd: dir })).toMatchObject({ code: 0 });
    sim.reset({ stats: true, state: false });
    const plan = await runCliCaptured(['plan', '-f', 'exported', '--detailed-exitcode'], { env, cwd: dir });
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
    expect(sim.stats().writes).toBe(0);
  });
});

describe('a plugin archive the manifest leads astray', () => {
  const doc = (file: string) => `apiVersion: dss-gitops/v1\nkind: Plugin\nmetadata:\n  name: alpha\nspec:\n  source:\n    zip:\n      file: ${file}\n`;
  const cases: [string, (tree: string) => string, string][] = [
    ['a path outside the tree', () => '../outside.zip', 'is outside the manifests tree; it must name a file inside it'],
    [
      'a symbolic link out of the tree',
      (tree) => {
        symlinkSync(path.join(tree, '..', 'outside.zip'), path.join(tree, 'link.zip'));
        return 'link.zip';
      },
      'leads outside the manifests tree through a symbolic link; it must name a file inside it',
    ],
    [
      'a FIFO',
      (tree) => {
        execFileSync('mkfifo', [path.join(tree, 'pipe.zip')]);
        return 'pipe.zip';
      },
      'is a FIFO, not a regular file',
    ],
    [
      'a file that is not a zip',
      (tree) => {
        write(path.join(tree, 'text.zip'), 'hello');
        return 'text.zip';
      },
      'is not a zip archive',
    ],
    ['an absolute path', () => '/etc/passwd', 'is an absolute path; it must be relative to the manifest, inside the manifests tree'],
    [
      'a file larger than the limit',
      (tree) => {
        // Sparse: its size says more than the limit, and nothing of it is read.
        const big = path.join(tree, 'big.zip');
        write(big, '');
        truncateSync(big, PLUGIN_ZIP_SIZE_LIMIT + 1);
        return 'big.zip';
      },
      'is larger than 64 MiB, the limit',
    ],
    [
      'a zip of another plugin',
      (tree) => {
        write(path.join(tree, 'beta.zip'), pluginZip('beta', '1.0.0'));
        return 'beta.zip';
      },
      'holds plugin beta, not alpha',
    ],
  ];

  it.each(cases)('%s: validate and plan fail at the line of `file`, before any request', async (_name, build, reason) => {
    const run = mkdtempSync(path.join(dir, 'astray-'));
    const tree = path.join(run, 'tree');
    mkdirSync(tree);
    write(path.join(run, 'outside.zip'), pluginZip('alpha', '1.0.0'));
    const file = build(tree);
    write(path.join(tree, 'plugin.yaml'), doc(file));
    sim.reset({ stats: true, state: false });
    const env = { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey };
    const problem = `tree/plugin.yaml:8:13: cannot read the plugin archive ${file} (it ${reason})`;
    const validate = await runCliCaptured(['validate', '-f', 'tree'], { env, cwd: run });
    expect(validate.code).toBe(1);
    expect(validate.stderr).toBe(`${problem}\n1 error: the manifests are not valid.\n`);
    const plan = await runCliCaptured(['plan', '-f', 'tree'], { env, cwd: run });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toBe('');
    expect(plan.stderr).toContain(problem);
    // Refused while the manifests are loaded: not even the connection check the plan makes before reading.
    expect(sim.stats().total).toBe(0);
  });
});

describe('validate', () => {
  it('reports a Plugin with two sources, one without its version and a misspelt field at their lines', async () => {
    const fixtures = path.resolve(__dirname, '../fixtures/plugins/invalid');
    const result = await runCliCaptured(['validate', '-f', fixtures], { env: {}, cwd: fixtures });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatchSnapshot();
  });
});

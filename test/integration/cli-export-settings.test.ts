// `export --platform` of the node-wide settings, round trip: exported from one node, applied to a fresh one, and
// exported again from it byte for byte; the secrets only as references, their values given in the environment.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

let source: TestSimulator;
let target: TestSimulator;
let dir: string;

const SECRETS = { INSTANCE_WAREHOUSE_PASSWORD: 'wh-pass-never-printed', GENERAL_SETTINGS_LDAP_SETTINGS_BIND_PASSWORD: 'bind-never-printed' };

function cli(sim: TestSimulator, argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, ...env }, cwd: dir });
}

function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(root, path.join(entry.parentPath, entry.name))] = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

beforeAll(async () => {
  source = await startTestSimulator();
  target = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-export-settings-'));
  await source.ok('PUT', '/admin/variables/', { env: 'prod', warehousePassword: SECRETS.INSTANCE_WAREHOUSE_PASSWORD, limits: { jobs: [1, 2] } });
  const settings = await source.ok<Record<string, Record<string, unknown>>>('GET', '/admin/general-settings');
  await source.ok('PUT', '/admin/general-settings', {
    ...settings,
    ldapSettings: { ...settings.ldapSettings, enabled: true, url: 'ldap://ldap.example.com', bindPassword: SECRETS.GENERAL_SETTINGS_LDAP_SETTINGS_BIND_PASSWORD },
    impersonation: { ...settings.impersonation, enabled: true, groupRules: [{ type: 'SINGLE_MAPPING', dssGroup: 'analysts', targetUnix: 'analyst' }] },
    maxRunningActivities: 12,
  });
});

afterAll(async () => {
  await source.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

it('exports the settings, applies them to a fresh node, and exports the same files from it', async () => {
  const first = path.join(dir, 'first');
  const exported = await cli(source, ['export', '--platform', '--out', first]);
  expect(exported.code).toBe(0);
  for (const value of Object.values(SECRETS)) expect(`${exported.stdout}${exported.stderr}`).not.toContain(value);
  const written = files(first);
  expect(Object.keys(written).filter((f) => f.startsWith('platform/')).sort()).toEqual(['platform/general-settings.yaml', 'platform/instance-variables.yaml']);
  for (const value of Object.values(SECRETS)) expect(JSON.stringify(written)).not.toContain(value);
  for (const name of Object.keys(SECRETS)) expect(JSON.stringify(written)).toContain(`\${secret:${name}}`);

  expect((await cli(source, ['plan', '-f', first, '--detailed-exitcode'], SECRETS)).code).toBe(0);
  const applied = await cli(target, ['apply', '-f', first, '--auto-approve'], SECRETS);
  expect(applied.code).toBe(0);
  for (const value of Object.values(SECRETS)) expect(`${applied.stdout}${applied.stderr}`).not.toContain(value);
  const vars = await target.ok<Record<string, unknown>>('GET', '/admin/variables/');
  expect(vars.warehousePassword).toBe(SECRETS.INSTANCE_WAREHOUSE_PASSWORD);

  const second = path.join(dir, 'second');
  expect((await cli(target, ['export', '--platform', '--out', second])).code).toBe(0);
  expect(files(second)).toEqual(written);
});

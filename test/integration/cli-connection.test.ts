// Connections through the CLI against the simulator: apply, a second plan with nothing to do, a credential
// rotated in the environment planned as a pending change, drift seen and healed, export --platform → validate →
// plan empty, a literal credential refused before anything is written; no credential ever printed or written to a plan file.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonDriftReport } from '../../src/cli/drift-output.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/conns/platform');
const SECRETS = { WAREHOUSE_PASSWORD: 'pg-Secret-4711', S3_ACCESS_KEY: 'AKIAEXAMPLE77', S3_SECRET_KEY: 'aws-Secret-9931' };
const ROTATED = 'pg-Rotated-0815';

type Json = Record<string, unknown>;
let sim: TestSimulator;
let dir: string;

async function cli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, ...SECRETS, ...env }, cwd: dir });
  for (const secret of [...Object.values(SECRETS), ROTATED]) {
    expect(result.stdout, argv.join(' ')).not.toContain(secret);
    expect(result.stderr, argv.join(' ')).not.toContain(secret);
  }
  return result;
}

const storedPassword = async () => ((await sim.ok<Json>('GET', '/connections/warehouse/info')).resolvedBasicCredential as Json).password;

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-conns-'));
  cpSync(FIXTURE, path.join(dir, 'm'), { recursive: true });
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Connection through the CLI', () => {
  it('creates both connections, then plans nothing and applies with zero writes, saying what it cannot see', async () => {
    const applied = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await storedPassword()).toBe(SECRETS.WAREHOUSE_PASSWORD);
    expect((await sim.ok<Json>('GET', '/connections/s3-landing/info')).resolvedAWSCredential).toEqual({ accessKey: SECRETS.S3_ACCESS_KEY, secretKey: SECRETS.S3_SECRET_KEY });
    const again = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toContain('Connection/warehouse: params.password is write-only (DSS returns it encrypted)');
    expect(`${again.stdout}${again.stderr}`).toContain('a change made to it in DSS cannot be seen');
    sim.reset({ stats: true, state: false });
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    expect(sim.stats().writes).toBe(0);
  });

  it('plans a password rotated in the environment as a masked change, keeps it out of every output and plan file, and applies it', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const rotated = { WAREHOUSE_PASSWORD: ROTATED };
    const text = await cli(['plan', '-f', 'm', '--detailed-exitcode'], rotated);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('params.password');
    expect(text.stdout).toContain('(sensitive value)');
    expect(`${text.stdout}${text.stderr}`).toContain('rotated in the manifests or the environment): pending');
    for (const output of ['json', 'markdown']) expect((await cli(['plan', '-f', 'm', '--output', output], rotated)).code).toBe(0);
    // drift tells it as the manifests' doing, not DSS's: pending, never drift (which self-heal would act on).
    const drift = await cli(['drift', '-f', 'm', '--output', 'json'], rotated);
    const report = JSON.parse(drift.stdout) as JsonDriftReport;
    expect(report.drift).toEqual([]);
    expect(report.pending).toEqual([
      expect.objectContaining({ address: 'Connection/warehouse', class: 'pending', reason: expect.stringContaining('write-only secret') }),
    ]);
    const planFile = path.join(dir, 'rotation.plan');
    expect((await cli(['plan', '-f', 'm', '--out', planFile], rotated)).code).toBe(0);
    const saved = readFileSync(planFile, 'utf8');
    for (const secret of [...Object.values(SECRETS), ROTATED]) expect(saved).not.toContain(secret);
    expect((await cli(['apply', planFile], rotated)).code).toBe(0);
    expect(await storedPassword()).toBe(ROTATED);
    expect((await cli(['plan', '-f', 'm', '--detailed-exitcode'], rotated)).code).toBe(0);
  });

  it('cannot see a password changed in DSS, and puts the declared one back with --replace', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const live = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    await sim.ok('PUT', '/admin/connections/warehouse', { ...live, params: { ...(live.params as Json), password: 'set-in-DSS-by-hand' } });
    const unseen = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
    expect(unseen.code).toBe(0);
    expect(`${unseen.stdout}${unseen.stderr}`).toContain('a change made to it in DSS cannot be seen');
    const replaced = await cli(['apply', '-f', 'm', '--auto-approve', '--replace', 'Connection/warehouse']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(await storedPassword()).toBe(SECRETS.WAREHOUSE_PASSWORD);
    sim.reset({ stats: true, state: false });
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    expect(sim.stats().writes).toBe(0);
  });

  it('reports a change made in DSS as drift, and apply heals it', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const live = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    await sim.ok('PUT', '/admin/connections/warehouse', { ...live, maxActivities: 1, params: { ...(live.params as Json), host: 'rogue.internal' } });
    const drift = await cli(['drift', '-f', 'm']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('Connection/warehouse');
    expect(drift.stdout).toContain('params.host');
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    expect(await sim.ok<Json>('GET', '/admin/connections/warehouse')).toMatchObject({ maxActivities: 8, params: { host: 'db.internal' } });
    expect(await storedPassword()).toBe(SECRETS.WAREHOUSE_PASSWORD);
    expect((await cli(['drift', '-f', 'm'])).code).toBe(0);
  });

  it('exports the platform with references for credentials; validate and plan of the export find nothing to do', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const exported = await cli(['export', '--platform', '--out', 'exported']);
    expect(exported.code, exported.stderr).toBe(0);
    const files = readdirSync(path.join(dir, 'exported'), { recursive: true }).map(String).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toContain(path.join('connections', 'warehouse.yaml'));
    const warehouse = readFileSync(path.join(dir, 'exported', 'connections', 'warehouse.yaml'), 'utf8');
    expect(warehouse).toContain('password: ${secret:CONNECTION_WAREHOUSE_PASSWORD}');
    expect(warehouse).not.toContain('e:AES:');
    const env = {
      CONNECTION_WAREHOUSE_PASSWORD: SECRETS.WAREHOUSE_PASSWORD,
      CONNECTION_S3_LANDING_ACCESS_KEY: SECRETS.S3_ACCESS_KEY,
      CONNECTION_S3_LANDING_SECRET_KEY: SECRETS.S3_SECRET_KEY,
    };
    expect((await cli(['validate', '-f', 'exported'], env)).code).toBe(0);
    const planned = await cli(['plan', '-f', 'exported', '--detailed-exitcode'], env);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
  });

  it('refuses a change of type at plan time with a clear error, and writes nothing', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const file = path.join(dir, 'm', 'connections.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('type: PostgreSQL', 'type: Greenplum'));
    sim.reset({ stats: true, state: false });
    const refused = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Connection/warehouse: the type of a connection cannot change (PostgreSQL → Greenplum)');
    expect(sim.stats().writes).toBe(0);
  });

  it('refuses a literal credential with its file:line:col before any write, never quoting it', async () => {
    const file = path.join(dir, 'm', 'connections.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('${secret:WAREHOUSE_PASSWORD}', SECRETS.WAREHOUSE_PASSWORD));
    sim.reset({ stats: true, state: false });
    const refused = await cli(['plan', '-f', 'm']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/connections\.yaml:12:15: spec\.params\.password of Connection\/warehouse is a literal credential/);
    expect(sim.stats().writes).toBe(0);
  });
});

// A secret the run knows never shows in a plan or drift report, even where the renderers cut a long value at 200
// characters or split a multi-line value into diff lines; and a secret applied earlier stays masked on the live
// side once the manifests stop naming it (the ownership record remembers where it was written).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const PEM = '-----BEGIN KEY-----\nAAAAlineONEzq9material\nBBBBlineTWOzq9material\n-----END KEY-----';
const LONG = 'VerySecretValue42';
const MYSEC = 'Zq7MyHiddenValue99';
const LONG_PREFIX = 'a'.repeat(192);

let sim: TestSimulator;
let dir: string;

function cli(argv: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  return runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, PEM, LONG, MYSEC, ...extra }, cwd: dir });
}

/** The project manifest with `fields` under spec (YAML lines, two spaces in). */
function writeProject(fields: string[]): void {
  const lines = ['apiVersion: dss-gitops/v1', 'kind: Project', 'metadata:', '  name: SECR', 'spec:', '  name: Render test', '  owner: admin'];
  writeFileSync(path.join(dir, 'm', 'projects', 'project.yaml'), `${[...lines, ...fields.map((f) => `  ${f}`)].join('\n')}\n`);
}

/** Every stretch of 6 characters of every line of each secret: a cut or split value shows at least one. */
function pieces(): string[] {
  const out = new Set<string>();
  for (const secret of [PEM, LONG, MYSEC]) {
    for (const line of secret.split('\n')) for (let i = 0; i + 6 <= line.length; i++) out.add(line.slice(i, i + 6));
  }
  return [...out];
}

function expectNoPiece(text: string, what: string): void {
  for (const piece of pieces()) expect(text, `${what} shows ${JSON.stringify(piece)}`).not.toContain(piece);
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-render-'));
  mkdirSync(path.join(dir, 'm', 'projects'), { recursive: true });
  writeFileSync(path.join(dir, 'm', 'dss-gitops.yaml'), 'source: render-tree\n');
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const FORMATS = ['text', 'markdown', 'json'] as const;

/** Sets a field of the project's metadata in DSS by hand, as someone in the UI would. */
async function editInDss(field: string, value: string): Promise<void> {
  const metadata = await sim.ok<Record<string, unknown>>('GET', '/projects/SECR/metadata');
  await sim.ok('PUT', '/projects/SECR/metadata', { ...metadata, [field]: value });
}

describe('a secret of the run in a value the renderers split or cut', () => {
  // The secret reaches DSS by hand, not by an apply: the ownership record does not know it, the run's registry does.
  it('a multi-line secret in DSS shows as [redacted] in plans and drift, never line by line', async () => {
    writeProject(['description: |', '  other text', '  second line', 'variables:', '  standard:', '    note: "${secret:PEM}"']);
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    await editInDss('description', PEM);
    for (const output of FORMATS) {
      const plan = await cli(['plan', '-f', 'm', '--output', output]);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain('description');
      expect(plan.stdout).toContain('other text');
      expectNoPiece(plan.stdout + plan.stderr, `plan --output ${output}`);
      const drift = await cli(['drift', '-f', 'm', '--output', output]);
      expect(drift.code, drift.stderr).toBe(2);
      expect(drift.stdout).toContain('description');
      expectNoPiece(drift.stdout + drift.stderr, `drift --output ${output}`);
    }
    const text = await cli(['plan', '-f', 'm']);
    expect(text.stdout).toContain('      - [redacted]\n');
    expect(text.stdout).toContain('      + other text\n');
    const apply = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expectNoPiece(apply.stdout + apply.stderr, 'apply');
  });

  it('a live value of 192 characters and a secret is cut after redaction, not before', async () => {
    writeProject(['shortDesc: plain', 'variables:', '  standard:', '    note: "${secret:LONG}"']);
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    await editInDss('shortDesc', `${LONG_PREFIX}${LONG}`);
    for (const output of FORMATS) {
      for (const command of ['plan', 'drift']) {
        const result = await cli([command, '-f', 'm', '--output', output]);
        expect(result.stdout).toContain('shortDesc');
        expectNoPiece(result.stdout + result.stderr, `${command} --output ${output}`);
      }
    }
    const text = await cli(['plan', '-f', 'm']);
    expect(text.stdout).toContain(`~ shortDesc: "${LONG_PREFIX}[redact… (204 chars) → "plain"`);
  });
});

describe('a secret applied earlier into a field with an ordinary name', () => {
  it('stays masked on the live side once no manifest names it, in plans and drift, and the record holds no value', async () => {
    writeProject(['shortDesc: "${secret:MYSEC}"']);
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    writeProject(['shortDesc: plain']);
    for (const output of FORMATS) {
      for (const command of ['plan', 'drift']) {
        // MYSEC is not in this run's environment: only the record can tell where it was written.
        const result = await runCliCaptured([command, '-f', 'm', '--output', output], {
          env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey },
          cwd: dir,
        });
        expect(result.stdout, `${command} ${output}`).toContain('shortDesc');
        expect(result.stdout, `${command} ${output}`).toContain('plain');
        expectNoPiece(result.stdout + result.stderr, `${command} --output ${output}`);
      }
    }
    const text = await runCliCaptured(['plan', '-f', 'm'], { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, cwd: dir });
    expect(text.stdout).toContain('~ shortDesc: (sensitive value) → "plain"');
    const json = JSON.parse(
      (await runCliCaptured(['plan', '-f', 'm', '--output', 'json'], { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, cwd: dir })).stdout,
    ) as { resource_changes: Array<{ change: { before_sensitive: unknown; after_sensitive: unknown } }> };
    expect(json.resource_changes[0]?.change.before_sensitive).toEqual({ shortDesc: true });
    expect(json.resource_changes[0]?.change.after_sensitive).toBe(false);
    const metadata = await sim.ok<{ custom: { kv: Record<string, { inventory: Record<string, unknown> }> } }>('GET', '/projects/SECR/metadata');
    const entry = metadata.custom.kv['dss-gitops']?.inventory['Project/SECR#metadata'];
    expect(entry).toMatchObject({ sensitive: ['/shortDesc'] });
    expect(JSON.stringify(metadata.custom.kv)).not.toContain(MYSEC);
    // Applied as plain text, the field holds no secret any more: the record forgets it, and the plan shows values.
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const after = await sim.ok<{ custom: { kv: Record<string, { inventory: Record<string, unknown> }> } }>('GET', '/projects/SECR/metadata');
    expect(after.custom.kv['dss-gitops']?.inventory['Project/SECR#metadata']).not.toHaveProperty('sensitive');
    writeProject(['shortDesc: plainer']);
    expect((await cli(['plan', '-f', 'm'])).stdout).toContain('~ shortDesc: "plain" → "plainer"');
  });
});

describe('the --sim state file', () => {
  it('seals a ${secret:..} value written under an ordinary name, and reads it back', async () => {
    writeProject(['shortDesc: "${secret:MYSEC}"', 'description: "${secret:PEM}"']);
    const apply = await cli(['apply', '-f', 'm', '--auto-approve', '--sim']);
    expect(apply.code, apply.stderr).toBe(0);
    const state = readFileSync(path.join(dir, '.dss-gitops', 'sim-state.json'), 'utf8');
    expectNoPiece(state, 'the state file');
    expect(state).toContain('dss-gitops-sealed:v1:');
    const again = await cli(['plan', '-f', 'm', '--sim']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });
});

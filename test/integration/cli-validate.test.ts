// `dss-gitops validate` in-process: exit codes, output, flags, and that no secret is ever printed.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENV = {
  FIXTURE_DSS_URL: 'https://dss.example.com',
  FIXTURE_DSS_API_KEY: 'design-key-123',
  FIXTURE_CHURN_TOKEN: 'churn-token-456',
  FIXTURE_PROD_ADMIN_KEY: 'prod-admin-789',
};

async function run(argv: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  return runCliCaptured(argv, { env: options.env ?? ENV, cwd: options.cwd ?? ROOT });
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-validate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const PROJECT = 'apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: CHURN\n';

describe('dss-gitops validate', () => {
  it('exits 0 and counts the documents of a valid tree', async () => {
    const result = await run(['validate', '-f', 'test/fixtures/valid/full', '--var', 'environment=prod']);
    expect(result).toEqual({ code: 0, stdout: '10 documents valid.\n', stderr: '' });
  });

  it('reads the current directory when no -f is given', async () => {
    const dir = tree({ 'p.yaml': PROJECT });
    expect(await run(['validate'], { cwd: dir, env: {} })).toEqual({ code: 0, stdout: '1 document valid.\n', stderr: '' });
  });

  it('takes variables from --var-file, and --var wins over it', async () => {
    const dir = tree({ 'p.yaml': `${PROJECT}spec:\n  name: \${var:title}\n  owner: \${var:owner}\n`, 'vars.env': 'title=Churn\nowner=ops\n' });
    expect((await run(['validate', '-f', dir, '--var-file', path.join(dir, 'vars.env')], { env: {} })).code).toBe(0);
    const missing = await run(['validate', '-f', dir, '--var', 'title=Churn'], { cwd: dir, env: {} });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('p.yaml:7:10: unresolved `${var:owner}`');
  });

  it('uses --config instead of the tree root file', async () => {
    const dir = tree({ 'p.yaml': PROJECT, 'dss-gitops.yaml': 'prnue: true\n', 'other.yaml.cfg': 'prune: true\n' });
    expect((await run(['validate', '-f', dir], { env: {} })).code).toBe(1);
    expect(await run(['validate', '-f', dir, '--config', path.join(dir, 'other.yaml.cfg')], { env: {} })).toMatchObject({ code: 0 });
  });

  it('reports every problem at once, sorted by file, line and column, with relative paths', async () => {
    const dir = tree({
      'b.yaml': `${PROJECT}spec:\n  tags: x\n  owner: 3\n`,
      'a.yaml': 'apiVersion: dss-gitops/v1\nkind: Scenario\nmetadata:\n  name: S\n  project: SALES\nspec:\n  type: step_based\n  activ: true\n',
    });
    const result = await run(['validate', '-f', '.'], { cwd: dir, env: {} });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        'a.yaml:5:3: project `SALES` is not declared (no `Project/SALES`)',
        '  hint: declare it in the manifests, or list it under `external` in dss-gitops.yaml if it exists already',
        'a.yaml:8:3: unknown field `activ` in spec',
        '  hint: did you mean `active`?',
        'b.yaml:6:9: `spec.tags` must be a list, not a string',
        'b.yaml:7:10: `spec.owner` must be a string, not an integer',
        '4 errors: the manifests are not valid.',
        '',
      ].join('\n'),
    );
  });

  it('prints warnings but stays valid, and never prints a secret', async () => {
    const dir = tree({
      'infra.yaml':
        'apiVersion: dss-gitops/v1\nkind: Infra\nmetadata:\n  name: prod\nspec:\n  stage: Production\n  adminApiKey: literal-admin-key\n',
      'p.yaml': `${PROJECT}spec:\n  variables:\n    local:\n      token: \${secret:TOKEN}\n  owner: ["\${secret:TOKEN}"]\n  tags: ["\${secret:TOKEN}", "\${secret:TOKEN}"]\n`,
      's.yaml': 'apiVersion: dss-gitops/v1\nkind: Scenario\nmetadata:\n  name: ${secret:TOKEN}\n  project: CHURN\nspec:\n  type: step_based\n',
    });
    const ok = await run(['validate', '-f', 'infra.yaml'], { cwd: dir, env: {} });
    expect(ok).toEqual({
      code: 0,
      stdout: '1 document valid.\n',
      stderr:
        'infra.yaml:7:16: warning: `spec.adminApiKey` is a literal key in the manifest; keep API keys out of Git\n' +
        '  hint: use `${secret:NAME}` and export NAME in the environment\n',
    });
    const bad = await run(['validate', '-f', '.'], { cwd: dir, env: { TOKEN: 'very secret/token' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('p.yaml:9:10: `spec.owner` must be a string, not a list');
    expect(bad.stderr).toContain('p.yaml:10:29: `spec.tags` lists (sensitive value) twice');
    expect(bad.stderr).toContain('s.yaml:4:9: `metadata.name` must be an id: letters, digits, `_`, `.` and `-`, not starting with `.` or `-`, not (sensitive value)');
    expect(bad.stderr + bad.stdout).not.toContain('very secret/token');
    expect(bad.stderr + bad.stdout).not.toContain('literal-admin-key');
  });

  it('needs no secret value offline, and names the unset ones with --require-secrets', async () => {
    const dir = tree({
      'dss-gitops.yaml': 'nodes:\n  design:\n    url: https://dss.example.com\n    apiKey: ${secret:DSS_API_KEY}\n',
      'p.yaml': `${PROJECT}spec:\n  variables:\n    local:\n      token: \${secret:TOKEN}\n`,
    });
    expect(await run(['validate', '-f', '.'], { cwd: dir, env: {} })).toEqual({ code: 0, stdout: '1 document valid.\n', stderr: '' });
    const strict = await run(['validate', '-f', '.', '--require-secrets'], { cwd: dir, env: { DSS_API_KEY: 'k' } });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('p.yaml:8:14: unresolved `${secret:TOKEN}`: the environment variable TOKEN is not set');
    expect(strict.stderr).not.toContain('DSS_API_KEY');
    // Plan talks to DSS: there, a missing secret is still an error before any request.
    const plan = await run(['plan', '-f', '.'], { cwd: dir, env: { DSS_API_KEY: 'k' } });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('unresolved `${secret:TOKEN}`');
  });

  it('refuses a --var that is not NAME=VALUE', async () => {
    const result = await run(['validate', '-f', 'test/fixtures/valid/full', '--var', 'environment']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: option '--var <name=value>' argument 'environment' is invalid. expected NAME=VALUE.");
  });

  it('accepts no API key on the command line', async () => {
    const result = await run(['validate', '--api-key', 'abc']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown option '--api-key'");
  });
});

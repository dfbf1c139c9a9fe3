// A pull request controls the manifests and dss-gitops.yaml, not the environment of the run: `${env:..}` cannot
// read a variable named like a secret, every such variable's value is scrubbed from every output whatever reads it,
// and DSS_GITOPS_ENV_ALLOW limits `${env:..}` with a list the pull request cannot edit.

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { editFile } from '../helpers/watch.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const PROJECT = 'projects/CHURN/project.yaml';
const PASSWORD_LINE = 'warehousePassword: ${secret:WAREHOUSE_PASSWORD}';
const PASSWORD = 'Sup3rS3cretPW';

let dir: string;

async function cli(argv: string[], env: Record<string, string>): Promise<CliResult> {
  return runCliCaptured(argv, { env, cwd: dir });
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-env-secrets-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('${env:..} of a variable named like a secret', () => {
  it('is refused at its place when no ${secret:..} of the run reads it, and its value shows nowhere', async () => {
    editFile(path.join(dir, 'm', PROJECT), PASSWORD_LINE, 'warehouseNote: ${env:WAREHOUSE_PASSWORD}');
    for (const argv of [['validate', '-f', 'm'], ['plan', '-f', 'm', '--sim', '--output', 'markdown']]) {
      const result = await cli(argv, { WAREHOUSE_PASSWORD: PASSWORD });
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr).toContain(
        `m/${PROJECT}:23:22: \`\${env:WAREHOUSE_PASSWORD}\` is refused: WAREHOUSE_PASSWORD looks like the name of a secret, and an \`\${env:..}\` value here is shown in clear`,
      );
      expect(result.stderr).toContain('use `${secret:WAREHOUSE_PASSWORD}`, which is masked in every output');
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    }
  });

  it.each(['SLACK_TOKEN', 'X_API_KEY', 'dbPassword'])('is refused for %s too', async (name) => {
    editFile(path.join(dir, 'm', PROJECT), PASSWORD_LINE, `warehouseNote: \${env:${name}}`);
    const result = await cli(['validate', '-f', 'm'], { [name]: 'value-1234' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`\`\${env:${name}}\` is refused: ${name} looks like the name of a secret`);
  });
});

describe('the environment\'s secret-looking variables', () => {
  it('are scrubbed from the output whatever shows their value, from the start of the run', async () => {
    const token = 'xoxb-1234-abcd';
    // The token pasted in a manifest: nothing reads it as a secret, yet the runner holds it as SLACK_TOKEN.
    editFile(path.join(dir, 'm', PROJECT), 'shortDesc: Nightly churn scores for the retention team', `shortDesc: "notify ${token}"`);
    for (const output of ['text', 'json', 'markdown']) {
      const result = await cli(['plan', '-f', 'm', '--sim', '--output', output], { WAREHOUSE_PASSWORD: PASSWORD, SLACK_TOKEN: token, USE_KEY: '1' });
      expect(result.code, output).toBe(0);
      expect(result.stdout).toContain('notify [redacted]');
      expect(result.stdout + result.stderr).not.toContain(token);
      if (output === 'json') expect(JSON.parse(result.stdout)).toHaveProperty('resource_changes');
    }
  });

  it('do not hide a value shorter than the minimum length', async () => {
    const result = await cli(['plan', '-f', 'm', '--sim', '--output', 'json'], { WAREHOUSE_PASSWORD: PASSWORD, TAG_KEY: 'ml' });
    expect(result.code).toBe(0);
    // The project's tag `ml`, a JSON string the scrubber would hide as a whole value.
    expect(result.stdout).toContain('"ml"');
    expect(result.stdout).not.toContain('[redacted]');
  });
});

describe('DSS_GITOPS_ENV_ALLOW', () => {
  it('limits ${env:..} in manifests whatever interpolation.envAllow of the file lists', async () => {
    writeFileSync(path.join(dir, 'm', 'dss-gitops.yaml'), 'interpolation:\n  envAllow: [CHURN_*, OWNER]\n');
    editFile(path.join(dir, 'm', PROJECT), 'owner: admin', 'owner: ${env:OWNER}');
    editFile(path.join(dir, 'm', PROJECT), 'shortDesc: Nightly churn scores for the retention team', 'shortDesc: ${env:CHURN_NOTE}');
    const env = { WAREHOUSE_PASSWORD: PASSWORD, CHURN_NOTE: 'n', OWNER: 'admin' };
    expect((await cli(['validate', '-f', 'm'], env)).code).toBe(0);
    const refused = await cli(['validate', '-f', 'm'], { ...env, DSS_GITOPS_ENV_ALLOW: 'CHURN_*, TEAM_URL' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`m/${PROJECT}:9:10: \`\${env:OWNER}\` is refused: OWNER is not listed in DSS_GITOPS_ENV_ALLOW`);
    expect(refused.stderr).not.toContain('CHURN_NOTE');
  });
});

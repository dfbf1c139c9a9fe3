// `validate --output json`: one JSON document on stdout, shaped like `terraform validate -json`.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-validate-json-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const PROJECT = 'apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: CHURN\n';

describe('validate --output json', () => {
  it('a valid tree: valid, no diagnostics, exit 0', async () => {
    const dir = tree({ 'p.yaml': PROJECT });
    const result = await runCliCaptured(['validate', '--output', 'json'], { cwd: dir, env: {} });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ format_version: '1.0', valid: true, error_count: 0, warning_count: 0, diagnostics: [] });
  });

  it('every problem as a diagnostic with file, line and column, warnings included, exit 1; nothing on stderr', async () => {
    const dir = tree({
      'b.yaml': `${PROJECT}spec:\n  tags: x\n`,
      'a.yaml': 'apiVersion: dss-gitops/v1\nkind: Scenario\nmetadata:\n  name: S\n  project: CHURN\nspec:\n  type: step_based\n  activ: true\n',
      'infra.yaml': 'apiVersion: dss-gitops/v1\nkind: Infra\nmetadata:\n  name: prod\nspec:\n  stage: Production\n  adminApiKey: literal-admin-key\n',
    });
    const result = await runCliCaptured(['validate', '--output', 'json'], { cwd: dir, env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('literal-admin-key');
    expect(JSON.parse(result.stdout)).toEqual({
      format_version: '1.0',
      valid: false,
      error_count: 2,
      warning_count: 1,
      diagnostics: [
        { severity: 'error', summary: 'unknown field `activ` in spec', detail: 'did you mean `active`?', file: 'a.yaml', line: 8, column: 3 },
        { severity: 'error', summary: '`spec.tags` must be a list, not a string', file: 'b.yaml', line: 6, column: 9 },
        {
          severity: 'warning',
          summary: '`spec.adminApiKey` is a literal key in the manifest; keep API keys out of Git',
          detail: 'use `${secret:NAME}` and export NAME in the environment',
          file: 'infra.yaml',
          line: 7,
          column: 16,
        },
      ],
    });
  });

  it('refuses an unknown output format', async () => {
    const result = await runCliCaptured(['validate', '--output', 'yaml'], { cwd: tree({ 'p.yaml': PROJECT }), env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("argument 'yaml' is invalid");
  });
});

// `dss-gitops graph`: the manifests' dependency graph as DOT, offline and byte-stable.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE_ENV = {
  FIXTURE_DSS_URL: 'https://dss.example.com',
  FIXTURE_DSS_API_KEY: 'design-key-123',
  FIXTURE_CHURN_TOKEN: 'churn-token-456',
  FIXTURE_PROD_ADMIN_KEY: 'prod-admin-789',
};

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-graph-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const doc = (kind: string, name: string, extra = ''): string => `apiVersion: dss-gitops/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}`;

describe('dss-gitops graph', () => {
  it('prints nodes and dependsOn edges, sorted, whatever the file order', async () => {
    const dir = tree({
      'z.yaml': doc('Scenario', 'B', '  project: P\nspec:\n  type: step_based\n'),
      'a.yaml': `${doc('Scenario', 'A', '  project: P\nspec:\n  type: step_based\n')}---\n${doc('Project', 'P', 'spec:\n  folder: "Sales/EU"\n')}`,
      'f.yaml': doc('ProjectFolder', 'Sales/EU'),
    });
    const result = await runCliCaptured(['graph'], { cwd: dir, env: {} });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'digraph dss_gitops {',
        '  rankdir = "RL";',
        '  node [shape = "ellipse"];',
        '  "Project/P";',
        '  "ProjectFolder/Sales/EU";',
        '  "Scenario/P/A";',
        '  "Scenario/P/B";',
        '  "Project/P" -> "ProjectFolder/Sales/EU" [style = "dashed"];',
        '  "Scenario/P/A" -> "Project/P";',
        '  "Scenario/P/B" -> "Project/P";',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('draws the deployer chain (order edges) and is byte-stable', async () => {
    const argv = ['graph', '-f', 'test/fixtures/valid/full', '--var', 'environment=prod'];
    const first = await runCliCaptured(argv, { cwd: ROOT, env: FIXTURE_ENV });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('  "Deployment/churn-prod" -> "Infra/prod" [style = "dashed"];\n');
    expect(first.stdout).toContain('  "Bundle/CHURN/v1" -> "Project/CHURN";\n');
    expect(first.stdout).not.toContain('churn-token-456');
    expect((await runCliCaptured(argv, { cwd: ROOT, env: FIXTURE_ENV })).stdout).toBe(first.stdout);
  });

  it('refuses invalid manifests with file:line:col and prints no graph', async () => {
    const dir = tree({ 'p.yaml': doc('Scenario', 'A', '  project: NOPE\nspec:\n  type: step_based\n') });
    const result = await runCliCaptured(['graph'], { cwd: dir, env: {} });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('p.yaml:5:3: project `NOPE` is not declared');
  });
});

// loadManifestSet on a realistic manifest tree: documents, positions, interpolation, secrets, configuration.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentAddress } from '../../src/manifest/address.js';
import { loadManifestSet } from '../../src/input/load.js';
import type { LoadManifestOptions } from '../../src/manifest/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FULL = path.join(ROOT, 'test/fixtures/valid/full');
const ENV = {
  FIXTURE_DSS_URL: 'https://dss.example.com',
  FIXTURE_DSS_API_KEY: 'design-key-123',
  FIXTURE_CHURN_TOKEN: 'churn-token-456',
  FIXTURE_PROD_ADMIN_KEY: 'prod-admin-789',
};

function options(overrides: Partial<LoadManifestOptions> = {}): LoadManifestOptions {
  return { paths: [FULL], vars: ['environment=prod'], varFiles: [], env: ENV, cwd: ROOT, ...overrides };
}

describe('loadManifestSet', () => {
  it('loads every document of the tree in file order, without problems', () => {
    const set = loadManifestSet(options());
    expect(set.problems).toEqual([]);
    expect(set.documents.map(documentAddress)).toEqual([
      'PublishedProject/CHURN',
      'Infra/prod',
      'Deployment/churn-prod',
      'Deployment/churn-dev',
      'ProjectFolder/Analytics/Churn',
      'Bundle/CHURN/v1',
      'Bundle/CHURN/v2',
      'Project/CHURN',
      'Scenario/CHURN/DAILY_REFRESH',
      'Scenario/CHURN/RETRAIN',
    ]);
  });

  it('keeps the position of every node', () => {
    const set = loadManifestSet(options());
    const project = set.documents.find((d) => d.kind === 'Project');
    const file = path.join(FULL, 'projects/churn/project.yaml');
    expect(project?.source).toEqual({ file, line: 2, column: 1 });
    expect(project?.positionOf('/spec/variables/standard/threshold')).toEqual({ file, line: 19, column: 7 });
    expect(project?.positionOf('/spec/permissions/1')).toEqual({ file, line: 27, column: 7 });
    // A place that does not exist resolves to its nearest existing ancestor.
    expect(project?.positionOf('/spec/variables/standard/absent')).toEqual({ file, line: 18, column: 5 });
    const scenario = set.documents.find((d) => d.metadata.name === 'DAILY_REFRESH');
    expect(scenario?.source).toEqual({ file, line: 30, column: 1 });
  });

  it('interpolates variables, keeps DSS variables and honours the $${ escape', () => {
    const set = loadManifestSet(options());
    const project = set.documents.find((d) => d.kind === 'Project');
    expect(project?.spec.name).toBe('Churn prediction (prod)');
    expect((project?.spec.variables as { standard: Record<string, unknown> }).standard.template).toBe('${projectKey}-${var:kept}');
  });

  it('records secret values and the pointers that hold them', () => {
    const set = loadManifestSet(options());
    const project = set.documents.find((d) => d.kind === 'Project');
    const infra = set.documents.find((d) => d.kind === 'Infra');
    expect(project?.sensitivePaths).toEqual(['/spec/variables/local/token']);
    expect(infra?.sensitivePaths).toEqual(['/spec/adminApiKey']);
    expect([...set.secrets].sort()).toEqual(['churn-token-456', 'design-key-123', 'prod-admin-789']);
  });

  it('reads a scriptFile into spec.script', () => {
    const set = loadManifestSet(options());
    const retrain = set.documents.find((d) => d.metadata.name === 'RETRAIN');
    expect(retrain?.spec.script).toBe('from dataiku.scenario import Scenario\nScenario().build_dataset("customers")\n');
    expect(retrain?.spec.scriptFile).toBeUndefined();
  });

  it('reads dss-gitops.yaml at the root of the first directory, with defaults for what it leaves out', () => {
    const { config } = loadManifestSet(options());
    expect(config.file).toBe(path.join(FULL, 'dss-gitops.yaml'));
    expect(config.nodes.design).toEqual({ url: 'https://dss.example.com', apiKey: 'design-key-123' });
    expect(config.nodes.deployer).toBeUndefined();
    expect(config.defaults).toEqual({
      parallelism: 4,
      requestTimeoutMs: 30_000,
      futureTimeoutMs: 600_000,
      retries: { attempts: 3, baseDelayMs: 200, maxDelayMs: 10_000, maxElapsedMs: 60_000 },
    });
    expect(config.external).toEqual(['Infra/shared-dev']);
    expect(config.ignoreDifferences).toEqual([{ kind: 'Project', name: 'CHURN*', jsonPointers: ['/variables/standard/lastRefresh'] }]);
  });

  it('skips node_modules, dot-directories and dss-gitops.yaml files, and reads files in sorted order', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-load-'));
    const doc = (name: string): string => `apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: ${name}\n`;
    mkdirSync(path.join(dir, 'node_modules/pkg'), { recursive: true });
    mkdirSync(path.join(dir, '.git'), { recursive: true });
    mkdirSync(path.join(dir, 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules/pkg/x.yaml'), 'not: [valid');
    writeFileSync(path.join(dir, '.git/x.yml'), 'not: [valid');
    writeFileSync(path.join(dir, 'b/dss-gitops.yaml'), 'not: [valid');
    writeFileSync(path.join(dir, 'b/z.yml'), doc('Z'));
    writeFileSync(path.join(dir, 'a.yaml'), `${doc('A')}---\n# only a comment\n---\n${doc('A2')}`);
    writeFileSync(path.join(dir, 'notes.txt'), 'not: [valid');
    const set = loadManifestSet({ paths: [dir], vars: [], varFiles: [], env: {}, cwd: dir });
    expect(set.problems).toEqual([]);
    expect(set.documents.map((d) => d.metadata.name)).toEqual(['A', 'A2', 'Z']);
    expect(set.config.nodes.design).toEqual({ url: '', apiKey: '' });
  });

  it('keeps a quoted __proto__ key a field of its document: reported where the schema refuses it, never a prototype', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-load-'));
    const file = path.join(dir, 'p.yaml');
    writeFileSync(file, 'apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: P\nspec:\n  "__proto__": {owner: admin}\n  custom:\n    "__proto__": {team: x}\n');
    const set = loadManifestSet({ paths: [dir], vars: [], varFiles: [], env: {}, cwd: dir });
    expect(set.problems).toEqual([{ file, line: 6, column: 3, message: 'unknown field `__proto__` in spec' }]);
  });

  it('reports a -f path that does not exist, and unreadable --var-file and --config files', () => {
    const set = loadManifestSet(options({ paths: ['nowhere'], varFiles: ['missing.env'], configPath: 'absent.yaml' }));
    expect(set.problems.map((p) => [path.relative(ROOT, p.file), p.message])).toEqual([
      ['absent.yaml', 'cannot read the configuration file'],
      ['missing.env', 'cannot read the --var-file'],
      ['nowhere', 'no such file or directory'],
    ]);
  });
});

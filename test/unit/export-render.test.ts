// Layout and rendering of exported documents: paths per layout, sorted keys with list order kept, schema lines,
// the configuration skeleton and the list of secrets.

import { describe, expect, it } from 'vitest';
import { documentPath, kindDirectory, safeSegment } from '../../src/export/layout.js';
import { renderExport } from '../../src/export/render.js';
import type { ExportedDocument } from '../../src/export/types.js';

function doc(kind: string, name: string, spec: Record<string, unknown>, extra: Partial<ExportedDocument> = {}): ExportedDocument {
  const node = ['PublishedProject', 'Infra', 'Deployment'].includes(kind) ? 'deployer' : 'design';
  return { kind, node, metadata: { name }, spec, files: {}, secrets: [], external: [], ...extra };
}

const scenario = doc(
  'Scenario',
  'DAILY',
  { type: 'step_based', name: 'Daily', params: { steps: [{ type: 'z', id: 'second' }, { type: 'a', id: 'first' }] } },
  { metadata: { name: 'DAILY', project: 'CHURN' } },
);
const python = doc('Scenario', 'PY', { type: 'custom_python', scriptFile: 'PY.py' }, { metadata: { name: 'PY', project: 'CHURN' }, files: { 'PY.py': 'print(1)\n' } });
const project = doc('Project', 'CHURN', { variables: { standard: { pw: '${secret:CHURN_PW}' } } }, { secrets: [{ name: 'CHURN_PW', where: 'Project/CHURN spec.variables.standard.pw' }] });
const folder = doc('ProjectFolder', 'Analytics/Churn: 2024', { owner: 'lead' });

describe('layout', () => {
  it('places documents by project or by kind', () => {
    expect(documentPath(project, 'by-project')).toBe('CHURN/project.yaml');
    expect(documentPath(scenario, 'by-project')).toBe('CHURN/scenarios/DAILY.yaml');
    expect(documentPath(project, 'by-kind')).toBe('projects/CHURN.yaml');
    expect(documentPath(scenario, 'by-kind')).toBe('scenarios/CHURN/DAILY.yaml');
    expect(documentPath(folder, 'by-project')).toBe('folders/Analytics/Churn_ 2024.yaml');
    expect(documentPath(doc('PublishedProject', 'CHURN', {}), 'by-project')).toBe('deployer/published-projects/CHURN.yaml');
    expect(documentPath(doc('PublishedProject', 'CHURN', {}), 'by-kind')).toBe('published-projects/CHURN.yaml');
    expect(kindDirectory('Infra')).toBe('infras');
    expect(safeSegment('..')).toBe('_');
  });
});

describe('rendering', () => {
  const files = renderExport([project, scenario, python, folder], { layout: 'by-project', separateDeployer: false });

  it('sorts keys at every level and keeps the order of lists', () => {
    expect(files.get('CHURN/scenarios/DAILY.yaml')).toBe(
      [
        '# yaml-language-server: $schema=scenario.schema.json',
        'apiVersion: dss-gitops/v1',
        'kind: Scenario',
        'metadata:',
        '  name: DAILY',
        '  project: CHURN',
        'spec:',
        '  name: Daily',
        '  params:',
        '    steps:',
        '      - id: second',
        '        type: z',
        '      - id: first',
        '        type: a',
        '  type: step_based',
        '',
      ].join('\n'),
    );
  });

  it('writes the files of a document beside it', () => {
    expect(files.get('CHURN/scenarios/PY.py')).toBe('print(1)\n');
  });

  it('points schema lines at the repository schemas when it has them', () => {
    const inRepo = renderExport([scenario], { layout: 'by-project', separateDeployer: false, schemasDir: '../schemas' });
    expect(inRepo.get('CHURN/scenarios/DAILY.yaml')?.split('\n')[0]).toBe('# yaml-language-server: $schema=../../../schemas/scenario.schema.json');
    expect(inRepo.get('dss-gitops.yaml')?.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/config.schema.json');
  });

  it('lists the secrets to provide, never a value, and writes a configuration without a key', () => {
    expect(files.get('SECRETS.md')).toContain('| `CHURN_PW` | `Project/CHURN spec.variables.standard.pw` |');
    const config = files.get('dss-gitops.yaml') ?? '';
    expect(config).toContain('url: ${env:DSS_URL}');
    expect(config).not.toMatch(/^\s*apiKey:/m);
    const withDeployer = renderExport([], { layout: 'by-kind', separateDeployer: true });
    expect(withDeployer.get('dss-gitops.yaml')).toContain('url: ${env:DSS_DEPLOYER_URL}');
    expect(withDeployer.has('SECRETS.md')).toBe(false);
  });

  it('lists the objects referred to but not exported under external in the configuration', () => {
    const deployment = doc('Deployment', 'prod', {}, { external: ['Bundle/CHURN/v2'] });
    const other = doc('Deployment', 'dev', {}, { external: ['Bundle/CHURN/v1', 'Bundle/CHURN/v2'] });
    const config = renderExport([deployment, other], { layout: 'by-kind', separateDeployer: false }).get('dss-gitops.yaml') ?? '';
    expect(config).toContain('external:\n  - Bundle/CHURN/v1\n  - Bundle/CHURN/v2\n');
  });

  it('gives a clashing path a numbered name', () => {
    const twice = renderExport([doc('Infra', 'a/b', {}), doc('Infra', 'a_b', {})], { layout: 'by-kind', separateDeployer: false });
    expect([...twice.keys()].filter((f) => f.startsWith('infras/'))).toEqual(['infras/a_b.yaml', 'infras/a_b-2.yaml']);
  });
});

// `metadata.dependsOn`: any document names what it is written after. Checked offline like the kinds' references
// (declared, or external), refused when it names the document itself or is not an address; in the units, every
// unit of the document depends on each named address and is ordered after its blocks.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifestSet } from '../../src/input/load.js';
import { isError, type ManifestSet } from '../../src/manifest/types.js';
import { graphOfUnits, selectUnits } from '../../src/reconciler/select.js';
import { codeEnvKind } from '../../src/resources/code-env/kind.js';
import { kindOf, kindRegistry } from '../../src/resources/registry.js';

const H = 'apiVersion: dss-gitops/v1\n';
const codeEnv = `${H}kind: CodeEnv\nmetadata:\n  name: py-tools\nspec:\n  envLang: PYTHON\n`;
const connection = `${H}kind: Connection\nmetadata:\n  name: warehouse\nspec:\n  type: PostgreSQL\n  params:\n    host: db\n`;
const project = (dependsOn: string): string =>
  `${H}kind: Project\nmetadata:\n  name: CHURN\n  dependsOn: ${dependsOn}\nspec:\n  name: Churn\n  owner: admin\n  variables:\n    standard: {a: 1}\n`;

function load(docs: string[], config = ''): ManifestSet {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-depends-on-'));
  writeFileSync(path.join(dir, 'all.yaml'), docs.join('---\n'));
  if (config !== '') writeFileSync(path.join(dir, 'dss-gitops.yaml'), config);
  return loadManifestSet({ paths: [dir], vars: [], varFiles: [], env: {}, cwd: dir });
}

const problemsOf = (docs: string[], config = ''): string[] =>
  load(docs, config).problems.map((p) => `${p.line}:${p.column}: ${p.message}`);

describe('metadata.dependsOn, checked offline', () => {
  it('is satisfied by declared documents and by external addresses', () => {
    expect(problemsOf([codeEnv, connection, project('[CodeEnv/py-tools, Connection/warehouse]')])).toEqual([]);
    expect(problemsOf([project('[CodeEnv/py-tools, Connection/warehouse]')], 'external:\n  - CodeEnv/py-tools\n  - Connection/warehouse\n')).toEqual([]);
  });

  it('names an undeclared address at its line and column', () => {
    const set = load([codeEnv, project('[CodeEnv/py-tools, Connection/warehouse]')]);
    expect(set.problems.map((p) => `${p.line}:${p.column}: ${p.message} (${p.hint ?? ''})`)).toEqual([
      '12:33: metadata.dependsOn names `Connection/warehouse`, which the manifests do not declare ' +
        '(declare it in the manifests, or list it under `external` in dss-gitops.yaml if it exists already)',
    ]);
  });

  it('refuses the document itself, a block, something that is not an address, and the same address twice', () => {
    expect(problemsOf([project('[Project/CHURN]')])).toEqual(['5:15: metadata.dependsOn names `Project/CHURN`, the object itself']);
    expect(problemsOf([codeEnv, project('[CodeEnv/py-tools#packages]')])).toEqual([
      '12:15: `metadata.dependsOn[0]` must be the address of an object, `Kind/name` or `Kind/PROJECT/name`, without a `#block`, not `CodeEnv/py-tools#packages`',
    ]);
    expect(problemsOf([project('[py-tools]')])).toEqual([expect.stringMatching(/^5:15: `metadata\.dependsOn\[0\]` must be the address of an object/) as unknown]);
    expect(problemsOf([codeEnv, project('[CodeEnv/py-tools, CodeEnv/py-tools]')])).toEqual(['12:33: `metadata.dependsOn` lists `CodeEnv/py-tools` twice']);
  });

  it('refuses a cycle of dependsOn entries, once, naming it whole', () => {
    const env = (name: string, dependsOn: string) => `${H}kind: CodeEnv\nmetadata:\n  name: ${name}\n  dependsOn: [${dependsOn}]\nspec:\n  envLang: PYTHON\n`;
    expect(problemsOf([env('a', 'CodeEnv/b'), env('b', 'CodeEnv/c'), env('c', 'Connection/warehouse, CodeEnv/a'), connection])).toEqual([
      '5:15: metadata.dependsOn makes a cycle: `CodeEnv/a` → `CodeEnv/b` → `CodeEnv/c` → `CodeEnv/a`',
    ]);
    expect(problemsOf([env('a', 'CodeEnv/b'), env('b', 'Connection/warehouse'), connection])).toEqual([]);
  });
});

describe('metadata.dependsOn in the units', () => {
  const registry = kindRegistry();
  const unitsOf = (set: ManifestSet) => set.documents.flatMap((d) => kindOf(registry, d.kind).units(d));

  it('makes every unit of the document depend on each address, and wait for its blocks', () => {
    const set = load([codeEnv, connection, project('[CodeEnv/py-tools, Connection/warehouse]')]);
    expect(set.problems.filter(isError)).toEqual([]);
    const units = unitsOf(set).filter((u) => u.kind === 'Project');
    expect(units.map((u) => u.address)).toEqual(expect.arrayContaining(['Project/CHURN', 'Project/CHURN#variables']));
    for (const unit of units) {
      expect(unit.dependsOn).toEqual(expect.arrayContaining(['CodeEnv/py-tools', 'Connection/warehouse']));
      expect(unit.orderAfterPrefixes).toEqual(['CodeEnv/py-tools#', 'Connection/warehouse#']);
    }
    // The graph writes the env and the connection first.
    const order = graphOfUnits(unitsOf(set)).topologicalOrder();
    const projectAt = order.indexOf('Project/CHURN');
    expect(order.indexOf('CodeEnv/py-tools')).toBeLessThan(projectAt);
    expect(order.indexOf('Connection/warehouse')).toBeLessThan(projectAt);
  });

  it('brings what a target depends on into the run, as Terraform does for depends_on', () => {
    const set = load([codeEnv, connection, project('[CodeEnv/py-tools]')]);
    const selected = selectUnits(unitsOf(set), ['Project/CHURN']).units.map((u) => u.address);
    expect(selected).toEqual(expect.arrayContaining(['CodeEnv/py-tools', 'Project/CHURN']));
    expect(selected).not.toContain('Connection/warehouse');
  });

  it('leaves documents that name nothing as their kind builds them', () => {
    const set = load([codeEnv]);
    const doc = set.documents[0]!;
    expect(kindOf(registry, 'CodeEnv').units(doc)).toEqual(codeEnvKind.units(doc));
  });
});

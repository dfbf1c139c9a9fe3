// Checks across documents: what satisfies a reference (a declaration, an `external` address, a publishing
// bundle), and what does not.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifestSet } from '../../src/input/load.js';
import { checkReferences, type DocumentReference } from '../../src/manifest/references.js';
import type { ManifestDocument } from '../../src/manifest/types.js';

const H = 'apiVersion: dss-gitops/v1\n';
const project = (key: string): string => `${H}kind: Project\nmetadata:\n  name: ${key}\n`;
const bundle = (project: string, id: string, publish: string): string =>
  `${H}kind: Bundle\nmetadata:\n  name: ${id}\n  project: ${project}\nspec:\n  publish: ${publish}\n`;
const infra = (id: string): string => `${H}kind: Infra\nmetadata:\n  name: ${id}\nspec:\n  stage: Production\n`;
const deployment = (key: string, infraId: string, bundleId: string): string =>
  `${H}kind: Deployment\nmetadata:\n  name: d\nspec:\n  publishedProjectKey: ${key}\n  infraId: ${infraId}\n  bundleId: ${bundleId}\n`;

function problemsOf(docs: string[], config = '', vars: string[] = []): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-refs-'));
  writeFileSync(path.join(dir, 'all.yaml'), docs.join('---\n'));
  if (config !== '') writeFileSync(path.join(dir, 'dss-gitops.yaml'), config);
  const set = loadManifestSet({ paths: [dir], vars, varFiles: [], env: {}, cwd: dir });
  return set.problems.map((p) => `${p.line}: ${p.message}`);
}

describe('references', () => {
  it('are satisfied by declarations, with `publish: true` publishing to the project key', () => {
    expect(problemsOf([project('CHURN'), bundle('CHURN', 'v1', 'true'), infra('prod'), deployment('CHURN', 'prod', 'v1')])).toEqual([]);
  });

  it('are satisfied by external addresses', () => {
    const config = 'external:\n  - Project/CHURN\n  - Infra/shared\n  - PublishedProject/SALES\n  - Bundle/SALES/v7\n';
    expect(problemsOf([bundle('CHURN', 'v1', 'false'), deployment('SALES', 'shared', 'v7')], config)).toEqual([]);
  });

  it('accept a bundle published to an explicit published project key', () => {
    const docs = [project('CHURN'), bundle('CHURN', 'v2', '{publishedProjectKey: CHURN_PUB}'), infra('prod'), deployment('CHURN_PUB', 'prod', 'v2')];
    expect(problemsOf(docs)).toEqual([]);
  });

  it('reject a bundle that exists but is not published, or published elsewhere', () => {
    const docs = [project('CHURN'), bundle('CHURN', 'v1', 'false'), `${H}kind: PublishedProject\nmetadata:\n  name: CHURN\n`, infra('prod'), deployment('CHURN', 'prod', 'v1')];
    expect(problemsOf(docs)).toEqual(['33: bundle `v1` is not declared: `Bundle/CHURN/v1` is not published to `CHURN`']);
  });

  it('are not checked where a value is an unresolved variable, which is reported once', () => {
    const docs = [project('CHURN'), bundle('CHURN', 'v1', 'true'), deployment('CHURN', '${var:infra}', 'v1')];
    expect(problemsOf(docs)).toEqual(['20: unresolved `${var:infra}`: no variable `infra` was given']);
    expect(problemsOf(docs, '', ['infra=prod'])).toEqual(['20: infra `prod` is not declared (no `Infra/prod`)']);
  });

  it('report duplicates once per repeated declaration', () => {
    expect(problemsOf([project('A'), project('A'), project('A')])).toEqual([
      '9: duplicate address `Project/A`, first declared at all.yaml:1:1',
      '14: duplicate address `Project/A`, first declared at all.yaml:1:1',
    ]);
  });
});

describe('references as the kinds give them', () => {
  const position = (line: number) => ({ file: '/m/all.yaml', line, column: 3 });
  const doc = (kind: string, name: string, line: number, spec: Record<string, unknown> = {}): ManifestDocument => ({
    apiVersion: 'dss-gitops/v1',
    kind,
    metadata: { name },
    spec,
    source: position(line),
    positionOf: (pointer) => position(line + pointer.split('/').length),
    sensitivePaths: [],
  });
  const check = (docs: ManifestDocument[], refs: Record<string, DocumentReference[]>, external: string[] = [], unresolved: string[] = []): string[] =>
    checkReferences(
      docs.map((document) => ({ document, unresolvedPointers: unresolved })),
      external,
      '/m',
      (d) => refs[d.metadata.name] ?? [],
    ).map((p) => `${p.line}: ${p.message}`);
  const gadget: DocumentReference = { pointer: '/spec/gadget', address: 'Gadget/g1', what: 'gadget `g1`' };

  it('name the missing address at the pointer, satisfied by a declaration or an external address', () => {
    expect(check([doc('Widget', 'w', 1)], { w: [gadget] })).toEqual(['4: gadget `g1` is not declared (no `Gadget/g1`)']);
    expect(check([doc('Widget', 'w', 1), doc('Gadget', 'g1', 10)], { w: [gadget] })).toEqual([]);
    expect(check([doc('Widget', 'w', 1)], { w: [gadget] }, ['Gadget/g1'])).toEqual([]);
  });

  it('may be satisfied otherwise, worded their own way, and hold references checked only once they are satisfied', () => {
    const then: DocumentReference = { pointer: '/spec/part', address: 'Part/p1', what: 'part `p1`' };
    const alternative: DocumentReference = {
      ...gadget,
      satisfiedBy: (_address, d) => d?.kind === 'Factory' && d.spec.makes === 'g1',
      unsatisfied: (declared) => `gadget \`g1\` is not declared, and none of ${declared.length} documents makes it`,
      then: [then],
    };
    expect(check([doc('Widget', 'w', 1)], { w: [alternative] })).toEqual(['4: gadget `g1` is not declared, and none of 1 documents makes it']);
    expect(check([doc('Widget', 'w', 1), doc('Factory', 'f', 10, { makes: 'g1' })], { w: [alternative] })).toEqual([
      '4: part `p1` is not declared (no `Part/p1`)',
    ]);
  });

  it('are not checked where the value did not resolve', () => {
    expect(check([doc('Widget', 'w', 1)], { w: [gadget] }, [], ['/spec/gadget'])).toEqual([]);
    expect(check([doc('Widget', 'w', 1)], { w: [gadget] }, [], ['/spec'])).toEqual([]);
  });
});

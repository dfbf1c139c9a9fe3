// The in-place rewrite of one scalar: only its characters change, in its own quoting style, in the right
// document; anything that cannot be edited cleanly is refused.

import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editScalar, type ScalarEdit } from '../../src/deployer/manifest-edit.js';

function deploymentEdit(name: string, value: string): ScalarEdit {
  return {
    matches: (v) => {
      const doc = v as { kind?: unknown; metadata?: { name?: unknown } } | null;
      return doc?.kind === 'Deployment' && doc.metadata?.name === name;
    },
    describe: `Deployment/${name}`,
    path: ['spec', 'bundleId'],
    value,
  };
}

const TWO = `# two deployments
kind: Deployment
metadata: {name: a}
spec:
  bundleId: v1 # a's bundle
---

kind: Deployment
metadata:
  name: b   # b
spec:
  infraId: x
  bundleId: 'v1'
  tags: [x, y]
`;

function diffLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [i + 1]));
}

describe('editScalar', () => {
  it('changes only the scalar of the matching document, keeping comments', () => {
    const result = editScalar(TWO, 'f.yaml', deploymentEdit('a', 'v2'));
    expect(result).toMatchObject({ line: 5, previous: 'v1' });
    expect(diffLines(TWO, result.text)).toEqual([5]);
    expect(result.text.split('\n')[4]).toBe('  bundleId: v2 # a\'s bundle');
  });

  it('keeps the quoting style', () => {
    const single = editScalar(TWO, 'f.yaml', deploymentEdit('b', "it's v2"));
    expect(single.text.split('\n')[12]).toBe("  bundleId: 'it''s v2'");
    expect(diffLines(TWO, single.text)).toEqual([13]);
    const double = editScalar('kind: Deployment\nmetadata: {name: c}\nspec: {bundleId: "v1", infraId: i}\n', 'f.yaml', deploymentEdit('c', 'v2'));
    expect(double.text).toBe('kind: Deployment\nmetadata: {name: c}\nspec: {bundleId: "v2", infraId: i}\n');
  });

  it('quotes a plain value that would otherwise read as another type', () => {
    const result = editScalar(TWO, 'f.yaml', deploymentEdit('a', '12'));
    expect(result.text.split('\n')[4]).toBe('  bundleId: "12" # a\'s bundle');
    const yes = editScalar(TWO, 'f.yaml', deploymentEdit('a', 'true'));
    expect(yes.text.split('\n')[4]).toBe('  bundleId: "true" # a\'s bundle');
  });

  it('keeps CRLF line endings', () => {
    const crlf = TWO.replace(/\n/g, '\r\n');
    const result = editScalar(crlf, 'f.yaml', deploymentEdit('b', 'v9'));
    expect(result.text).toBe(crlf.replace("bundleId: 'v1'", "bundleId: 'v9'"));
  });

  it('refuses a missing or ambiguous document, an interpolated value, an anchor and an alias', () => {
    expect(() => editScalar(TWO, 'f.yaml', deploymentEdit('z', 'v2'))).toThrow('f.yaml holds 0 documents of Deployment/z, not exactly one');
    expect(() => editScalar(`${TWO}---\n${TWO}`, 'f.yaml', deploymentEdit('a', 'v2'))).toThrow(/holds 2 documents/);
    const interpolated = 'kind: Deployment\nmetadata: {name: a}\nspec: {bundleId: "${var:BUNDLE}"}\n';
    expect(() => editScalar(interpolated, 'f.yaml', deploymentEdit('a', 'v2'))).toThrow(/is interpolated/);
    const anchored = 'kind: Deployment\nmetadata: {name: a}\nspec: {bundleId: &b v1, other: *b}\n';
    expect(() => editScalar(anchored, 'f.yaml', deploymentEdit('a', 'v2'))).toThrow(/carries an anchor/);
    const aliased = 'x: &b v1\nkind: Deployment\nmetadata: {name: a}\nspec: {bundleId: *b}\n';
    expect(() => editScalar(aliased, 'f.yaml', deploymentEdit('a', 'v2'))).toThrow(/is an alias/);
    expect(() => editScalar('kind: Deployment\nmetadata: {name: a}\nspec: {bundleId: 3}\n', 'f.yaml', deploymentEdit('a', 'v2'))).toThrow(/is not a string/);
  });

  it('property: any string value reads back exactly, and every other value of the file is unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const result = editScalar(TWO, 'f.yaml', deploymentEdit('b', value));
        const before = parseAllDocuments(TWO).map((d) => d.toJS() as { spec: Record<string, unknown> });
        const after = parseAllDocuments(result.text).map((d) => d.toJS() as { spec: Record<string, unknown> });
        expect(after[1]?.spec.bundleId).toBe(value);
        (before[1] as { spec: Record<string, unknown> }).spec.bundleId = value;
        expect(after).toEqual(before);
      }),
    );
  });
});

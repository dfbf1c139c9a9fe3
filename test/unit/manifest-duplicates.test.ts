import { describe, expect, it } from 'vitest';
import { checkDuplicateKeys } from '../../src/manifest/duplicates.js';
import { parseYaml } from '../../src/base/yaml-source.js';
import { kindRegistry } from '../../src/resources/registry.js';

function check(text: string): string[] {
  const doc = parseYaml('m.yaml', text).documents[0]!;
  const value = doc.value as { kind: string };
  return checkDuplicateKeys(kindRegistry().get(value.kind)?.keyedLists ?? [], value, doc.positions).map((p) => `${p.line}:${p.column}: ${p.message}`);
}

describe('duplicate keys in keyed lists', () => {
  it('reports every later item sharing a trigger id, with the line of the first', () => {
    const text = 'kind: Scenario\nspec:\n  triggers:\n    - id: t1\n    - id: t2\n    - id: t1\n    - id: t1\n';
    expect(check(text)).toEqual(['6:11: duplicate trigger id "t1" (first at line 4)', '7:11: duplicate trigger id "t1" (first at line 4)']);
  });

  it('keys grants by group or user, which are different identities', () => {
    const text = 'kind: Project\nspec:\n  permissions:\n    - group: analysts\n    - user: analysts\n    - group: analysts\n';
    expect(check(text)).toEqual(['6:14: duplicate grant for group "analysts" (first at line 4)']);
  });

  it('accepts unique keys, items without a key (left to the schema) and kinds without keyed lists', () => {
    expect(check('kind: Scenario\nspec:\n  params:\n    steps:\n      - id: a\n      - id: b\n      - {type: x}\n      - {type: x}\n')).toEqual([]);
    expect(check('kind: Deployment\nspec:\n  permissions:\n    - group: a\n    - group: a\n')).toEqual([]);
  });
});

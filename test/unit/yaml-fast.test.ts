import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isScalar, parseAllDocuments, type Document } from 'yaml';
import { readPlainYaml } from '../../src/base/yaml-fast.js';
import { parseYaml } from '../../src/base/yaml-source.js';
import { projectYaml } from '../helpers/manifest-tree.js';

const root = path.join(import.meta.dirname, '../..');

/** What the `yaml` package reads: the values and content offsets of the non-empty documents, or 'error'. */
function reference(text: string): { values: unknown[]; offsets: number[] } | 'error' {
  const docs = parseAllDocuments(text) as Document[];
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return 'error';
  const kept = docs.filter((d) => !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)));
  return { values: kept.map((d) => d.toJS() as unknown), offsets: kept.map((d) => d.contents?.range?.[0] ?? -1) };
}

/** The fast reader either gives up or reads exactly what the `yaml` package reads. */
function expectSameAsYaml(text: string): boolean {
  const fast = readPlainYaml(text);
  if (fast === undefined) return false;
  const want = reference(text);
  expect(want, `the yaml package rejects what the fast reader accepted:\n${text}`).not.toBe('error');
  if (want === 'error') return true;
  expect(fast.map((d) => d.value)).toStrictEqual(want.values);
  expect(fast.map((d) => d.offset)).toStrictEqual(want.offsets);
  return true;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return yamlFiles(file);
    return /\.ya?ml$/.test(name) ? [file] : [];
  });
}

describe('the fast YAML reader', () => {
  it('reads every shipped and fixture manifest it accepts exactly as the yaml package does', () => {
    const files = ['manifests-example', 'manifests-example-deployer', 'test/fixtures'].flatMap((d) => yamlFiles(path.join(root, d)));
    const accepted = files.filter((file) => expectSameAsYaml(readFileSync(file, 'utf8')));
    // Most manifests are plain YAML: the fast path is the common one.
    expect(accepted.length).toBeGreaterThan(files.length / 2);
  });

  it('reads a generated project file (the benchmark and soak trees) without falling back', () => {
    for (const i of [0, 7, 1234]) {
      const text = projectYaml({ key: `P_${i}`, index: i, scenarios: 4 });
      expect(expectSameAsYaml(text), text).toBe(true);
    }
  });

  it.each([
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a folded scalar', 'a: >\n  text\n'],
    ['a kept block scalar', 'a: |+\n  text\n\n'],
    ['an indentation indicator', 'a: |2\n   text\n'],
    ['spaces on a block scalar\'s leading empty line', 'a: |\n   \n  text\n'],
    ['a block scalar line less indented than its first', 'a: |\n    one\n  two\n'],
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['an escape in double quotes', 'a: "x\\ty"\n'],
    ['tabs', 'a:\n\tb: 1\n'],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['content on the --- line', '--- a: 1\n'],
    ['a hex number', 'a: 0x1F\n'],
    ['.inf', 'a: .inf\n'],
    ['a merge key', 'b: {x: 1}\nc:\n  <<: {x: 2}\n'],
    ['__proto__', '__proto__: 1\n'],
    ['a multi-line flow', 'a: [1,\n  2]\n'],
    ['a trailing flow comma', 'a: [1, 2,]\n'],
    ['a nested mapping on one line', 'a: b: c\n'],
    ['a top-level scalar', 'hello\n'],
    ['a byte-order mark', '\ufeffa: 1\n'],
  ])('leaves %s to the yaml package', (_name, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });

  it('reads scalars as YAML 1.2 core does', () => {
    const text = [
      'n1: ~', 'n2: null', 'n3: NULL', 'n4:', 'b1: true', 'b2: False', 'b3: TRUE', 'i1: 42', 'i2: -7', 'i3: +3',
      'i4: 007', 'f1: 0.7', 'f2: 1.', 'f3: .5', 's1: yes', 's2: on', 's3: a#b', "s4: 'it''s'", 's5: "q"',
      's6: http://x:8080/p', 's7: two words # a comment', "'quoted key': 1", '"k2": 2', 'l1: []', 'm1: {}',
      "l2: [a, 'b c', \"d\", 1, true, [x], {k: v}]", '',
    ].join('\n');
    expect(expectSameAsYaml(text)).toBe(true);
  });

  it('reads literal block scalars as the yaml package does', () => {
    const text = `description: |
  Scores every customer.
    Indented more.

  # not a comment
script: |-
  import dataiku
  print(1)


steps:
  - |
    one
  - name: x
    code: |
      two
  -  |-
     three
empty: |
after: 1
`;
    expect(expectSameAsYaml(text)).toBe(true);
  });

  it('reads block structures as the yaml package does', () => {
    const text = `# comment
---
a:
- x
- y: 1
  z:
  - 2
  w: 3
b:
  c:
    -
      d: 4
    - e
  f: {g: [1, 2]}
---
# only a comment
---
- 1
-
- k: v
`;
    expect(expectSameAsYaml(text)).toBe(true);
  });

  it('gives up on or reads exactly as the yaml package any text made of YAML lines', () => {
    const token = fc.constantFrom(
      'a', 'b', 'key', 'True', 'null', '~', '01', '1.5', '-1', '+2', '0x1F', '.inf', "'q''s'", '"dq"', '"a\\n"',
      'a b', 'a: b', 'a #c', 'a#b', '&x a', '*x', '!t a', '|', '>', '[x, y]', '{p: 1}', '[x,', '{p: }', '{p:1}',
      '__proto__', '<<', '"k"', '', '-', '- x', '?', ':', 'é', 'a,b', '[a, [b, {c: d}]]', "'x'y", '"x" #c', '@x',
    );
    const line = fc.tuple(
      fc.constantFrom('', ' ', '  ', '   ', '    ', '      '),
      fc.constantFrom('K: V', 'K:', '- V', '- K: V', '-', '# V', '---', '', 'K: V # c', '- K:', 'V', 'K:  V', '-   V', 'K :V', 'K: |', 'K: |-', '- |', '- K: |'),
      token,
      token,
    ).map(([indent, shape, k, v]) => indent + shape.replace('K', k).replace('V', v));
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
        if (expectSameAsYaml(`${lines.join('\n')}\n`)) accepted++;
      }),
      { numRuns: 3000 },
    );
    // Enough of the texts are read by the fast reader for the comparison to mean something.
    expect(accepted).toBeGreaterThan(100);
  });

  it('reads block trees of any shape and indentation as the yaml package does', () => {
    const scalar = fc.constantFrom('a', 'two words', '1', '-2', '0.5', 'true', 'Null', '~', "'it''s'", '"q"', '[a, b]', '{k: v}', '[]', '{}', 'x#y', '01', '|', '|-');
    const key = fc.constantFrom('a', 'b', 'c', 'name', 'dss-gitops/prune', "'q k'", '"d"', '1', 'x.y');
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        fc.uniqueArray(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 4, selector: ([k]) => k.replace(/['"]/g, '') }),
        fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((items) => ({ items })),
      ),
    })).node;
    const render = (node: unknown, indent: number, step: number, out: string[]): void => {
      const pad = ' '.repeat(indent);
      // A block scalar's text lines, more indented than its key or dash.
      const text = (value: string): string[] => (value.startsWith('|') ? [`${pad}${' '.repeat(step + 2)}line one`, '', `${pad}${' '.repeat(step + 3)}# two`] : []);
      if (Array.isArray(node)) {
        for (const [k, v] of node as Array<[string, unknown]>) {
          if (typeof v === 'string') out.push(`${pad}${k}: ${v}`, ...text(v));
          else {
            out.push(`${pad}${k}:`);
            render(v, indent + step, step, out);
          }
        }
      } else if (typeof node === 'object' && node !== null) {
        for (const item of (node as { items: unknown[] }).items) {
          if (typeof item === 'string') out.push(`${pad}- ${item}`, ...text(item));
          else if (Array.isArray(item)) {
            // A mapping that starts on the dash's line.
            const inner: string[] = [];
            render(item, indent + 2, step, inner);
            out.push(`${pad}- ${(inner[0] as string).slice(indent + 2)}`, ...inner.slice(1));
          } else {
            out.push(`${pad}-`);
            render(item, indent + step, step, out);
          }
        }
      } else out.push(`${pad}${String(node)}`);
    };
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 4 }), (docs, step) => {
        const text = docs
          .map((doc) => {
            const out: string[] = [];
            render(doc, 0, step, out);
            return `${out.join('\n')}\n`;
          })
          .join('---\n');
        if (expectSameAsYaml(text)) accepted++;
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('positions of documents read by the fast reader', () => {
  it('are those of the yaml package, found by parsing again when a problem needs them', () => {
    const text = `# header
apiVersion: dss-gitops/v1
kind: Project
metadata:
  name: A
spec:
  permissions:
    - group: g
      readProjectContent: yes
---
kind: Scenario
spec:
  params: {steps: [{id: s}]}
`;
    const fast = parseYaml('f.yaml', text);
    expect(readPlainYaml(text)).toBeDefined();
    expect(fast.problems).toEqual([]);
    const [first, second] = fast.documents;
    expect(first?.positions.start()).toEqual({ file: 'f.yaml', line: 2, column: 1 });
    expect(first?.positions.valuePosition('/spec/permissions/0/readProjectContent')).toEqual({ file: 'f.yaml', line: 9, column: 27 });
    expect(first?.positions.fieldPosition('/spec/permissions/0/group')).toEqual({ file: 'f.yaml', line: 8, column: 7 });
    expect(second?.positions.start()).toEqual({ file: 'f.yaml', line: 11, column: 1 });
    expect(second?.positions.valuePosition('/spec/params/steps/0/id')).toEqual({ file: 'f.yaml', line: 13, column: 25 });
  });
});

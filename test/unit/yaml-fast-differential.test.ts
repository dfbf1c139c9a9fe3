// The fast YAML reader (base/yaml-fast.ts) against the yaml package as the loader uses it (base/yaml-source.ts):
// manifests come from pull requests, so for any text the fast reader must give up or read exactly the documents,
// values (own keys, key order and prototypes included) and content positions that the yaml package reads; a text
// the yaml package refuses must never be read. And the loader must read a tree the same with and without it.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { readPlainYaml } from '../../src/base/yaml-fast.js';
import { parseYaml, useFastYamlReader } from '../../src/base/yaml-source.js';
import { loadManifestSet } from '../../src/input/load.js';
import type { ManifestSet } from '../../src/manifest/types.js';
import { projectYaml } from '../helpers/manifest-tree.js';
import { seeded } from '../helpers/soak.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Read {
  values: unknown[];
  /** Offset, line and column where each document's content starts. */
  starts: Array<[number, number, number]>;
}

/** What the loader reads with the yaml package: the non-empty documents, or 'error' when it reports a problem. */
function yamlRead(text: string): Read | 'error' {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false }) as Document[];
  if (docs.some((d) => d.errors.length > 0)) return 'error';
  const kept = docs.filter((d) => !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)));
  let values: unknown[];
  try {
    values = kept.map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown);
  } catch {
    return 'error';
  }
  const starts = kept.map((d): [number, number, number] => {
    const offset = d.contents?.range?.[0] ?? d.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return [offset, line, col];
  });
  return { values, starts };
}

/**
 * Same prototypes and the same own keys, enumerable ones among them, in the same order, all the way down: toEqual
 * looks at none of these (and toStrictEqual compares constructors by identity, which an own `constructor` key
 * holding a mapping fails in both readers alike).
 */
function expectSameShape(fast: unknown, want: unknown, where: string): void {
  if (typeof want !== 'object' || want === null) return;
  expect(typeof fast, where).toBe('object');
  expect(Object.getPrototypeOf(fast), `prototype at ${where}`).toBe(Object.getPrototypeOf(want));
  expect(Reflect.ownKeys(fast as object), `own keys at ${where}`).toEqual(Reflect.ownKeys(want));
  expect(Object.keys(fast as object), `enumerable keys at ${where}`).toEqual(Object.keys(want));
  for (const key of Reflect.ownKeys(want)) {
    expectSameShape((fast as Record<PropertyKey, unknown>)[key], (want as Record<PropertyKey, unknown>)[key], `${where}/${String(key)}`);
  }
}

/** Fails unless the fast reader gives up on `text` or reads what the yaml package reads; says which it did. */
function expectAgreement(text: string): 'read' | 'gave up' {
  let fast: ReturnType<typeof readPlainYaml>;
  try {
    fast = readPlainYaml(text);
  } catch (error) {
    throw new Error(`the fast reader threw ${String(error)} on ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (fast === undefined) return 'gave up';
  const label = JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
  const want = yamlRead(text);
  expect(want, `the yaml package refuses what the fast reader read: ${label}`).not.toBe('error');
  if (want === 'error') return 'read';
  expect(fast.map((d) => d.value), label).toEqual(want.values);
  want.values.forEach((value, i) => expectSameShape(fast[i]?.value, value, `${label} document ${i}`));
  expect(fast.map((d): [number, number, number] => [d.offset, d.line, d.column]), `document starts of ${label}`).toEqual(want.starts);
  return 'read';
}

const LONG_KEY = 'k'.repeat(1100);
const KEY_1024 = 'k'.repeat(1024);
const KEY_1025 = 'k'.repeat(1025);

/** Hand-picked texts where a reader of YAML is easy to get wrong. */
const TRICKY: string[] = [
  // Scalars of the core schema, and the strings that look like them.
  'a: ~\n', 'a: null\n', 'a: Null\n', 'a: NULL\n', 'a: nULL\n', 'a:\n', 'a: ~~\n',
  'a: true\n', 'a: True\n', 'a: TRUE\n', 'a: tRue\n', 'a: false\n', 'a: yes\n', 'a: no\n', 'a: on\n', 'a: y\n',
  'a: 0\n', 'a: -0\n', 'a: +0\n', 'a: 42\n', 'a: -7\n', 'a: +1\n', 'a: 007\n', 'a: 08\n', 'a: 1_000\n',
  'a: 0o17\n', 'a: 0x1F\n', 'a: 0b1\n', 'a: 1e3\n', 'a: 1E3\n', 'a: -.5e3\n', 'a: 0.1e1\n', 'a: 1.\n', 'a: .5\n',
  'a: +.5\n', 'a: 1.0\n', 'a: 1.10\n', 'a: 1.2.3\n', 'a: .inf\n', 'a: -.Inf\n', 'a: .nan\n', 'a: -.NaN\n', 'a: .\n',
  'a: -\n', 'a: +\n', 'a: 1:20\n', 'a: 2001-12-14\n', 'a: 12345678901234567890\n', 'a: 9007199254740993\n',
  `a: 1${'0'.repeat(400)}\n`, `a: 0.${'0'.repeat(400)}1\n`, 'a: 0.30000000000000004\n',
  // Quoted scalars.
  "a: 'it''s'\n", "a: ''\n", 'a: ""\n', "a: '''\n", "a: ''''\n", "a: 'a''\n", 'a: """\n', 'a: "x\\"y"\n',
  'a: "\\u0041"\n', 'a: "x\\ty"\n', "a: 'x\\y'\n", 'a: "x\'y"\n', "a: 'x\"y'\n", 'a: "a#b"\n', "a: 'a #b'\n",
  "a: 'x' 'y'\n", 'a: "x" #c\n', "a: 'x'#c\n", "a: 'b\n  c'\n", 'a: "b\n  c"\n', "- 'a'\n", '- "a"\n',
  // Plain scalars: comments, indicators, colons.
  'a: x #c # d\n', 'a: x#c\n', 'a: x #\n', 'a: b:c\n', 'a: b: c\n', 'a: x:\n', 'a: x::y\n', 'a: http://x:8080/p\n',
  'a: x]\n', 'a: x, y\n', 'a: x}\n', "a: a'b\n", "a: x ' #y\n", 'a: `x\n', 'a: @x\n', 'a: %x\n', 'a: x%\n',
  'a: !x\n', 'a: &x\n', 'a: *x\n', 'a: x*\n', 'a: x&y\n', 'a: ?x\n', 'a: ? x\n', 'a: :x\n', 'a: -b\n', 'a: - b\n',
  'a: |x\n', 'a: >x\n', 'a: #x\n', 'a:    x   \n', 'a:   \n', 'a: é\n', 'a: x\u0085\n', 'a: x\u007f\n', 'a: \u0001\n',
  // Keys.
  '1: a\n', '0: a\n', '00: a\n', '01: a\n', '-1: a\n', '1.5: a\n', "1: a\n'1': b\n", 'True: 1\n', 'true: 1\n',
  'null: 1\n', '~: 1\n', ': 1\n', 'yes: 1\n', 'é: 1\n', 'aé: 1\n', 'a$: 1\n', '$a: 1\n', 'a.b: 1\n', '/a: 1\n',
  '_: 1\n', 'a-b: 1\n', 'a b: 1\n', 'a:b: 1\n', 'a?: 1\n', 'a!: 1\n', 'a&: 1\n', 'a*: 1\n', 'a|: 1\n', 'a%: 1\n',
  "a'b: 1\n", 'a"b: 1\n', 'a]: 1\n', 'a,: 1\n', "'a' : 1\n", "'a':1\n", 'a :1\n', "'': 1\n", '"": 1\n',
  'constructor: 1\n', 'toString: 1\n', 'hasOwnProperty: 1\n', 'a: {constructor: 1}\n', '__proto__: 1\n',
  '<<: {a: 1}\n', "'<<': {a: 1}\n", 'b: 1\n<<: {a: 1}\n', 'a: {<<: {b: 1}}\n', "a: {'<<': {b: 1}}\n",
  'a: 1\na: 2\n', "'a': 1\na: 2\n", 'a: {x: 1, "x": 2}\n', 'a: {a: 1, a: 2}\n', '? a\n: 1\n', 'a: 1\n? b\n',
  `${KEY_1024}: 1\n`, `a: {${LONG_KEY}: 1}\n`, `a: {'${LONG_KEY}': 1}\n`, `a: [${LONG_KEY}: 1]\n`,
  // Flow collections on one line.
  'a: []\n', 'a: {}\n', 'a: [ ]\n', 'a: { }\n', 'a: [x]\n', 'a: [x, y]\n', 'a: [x,y]\n', 'a: [ x , y ]\n', 'a: [a b]\n',
  "a: [a'b, \"c\", 'd''e']\n", "a: ['a' , b]\n", 'a: [1, 2,]\n', 'a: [1,, 2]\n', 'a: [,]\n', 'a: [x] #c\n',
  'a: [x]#c\n', 'a: [x] y\n', 'a: [x}\n', 'a: [x\n', 'a: [1,\n  2]\n', 'a: [a#b]\n', 'a: [a #b]\n', 'a: [?]\n',
  'a: [-1, +2, .5, 1., 007, -0]\n', 'a: [true, False, NULL, ~]\n', 'a: [-]\n', 'a: [- a]\n', 'a: [a: 1]\n',
  'a: {a: 1}\n', "a: {'a': 1, \"b\": 2}\n", 'a: {a:1}\n', "a: {'a':1}\n", 'a: {a: }\n', 'a: {a: b, c}\n',
  'a: {a: [1, {b: c}], d: e}\n', 'a: {a: b: c}\n', 'a: {1: x, 2: y}\n', 'a: {01: x}\n', 'a: {true: x}\n',
  'a: {~: x}\n', 'a: {a b: 1}\n', 'a: {a: 1} x\n', 'a: [{}]\n', 'a: [[]]\n', '- [a]\n', '- {a: 1}\n',
  '- {a: 1}: 2\n', '[a, b]\n', '{a: 1}\n',
  // Block structure.
  '- - nested\n', '-  - x\n', '- a\n-b\n', '-a\n', '- a\n  b\n', 'a: b\n c\n', 'a:\n  b\n', 'a: 1\n  b: 2\n',
  'a:\n- x\n  b: 1\n', 'a:\n- x\n- y\nb: 1\n', 'a:\n  - x\n  b: 1\n', 'a:\n  b: 1\n  - x\n', '- a: 1\n  b: 2\n- c: 3\n',
  '-   a: 1\n    b: 2\n', '-   a: 1\n  b: 2\n', '- a: 1\n   b: 2\n', '- a:\n    b: 1\n', '- a:\n   - x\n',
  '- a:\n  - x\n  b: 1\n', '- a:\n- x\n', '- a:\n  b: 1\n', 'a:\n  -\n    b: 1\n', 'a:\n  -\n  - x\n', 'a:\n-\n- x\n',
  'a:\n -\n  x\n', '- \n- x\n', '-  \n  a: 1\n', '- #c\n  - x\n', 'a:\n    b: 1\n  c: 2\n', 'a:\n  b: 1\n c: 2\n',
  'a:\n   b:\n     c: 1\n   d: 2\ne: 3\n', '  a: 1\n  b: 2\n', '  a: 1\nb: 2\n', 'a: 1\n  # c\nb: 2\n',
  'a:\n  # c\n  b: 1\n', 'hello\n', '- x\n', '-\n', 'a: 1', 'a:', '- x', '-',
  // Literal block scalars.
  'a: |\n  x\n', 'a: |-\n  x\n', 'a: |\n  x\n\n\n', 'a: |\n\n  x\n', 'a: |\nb: 1\n', 'a: |-\n\nb: 1\n', 'a: |\n\n\nb: 1\n',
  'a: |\n  \n  x\n', 'a: |\n \n  x\n', 'a: |\n  x\n \n  y\n', 'a: |\n  x\n   \n', 'a: |\n  x\n    \n', 'a: |\n  x  \n',
  'a: |\n    x\n   y\n', 'a: |\n  x\n  # c\n b: 1\n', 'a: |\n  x\n# c\nb: 1\n', 'a: |\n  x\n---\nb: 1\n', 'a: |\n  ---\n  ...\n',
  'a: | #c\n  x\n', 'a: |#c\n  x\n', 'a: |1\n  x\n', 'a: |+\n  x\n', 'a: |-\n  x\n\n  \n', 'a: >\n  x\n', 'a: |   \n  x\n',
  '- |\n  a\n- |-\n  b\n', '- |\n\n  a\n', '- |\n x\n', 'a:\n- |\n x\n', 'a:\n- |\n  x\n- y\n', 'a:\n  - |\n   x\n',
  '-   a: |\n     x\n', '- a: |\n   x\n', '- a: |\n    x\n  b: 1\n', '- a: |\n  x\n',
  // Documents.
  '---\na: 1\n', 'a: 1\n---\nb: 2\n', '---\n---\n', '---\n', '--- \n', '# c\n', '', '\n\n', '---\n# c\n---\na: 1\n',
  '# c\n---\n# d\na: 1\n', 'a: 1\n---\n', '---a\n', '----\n', '--- #c\na: 1\n', '--- a: 1\n', '--- |\n  x\n',
  '---\n---\na: 1\n---\n', 'a: 1\n...\n', '---\na: 1\n...\n', '%YAML 1.2\n---\na: 1\n', '%YAML 1.1\n---\na: yes\n',
  '- x\n---\n- y\n', '---\n  a: 1\n', 'a: 1\n--- \nb: 2\n', 'a: 1\n ---\n', 'a: 1\n\n\nb: 2\n', '\n\na: 1\n',
  // Anchors, aliases, tags, complex keys: the yaml package's.
  'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: !!int "1"\n', '? [a]\n: 1\n',
  // Line ends, tabs, byte-order marks.
  'a: 1\r\nb: 2\r\n', 'a: 1\rb: 2\n', 'a:\n\tb: 1\n', 'a: \tb\n', 'a: b\t\n', '\ufeffa: 1\n', 'a: 1\n\ufeffb: 2\n',
];

/** Disagreements found in review, one per row; each was read differently from the yaml package before its fix. */
const DISAGREEMENTS: Array<[string, string]> = [
  // A quoted __proto__ key set the prototype: the key was lost, and its mapping became the object's prototype.
  ['a single-quoted __proto__ key', "'__proto__': 1\n"],
  ['a double-quoted __proto__ key with a mapping', '"__proto__": {admin: true}\n'],
  ['a double-quoted __proto__ key with null', '"__proto__": null\n'],
  ['a quoted __proto__ key on a dash line', "- '__proto__': {x: 1}\n"],
  ['a quoted __proto__ key in a flow mapping', "a: {'__proto__': []}\n"],
  ['a double-quoted __proto__ key in a flow mapping', 'a: {"__proto__": {x: 1}}\n'],
  // An integer key past 2^53 kept its digits, where the yaml package names the key by the number they read as.
  ['an integer key past 2^53', '9007199254740993: x\n'],
  ['an integer key that reads as 1e+21', '1000000000000000000000: x\n'],
  ['a long integer key in a flow mapping', 'a: {100000000000000000000000: x}\n'],
  ['a long integer key on a dash line', '- 12345678901234567890: x\n'],
  // JavaScript's trims and \s took Unicode white space for YAML's: as indentation, trailing space or a blank line.
  ['a no-break space as indentation', '\u00a0a: 1\n'],
  ['a line separator as indentation', '\u2028a: 1\n'],
  ['a form feed as indentation', 'a:\n\u000c b: 1\n'],
  ['a no-break space after a plain value', 'a: b\u00a0\n'],
  ['a line separator after a plain value', 'a: x\u2028\n'],
  ['a vertical tab after a plain value', 'a: x\u000b\n'],
  ['a byte-order mark after a plain value', 'a: x\ufeff\n'],
  ['a byte-order mark at the start of a later document', 'a: 1\n---\n\ufeffb: 2\n'],
  ['a no-break space after a quoted value', "a: 'x'\u00a0\n"],
  ['a no-break space in a flow sequence', 'a: [x\u00a0]\n'],
  ['a no-break space after a flow sequence', 'a: [x, y]\u00a0\n'],
  ['a no-break space after ---', '---\u00a0\na: 1\n'],
  ['a line of a no-break space between entries', 'a: 1\n\u00a0\nb: 2\n'],
  ['a line of an ideographic space after a literal scalar', 'a: |\n  x\n\u3000\nb: 1\n'],
  ['a line of a no-break space in a literal scalar', 'a: |\n  x\n\u00a0\n  y\n'],
  // The yaml package refuses a block mapping key longer than 1024 characters; the fast reader read it.
  ['a plain key of 1025 characters', `${KEY_1025}: 1\n`],
  ['a quoted key of 1025 characters', `'${KEY_1024.slice(1)}': 1\n`],
  ['a key of 1025 characters on a dash line', `- ${KEY_1025}: 1\n`],
  // Nesting the yaml package refuses as too deep for its stack (RESOURCE_EXHAUSTION) was read; deeper, the fast
  // reader overflowed the stack itself and threw.
  ['flow sequences 2,000 deep', `a: ${'['.repeat(2000)}${']'.repeat(2000)}\n`],
  ['flow mappings 2,000 deep', `a: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}\n`],
  ['block mappings 1,500 deep', `${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`],
  ['block sequences and mappings 1,500 deep', `${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(2 * i)}- k:`).join('\n')} 1\n`],
  ['flow sequences 100,000 deep', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
];

describe('the fast YAML reader against the yaml package', () => {
  it.each(TRICKY.map((text) => [JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text), text]))(
    'gives up or agrees on %s',
    (_label, text) => {
      expectAgreement(text);
    },
  );

  it('reads most of the hand-picked texts that the yaml package reads, so the comparisons mean something', () => {
    const read = TRICKY.filter((text) => expectAgreement(text) === 'read');
    expect(read.length).toBeGreaterThan(150);
  });

  it.each(DISAGREEMENTS)('%s', (_name, text) => {
    expectAgreement(text);
  });

  it('reads nesting as deep as manifests go, and any number of collections side by side', () => {
    const flow = `a: ${'['.repeat(60)}${']'.repeat(60)}\n`;
    const block = `${Array.from({ length: 30 }, (_, i) => `${' '.repeat(2 * i)}- k:`).join('\n')} {a: ${'['.repeat(30)}${']'.repeat(30)}}\n`;
    const wide = `a: [${Array.from({ length: 500 }, () => '[{b: [c]}]').join(', ')}]\n${Array.from({ length: 500 }, (_, i) => `k${i}:\n  - x: {y: [z]}`).join('\n')}\n`;
    for (const text of [flow, block, wide]) expect(expectAgreement(text)).toBe('read');
  });

  it('reports nesting too deep for the yaml package as a problem of its file, never an exception', () => {
    const parsed = parseYaml('deep.yaml', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(parsed.documents).toEqual([]);
    expect(parsed.problems).toEqual([expect.objectContaining({ file: 'deep.yaml', line: 1, message: expect.stringMatching(/^invalid YAML: /) as unknown })]);
  });
});

/** Runs `check` on every text and returns the texts it failed on, with why (the first few). */
function disagreementsIn(texts: Iterable<string>): { read: number; failures: string[] } {
  let read = 0;
  const failures: string[] = [];
  for (const text of texts) {
    try {
      if (expectAgreement(text) === 'read') read++;
    } catch (error) {
      if (failures.length < 10) failures.push(`${JSON.stringify(text)}\n${(error as Error).message.split('\n')[0] ?? ''}`);
    }
  }
  return { read, failures };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** YAML-like texts built line by line from common pieces and, now and then, odd ones. */
function* generatedTexts(seed: number, count: number): Generator<string> {
  const random = seeded(seed);
  /** A common piece mostly, an odd one one time in ten. */
  const either = <T>(common: readonly T[], odd: readonly T[]): T => (random() < 0.1 ? pick(random, odd) : pick(random, common));
  const indents = ['', '', ' ', '  ', '  ', '   ', '    ', '    ', '      '];
  const shapes = ['K: V', 'K: V', 'K:', '- V', '- K: V', '-', '- K:', '# V', '---', '', 'K: V # c', 'K:  V', '-   V', 'K: |', 'K: |-', '- |', '- K: |', '  text', '- [V, V]', 'K: {K: V, K: V}'];
  const oddShapes = ['V', 'K :V', '- - V', '? K', ': V', '--- V', '...', 'K: V#c', 'K:V', '%YAML 1.2', 'K: >', 'K: [V,', '&a K: *a'];
  const keys = ['a', 'b', 'key', 'name', 'x.y', '$ref', 'a-b', '1', '0', "'q'", '"d"', "'a'", '"a"', 'constructor', 'k_1'];
  const oddKeys = [
    '01', '9007199254740993', '100000000000000000000000', 'true', 'null', '~', "'__proto__'", '"__proto__"', '__proto__', '<<', "'<<'",
    'a b', 'é', LONG_KEY, `'${LONG_KEY}'`, '\u00a0a', 'a\u00a0', '\u3000b', '\u2028', '"\u2029"', '-a', '.5', 'yes', '"a\\n"', "'it''s'",
  ];
  const values = [
    'a', 'two words', 'x#y', 'x #c', '1', '-2', '+3', '0.5', '1.', '.5', '007', 'true', 'True', 'TRUE', 'yes', 'Null', '~', "'it''s'", '"q"',
    "''", '""', '[a, b]', '{k: v}', '[]', '{}', '[a, [b, {c: d}]]', 'é', 'a,b', 'x]', 'http://x:1/p', '|', '|-',
  ];
  const oddValues = [
    '08', '0o17', '0x1F', '1e3', '.inf', '-.NaN', '1_000', '"\\u0041"', '{"__proto__": {x: 1}}', "{'__proto__': []}", '[x, y,]', '{k: }', '>',
    '&x a', '*x', '!t a', 'a: b', 'a:', '@x', 'x\u00a0', '\u00a0x', 'x\u2028y', 'x\u2028', 'x\u3000', 'x\ufeff', 'x\u000b', 'x\u000c',
    '9007199254740993', "'x'\u00a0", `a: ${'['.repeat(150)}${']'.repeat(150)}`, `{${LONG_KEY}: 1}`, '"x\ty"', "'a\nb'",
  ];
  const ends = ['\n'];
  const oddEnds = [' \n', '  \n', '\u00a0\n', '\r\n', '\t\n', '\u2028\n', '\u0085\n', '\ufeff\n'];
  for (let n = 0; n < count; n++) {
    const lines = 1 + Math.floor(random() * 8);
    let text = '';
    for (let i = 0; i < lines; i++) {
      const shape = either(shapes, oddShapes).replaceAll('K', () => either(keys, oddKeys)).replaceAll('V', () => either(values, oddValues));
      text += pick(random, indents) + shape + either(ends, oddEnds);
    }
    yield text;
  }
}

/** Real manifests with random characters inserted, deleted or replaced: near misses of what the reader accepts. */
function* mutatedTexts(seed: number, count: number, bases: string[]): Generator<string> {
  const random = seeded(seed);
  const pieces = [
    ' ', ' ', '  ', '\n', '\n  ', ':', ': ', '- ', '-', '#', ' #', "'", '"', '[', ']', '{', '}', ',', '|', '|-', '>', '?', '&', '*', '!',
    '%', '@', '`', '\\', '~', '0', '1', '.', 'e', 'x', '_', '---\n', '...\n', '\t', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u0085',
    '__proto__', "'__proto__'", '<<', '1'.repeat(20),
  ];
  for (let n = 0; n < count; n++) {
    let text = pick(random, bases);
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (text.length + 1));
      const kind = random();
      const piece = pick(random, pieces);
      if (kind < 0.4) text = text.slice(0, at) + piece + text.slice(at);
      else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
      else text = text.slice(0, at) + piece + text.slice(at + piece.length);
    }
    yield text;
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return yamlFiles(file);
    return /\.ya?ml$/.test(name) ? [file] : [];
  });
}

const BASES = [
  ...['manifests-example', 'test/fixtures/valid'].flatMap((dir) => yamlFiles(path.join(ROOT, dir))).map((file) => readFileSync(file, 'utf8')),
  projectYaml({ key: 'P_1', index: 1, scenarios: 2 }),
  'a:\n  b: [1, {c: d}]\n  e: |\n    text\n\n    more\n  f:\n  - g: h\n    i: j\n  -   k\n---\n- x\n-\n  - y\n',
];

describe('the fast YAML reader on generated texts', () => {
  it('gives up or agrees on texts built from the tricky pieces (seeded)', () => {
    const { read, failures } = disagreementsIn(generatedTexts(20261205, 10_000));
    expect(failures).toEqual([]);
    expect(read).toBeGreaterThan(1000);
  });

  it('gives up or agrees on real manifests with random edits (seeded)', () => {
    const { read, failures } = disagreementsIn(mutatedTexts(7, 3000, BASES));
    expect(failures).toEqual([]);
    expect(read).toBeGreaterThan(300);
  });
});

/** Every JSON pointer of a value, the root's included. */
function pointersOf(value: unknown, pointer = ''): string[] {
  if (typeof value !== 'object' || value === null) return [pointer];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [pointer, ...entries.flatMap(([key, v]) => pointersOf(v, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`))];
}

/** What a run takes from a load: problems, configuration, and every document with the position of every node. */
function comparable(set: ManifestSet): unknown {
  return {
    problems: set.problems,
    config: set.config,
    documents: set.documents.map((d) => {
      const value = { apiVersion: d.apiVersion, kind: d.kind, metadata: d.metadata, spec: d.spec };
      return { value, source: d.source, sensitivePaths: d.sensitivePaths, positions: pointersOf(value).map((p) => [p, d.positionOf(p)]) };
    }),
  };
}

/** Loads with the fast reader and without it; the two must be the same. */
function expectSameLoad(paths: string[], args: string[] = []): ManifestSet {
  const vars = args.flatMap((arg, i) => (args[i - 1] === '--var' ? [arg] : []));
  const varFiles = args.flatMap((arg, i) => (args[i - 1] === '--var-file' ? [arg] : []));
  const options = { paths, vars, varFiles, env: { DSS_URL: 'http://127.0.0.1:1', DSS_API_KEY: 'never-used' }, cwd: ROOT, requireSecrets: args.includes('--require-secrets') };
  const fast = loadManifestSet(options);
  useFastYamlReader(false);
  try {
    expect(comparable(fast)).toEqual(comparable(loadManifestSet(options)));
  } finally {
    useFastYamlReader(true);
  }
  return fast;
}

const fixtureCases = ['valid', 'invalid'].flatMap((group) =>
  readdirSync(path.join(ROOT, 'test/fixtures', group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join('test/fixtures', group, entry.name)),
);

function argsOf(dir: string): string[] {
  try {
    return readFileSync(path.join(ROOT, dir, 'args.txt'), 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

/** A scenario manifest whose spec holds `extra` (lines indented under spec) and a problem at a known place. */
const scenarioWith = (name: string, extra: string): string =>
  `apiVersion: dss-gitops/v1\nkind: Scenario\nmetadata:\n  name: ${name}\n  project: P\nspec:\n  type: step_based\n  active: maybe\n${extra}`;

/** Manifests that the fast reader read differently before its fixes, each loaded with and without it. */
const HOSTILE: Array<[string, string]> = [
  ['a quoted __proto__ key in a spec', scenarioWith('PROTO', '  params:\n    "__proto__": {steps: [{id: s}]}\n')],
  ['a long integer key', scenarioWith('INT', '  custom:\n    12345678901234567890: x\n')],
  ['a no-break space before every line', scenarioWith('NBSP', '').replaceAll(/^/gm, '\u00a0')],
  ['a no-break space after a value', scenarioWith('NBSP', '  description: x\u00a0\n')],
  ['a line of an ideographic space', scenarioWith('NBSP', '  description: x\n\u3000\n')],
  ['a key of 1025 characters', scenarioWith('LONG', `  custom:\n    ${KEY_1025}: x\n`)],
];

describe('the loader with and without the fast reader', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each(fixtureCases)('loads %s the same: documents, positions of every node, problems', (dir) => {
    expectSameLoad([dir], argsOf(dir));
  });

  it('loads the shipped examples the same', () => {
    for (const dir of ['manifests-example', 'manifests-example-deployer']) expectSameLoad([dir]);
  });

  it.each(HOSTILE)('loads %s the same', (_name, text) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'yaml-differential-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'hostile.yaml'), text);
    expectSameLoad([dir]);
  });

  it('loads reference-free files beside files with references the same, secrets included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'yaml-differential-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'plain.yaml': scenarioWith('PLAIN', '  description: $ { not a reference } $\n'),
      'comment.yaml': scenarioWith('COMMENT', '  description: x # ${env:NOT_READ}\n'),
      'escaped.yaml': scenarioWith('ESCAPED', '  description: "\\x24{env:DIFF_TOKEN}"\n'),
      'secret.yaml': scenarioWith('SECRET', '  params:\n    password: ${env:DIFF_TOKEN}\n    other: ${var:v}\n'),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    // Only a text the fast reader reads and which holds no `${` is marked: escapes could write one.
    expect(parseYaml('plain.yaml', files['plain.yaml'] as string).documents[0]?.referenceFree).toBe(true);
    expect(parseYaml('comment.yaml', files['comment.yaml'] as string).documents[0]?.referenceFree).toBeUndefined();
    expect(parseYaml('escaped.yaml', files['escaped.yaml'] as string).documents[0]?.referenceFree).toBeUndefined();
    const options = { paths: [dir], vars: ['v=1'], varFiles: [], env: { DIFF_TOKEN: 'diff-token-value' }, cwd: ROOT };
    const fast = expectSameLoad([dir], ['--var', 'v=1']);
    const fastSecrets = [...loadManifestSet(options).secrets];
    useFastYamlReader(false);
    try {
      expect(fastSecrets).toEqual([...loadManifestSet(options).secrets]);
    } finally {
      useFastYamlReader(true);
    }
    expect(fastSecrets).toEqual(['diff-token-value']);
    // The reference an escape writes is seen (and refused: the variable is read as a secret elsewhere).
    expect(fast.problems.find((p) => p.file.endsWith('escaped.yaml') && p.line === 9)?.message).toMatch(/^`\$\{env:DIFF_TOKEN\}` is refused/);
  });

  it('reports the same problems at the same file:line:col for manifests the fast reader reads', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'yaml-differential-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'a.yaml': scenarioWith('A', '  params:\n    steps:\n      - id: s\n        type: 7\n'),
      'b.yaml': `# leading comment\n\n---\n${scenarioWith('B', "  description: 'it''s'\n  params: {steps: [{id: s, type: [x]}]}\n")}---\n---\n${scenarioWith('C', '  triggers:\n  - id: t\n    type: |\n      temporal\n')}`,
      'c.yaml': `  ${scenarioWith('D', '').replaceAll('\n', '\n  ')}\n`,
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(path.join(dir, name), text);
      expect(readPlainYaml(text), name).toBeDefined();
    }
    const set = expectSameLoad([dir]);
    // The third document of b.yaml, read by the fast reader: its position comes from parsing the file again.
    expect(set.problems).toContainEqual({ file: path.join(dir, 'b.yaml'), line: 23, column: 11, message: '`spec.active` must be a boolean, not a string' });
    expect(set.problems).toContainEqual({ file: path.join(dir, 'c.yaml'), line: 8, column: 13, message: '`spec.active` must be a boolean, not a string' });
  });
});

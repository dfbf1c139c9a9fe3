// The reconciler, manifest, input, export and CLI layers hold no kind names: what they need of a kind, they ask the
// kind through the registry (its scope, references, document checks, role). This test counts the kind names in the
// code of those layers, comments aside, and holds them to the list below, which holds only examples in help texts:
// a kind name anywhere else fails the test.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIND_NAMES } from '../../src/resources/registry.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const LAYERS = ['reconciler', 'manifest', 'input', 'export', 'cli'];

/**
 * Files (relative to src/) that still name kinds, and how many times. Only examples in help texts the user reads:
 * the configuration schema's description and message of `external` (`Infra/shared-prod`, `Bundle/CHURN/v3`).
 */
const STILL_NAMING_KINDS: Record<string, number> = { 'input/config-schema.ts': 3 };

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** The code of a file without its comments (line comments, and block comments including JSDoc). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/**
 * Kind names used as values: `'Scenario'`, the start of an address (`Scenario/`, `` `Project/${key}` ``), or the key
 * of an object literal (`{ Scenario: [...] }`, a table by kind).
 */
export function kindNamesIn(text: string, kinds: readonly string[]): number {
  const names = kinds.join('|');
  const values = new RegExp(`(['"\`])(${names})\\1|(['"\`])(${names})/`, 'g');
  const keys = new RegExp(`(^|[{,])\\s*(${names})\\s*:(?!:)`, 'gm');
  const stripped = code(text);
  // An address spelled inside a message: `REFUSED: Project/${key} …` (the quote-led form is counted above).
  const inText = new RegExp(`(?<![A-Za-z'"\`])(${names})/\\$\\{`, 'g');
  return [...stripped.matchAll(values)].length + [...stripped.matchAll(keys)].length + [...stripped.matchAll(inText)].length;
}

describe('kind names outside src/resources', () => {
  it('are counted in string literals and address texts, not in comments', () => {
    const text = "// Project/CHURN\nconst a = 'Scenario';\nconst b = `Project/${key}`;\n/** Bundle/X */ const c = 'Projects';";
    expect(kindNamesIn(text, ['Project', 'Scenario', 'Bundle'])).toBe(2);
  });

  it('are counted in the addresses a message spells, once each', () => {
    const text = 'const m = `REFUSED: Project/${key} is gone`;\nconst n = `Scenario/${a}/${b}`;\nconst o = `MyProject/${x}`;';
    expect(kindNamesIn(text, ['Project', 'Scenario'])).toBe(2);
  });

  it('are counted as the keys of a table by kind, not in types or other names', () => {
    const text = 'const lists = {\n  Scenario: [],\n  Project: grants, Bundle: [] };\nlet p: Project;\nconst ProjectKey = 1;\nconst o = { ProjectFolders: 1 };';
    expect(kindNamesIn(text, ['Project', 'Scenario', 'Bundle'])).toBe(3);
  });

  it('appear only where the list says, as many times as it says', () => {
    const found: Record<string, number> = {};
    for (const layer of LAYERS) {
      for (const file of files(path.join(SRC, layer))) {
        const count = kindNamesIn(readFileSync(file, 'utf8'), KIND_NAMES);
        if (count > 0) found[path.relative(SRC, file).split(path.sep).join('/')] = count;
      }
    }
    expect(found).toEqual(STILL_NAMING_KINDS);
  });
});

// The reconciler, manifest, export and CLI layers are to hold no kind names: what they need of a kind, they ask the
// kind through the registry. Some code still names kinds (addresses and references are checked in manifest/, below
// the registry; --prune-bundles; promote is about deployments): this test counts the kind names in the code of those
// layers, comments aside, and holds them to the list below. A new one fails the test; so does one removed, so
// that the list only shrinks, down to the registry's.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIND_NAMES } from '../../src/resources/registry.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const LAYERS = ['reconciler', 'manifest', 'export', 'cli'];

/** Files (relative to src/) that still name kinds, and how many times. Shrink it; never grow it. */
const STILL_NAMING_KINDS: Record<string, number> = {
  'cli/apply.ts': 1,
  'cli/plan.ts': 1,
  'cli/promote.ts': 1,
  'manifest/address.ts': 2,
  'manifest/references.ts': 11,
};

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

/** Kind names used as values: `'Scenario'`, or the start of an address (`Scenario/`, `` `Project/${key}` ``). */
export function kindNamesIn(text: string, kinds: readonly string[]): number {
  const names = kinds.join('|');
  return [...code(text).matchAll(new RegExp(`(['"\`])(${names})\\1|(['"\`])(${names})/`, 'g'))].length;
}

describe('kind names outside src/resources', () => {
  it('are counted in string literals and address texts, not in comments', () => {
    const text = "// Project/CHURN\nconst a = 'Scenario';\nconst b = `Project/${key}`;\n/** Bundle/X */ const c = 'Projects';";
    expect(kindNamesIn(text, ['Project', 'Scenario', 'Bundle'])).toBe(2);
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

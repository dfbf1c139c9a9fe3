// What the platform kinds refuse in a manifest is refused while the manifests are loaded: `plan` and `apply` against
// a simulator stop at the same file:line:col as `validate`, send no request at all, and never show the literal
// secret. The cases are the invalid corpus's (test/fixtures/invalid), one per refusal.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CORPUS = 'test/fixtures/invalid';

/** The corpus case, and the literal secret it holds (none for a plugin archive). */
const CASES: [string, string | undefined][] = [
  ['connection-literal-credential', 'corpus-Literal-Pg-4711'],
  ['user-literal-password', 'corpus-literal-alice-pw'],
  ['general-settings-literal-secret', 'corpus-literal-bind-pw'],
  ['plugin-zip-outside-tree', undefined],
  ['plugin-zip-symlink-out', undefined],
  ['plugin-zip-other-plugin', undefined],
  ['plugin-zip-not-a-zip', undefined],
];

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());

describe('platform documents refused while loading', () => {
  it.each(CASES)('%s: plan and apply stop at its line with 0 requests', async (name, secret) => {
    const dir = path.join(CORPUS, name);
    const expected = readFileSync(path.join(ROOT, dir, 'expected.txt'), 'utf8');
    const problem = expected.split('\n')[0] ?? '';
    expect(problem).toMatch(/^\S+:\d+:\d+: /);
    // The manifest does hold the secret that no output may show.
    const manifest = problem.slice(0, problem.indexOf(':'));
    if (secret !== undefined) expect(readFileSync(path.join(ROOT, manifest), 'utf8')).toContain(secret);
    sim.reset({ stats: true, state: false });
    for (const argv of [['plan', '-f', dir], ['apply', '-f', dir, '--auto-approve']]) {
      const result = await runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, cwd: ROOT });
      expect(result.code, argv[0]).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`${problem}\n`);
      if (secret !== undefined) expect(result.stderr).not.toContain(secret);
    }
    expect(sim.stats().total).toBe(0);
  });
});

// What a run loads decides its start-up: plain manifests are read without the yaml package, the client loads
// undici's pool without undici's entry point (fetch, WebSocket, caches, mocks), pino-pretty is loaded only for
// a terminal, and git's client only for the commands that run git. The CLI runs in its own process, which reports the package files it loaded.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProjectFiles } from '../helpers/manifest-tree.js';
import { startTestSimulator, TEST_ADMIN_KEY, type TestSimulator } from '../helpers/simulator.js';

const ROOT = path.join(import.meta.dirname, '../..');
const DIR = mkdtempSync(path.join(tmpdir(), 'dss-gitops-modules-'));
const HOOK = path.join(DIR, 'loaded.mjs');
writeFileSync(
  HOOK,
  `import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const Module = createRequire(import.meta.url)('node:module');
process.on('exit', () => writeFileSync(process.env.LOADED_FILE, JSON.stringify(Object.keys(Module._cache))));
`,
);
writeProjectFiles(path.join(DIR, 'manifests'), [0, 1, 2].map((index) => ({ key: `LOAD_${index}`, index, scenarios: 2 })));

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(async () => {
  await sim.close();
});

/** Runs the CLI and gives the node_modules files it loaded, relative to node_modules. */
async function loadedBy(argv: string[]): Promise<string[]> {
  const loadedFile = path.join(DIR, `loaded-${argv[0]}.json`);
  await promisify(execFile)(process.execPath, ['--import', import.meta.resolve('tsx'), '--import', HOOK, path.join(ROOT, 'src/cli/main.ts'), ...argv], {
    cwd: DIR,
    env: { ...process.env, LOADED_FILE: loadedFile, DSS_URL: sim.url, DSS_API_KEY: TEST_ADMIN_KEY, NO_COLOR: '1' },
  });
  return (JSON.parse(readFileSync(loadedFile, 'utf8')) as string[])
    .filter((f) => f.includes(`${path.sep}node_modules${path.sep}`))
    .map((f) => f.slice(f.lastIndexOf(`node_modules${path.sep}`) + 'node_modules/'.length).split(path.sep).join('/'));
}

const packageLoaded = (files: string[], name: string): boolean => files.some((f) => f.startsWith(`${name}/`));

describe('modules loaded at start-up', () => {
  it('validate of plain manifests loads neither the yaml package nor the client', async () => {
    const files = await loadedBy(['validate', '-f', 'manifests']);
    expect(packageLoaded(files, 'ajv')).toBe(true);
    expect(packageLoaded(files, 'yaml')).toBe(false);
    expect(packageLoaded(files, 'undici')).toBe(false);
    expect(packageLoaded(files, 'pino-pretty')).toBe(false);
  }, 60_000);

  it("plan loads undici's pool, not its entry point, and no pretty printer when stderr is not a terminal", async () => {
    const files = await loadedBy(['plan', '-f', 'manifests']);
    expect(files).toContain('undici/lib/dispatcher/pool.js');
    expect(files).not.toContain('undici/index.js');
    expect(packageLoaded(files, 'pino-pretty')).toBe(false);
    expect(packageLoaded(files, 'yaml')).toBe(false);
    // git's client serves --changed-since only (simple-git is an ES module; @kwsites/file-exists, which it imports,
    // shows here): the checkout's commit and origin are read without it.
    expect(packageLoaded(files, '@kwsites/file-exists')).toBe(false);
  }, 60_000);
});

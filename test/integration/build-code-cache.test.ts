// The built CLI's code is one CommonJS bundle that dist/cli/program.js compiles with V8's cached data made by the
// build (scripts/build.ts, scripts/cached-program.ts). These checks read dist/ as `npm run build` left it: each cache
// is there and accepted by the Node that built it, a cache V8 refuses (other flags, other bytes) leaves a CLI that
// runs as before, and with source maps on the bundle is required as a CommonJS file so that stack traces name src/.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { asciiOnly, BUNDLE_FILE, WARM_UPS } from '../../scripts/build.js';

const ROOT = path.join(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli');
const DIR = mkdtempSync(path.join(tmpdir(), 'dss-gitops-code-cache-'));
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let probes = 0;
/** A script that loads `program` (a dist/cli/program.js) as main.js does and prints what became of its cache. */
function probe(program: string): string {
  const file = path.join(DIR, `probe-${(probes += 1)}.mjs`);
  writeFileSync(file, `const { codeCacheState } = await import(${JSON.stringify(pathToFileURL(program).href)});\nconsole.log(codeCacheState);\n`);
  return file;
}

async function node(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, args, { cwd: DIR, env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' } });
}

/** What became of the cache of dist/cli/program.js loaded by a process started with `flags` and command line `argv`. */
async function cacheState(argv: string[], flags: string[] = [], program = path.join(CLI, 'program.js')): Promise<string> {
  return (await node([...flags, probe(program), ...argv])).stdout.trim();
}

describe('the code cache of the built CLI', () => {
  it('is made for runs without a command and for commands, and this Node accepts each', async () => {
    for (const name of Object.keys(WARM_UPS)) expect(statSync(path.join(ROOT, `${BUNDLE_FILE}.${name}.cache`)).size, name).toBeGreaterThan(100_000);
    expect(await cacheState(['--version'])).toBe('accepted');
    expect(await cacheState(['validate', '-f', 'manifests'])).toBe('accepted');
    // The bundle is ASCII, which program.js relies on to read it as latin1.
    expect(asciiOnly(readFileSync(path.join(ROOT, BUNDLE_FILE), 'utf8'))).toBe(readFileSync(path.join(ROOT, BUNDLE_FILE), 'latin1'));
  }, 60_000);

  it('refused by V8 for other flags, leaves a CLI that compiles the bundle from its source and runs', async () => {
    expect(await cacheState(['--version'], ['--stack-size=900'])).toBe('rejected');
    expect(await cacheState(['plan'], ['--max-old-space-size=300'])).toBe('rejected');
    expect((await node(['--stack-size=900', path.join(CLI, 'main.js'), '--version'])).stdout).toBe(`${VERSION}\n`);
    const validate = await node(['--max-old-space-size=300', path.join(CLI, 'main.js'), 'validate', '-f', path.join(ROOT, 'manifests-example')]);
    expect(validate.stdout).toMatch(/^\d+ documents valid\.\n$/);
  }, 60_000);

  it('refused when damaged or made for another source, and absent, leaves a CLI that runs', async () => {
    // A copy of the package's files the CLI reads for --version, with caches that are not V8's data of this bundle.
    const copy = path.join(DIR, 'package');
    mkdirSync(path.join(copy, 'dist/cli'), { recursive: true });
    copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
    for (const file of ['main.js', 'program.js', 'bundle.cjs']) copyFileSync(path.join(CLI, file), path.join(copy, 'dist/cli', file));
    const program = path.join(copy, 'dist/cli/program.js');
    const main = path.join(copy, 'dist/cli/main.js');
    const cache = path.join(copy, 'dist/cli/bundle.cjs.start.cache');
    expect(await cacheState(['--version'], [], program)).toBe('absent');
    expect((await node([main, '--version'])).stdout).toBe(`${VERSION}\n`);
    // Damaged: V8 checks only the data's header, and would crash on these bytes.
    const made = readFileSync(path.join(ROOT, `${BUNDLE_FILE}.start.cache`));
    writeFileSync(cache, made.map((byte, i) => (i >= 200 ? byte ^ 0x5a : byte)));
    expect(await cacheState(['--version'], [], program)).toBe('rejected');
    expect((await node([main, '--version'])).stdout).toBe(`${VERSION}\n`);
    // Sealed as the build does (the data's SHA-256 digest, then the data), but V8's data of another script.
    const other = new Script('"another build";', { filename: main }).createCachedData();
    writeFileSync(cache, Buffer.concat([createHash('sha256').update(other).digest(), other]));
    expect(await cacheState(['--version'], [], program)).toBe('rejected');
    expect((await node([main, '--version'])).stdout).toBe(`${VERSION}\n`);
  }, 60_000);

  it('is not used with source maps on: the bundle is required, and a stack trace names the sources', async () => {
    expect(await cacheState(['plan'], ['--enable-source-maps'])).toBe('unused');
    const missing = path.join(DIR, 'no-such-manifests');
    expect(existsSync(missing)).toBe(false);
    const run = node(['--enable-source-maps', path.join(CLI, 'main.js'), '--debug', 'plan', '-f', missing]);
    const error = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as { stderr: string; code: number } | undefined;
    expect(error?.code).toBe(1);
    expect(error?.stderr).toMatch(/\bsrc\/cli\/[\w-]+\.ts:\d+:\d+\)/);
    expect(error?.stderr).not.toContain('bundle.cjs');
  }, 60_000);
});

describe('asciiOnly', () => {
  it('replaces each UTF-16 unit outside ASCII with one character, so that source map columns hold', () => {
    expect(asciiOnly('// a → b, Wärting, 😀\nconst x = "\\u2192";')).toBe('// a ? b, W?rting, ??\nconst x = "\\u2192";');
    expect(asciiOnly('plain')).toBe('plain');
  });
});

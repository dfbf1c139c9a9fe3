// Built to dist/cli/program.js (scripts/build.ts): the CLI's code is one CommonJS bundle, dist/cli/bundle.cjs, which
// this module compiles with V8's cached data made at build time (dist/cli/bundle.cjs.*.cache, from runs of the CLI
// that compiled the functions a run uses): V8 then deserializes those functions' bytecode instead of parsing and
// compiling them. Node 20 keeps no compile cache of its own (module.enableCompileCache is Node 22's), and V8 takes
// cached data only for a script compiled through node:vm, which ES modules are not.
//
// V8 checks the data against its version, its flags and the source's length: a cache made by another Node or for
// other flags (`--max-old-space-size`, `--stack-size`...) is rejected, and so is a damaged one (sealCache), and the
// bundle is compiled from its source as without one.
// With source maps on (`--enable-source-maps`), the bundle is required as any CommonJS file instead, so that Node maps
// stack traces to src/: it maps no code compiled through node:vm.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { constants, Script } from 'node:vm';
import type * as Program from '../src/cli/program.js';
import type * as Io from '../src/cli/io.js';

/** What the bundle exports: the program's entry points and the process's io. */
export type Bundle = Pick<typeof Program, 'runCli' | 'buildProgram' | 'reportError'> & Pick<typeof Io, 'processIo'>;

/** What became of the cached data: used, refused by V8, absent, or not looked for (source maps on). */
export type CodeCacheState = 'accepted' | 'rejected' | 'absent' | 'unused';

export const BUNDLE_FILE = 'bundle.cjs';

/**
 * The cache a run looks for: one made by runs without a command (`--version`, `--help`) holds only the program's
 * functions, and deserializes in less time than the one made by commands' runs.
 */
export function cacheFile(bundle: string, argv: readonly string[]): string {
  return `${bundle}.${argv.some((arg) => !arg.startsWith('-')) ? 'commands' : 'start'}.cache`;
}

/**
 * A cache file holds the SHA-256 digest of V8's data, then the data: V8 checks the data's header, not its bytes
 * (a damaged cache would crash the process), so the digest is checked first (~0.7 ms for 1.3 MB).
 */
export function sealCache(data: Buffer): Buffer {
  return Buffer.concat([createHash('sha256').update(data).digest(), data]);
}

/** The data of a cache file, or undefined if it is damaged. */
export function openCache(file: Buffer): Buffer | undefined {
  const data = file.subarray(DIGEST_BYTES);
  return file.length > DIGEST_BYTES && createHash('sha256').update(data).digest().equals(file.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

const DIGEST_BYTES = 32;

function load(): { bundle: Bundle; state: CodeCacheState; script: Script | undefined } {
  const file = fileURLToPath(new URL(`./${BUNDLE_FILE}`, import.meta.url));
  const require = createRequire(file);
  if (process.sourceMapsEnabled) return { bundle: require(file) as Bundle, state: 'unused', script: undefined };
  let sealed: Buffer | undefined;
  try {
    sealed = readFileSync(cacheFile(file, process.argv.slice(2)));
  } catch {
    sealed = undefined;
  }
  const cachedData = sealed === undefined ? undefined : openCache(sealed);
  // The build writes the bundle in ASCII (scripts/build.ts): read as latin1, it becomes V8's one-byte string with no
  // UTF-8 decoding (~3 ms for 3 MB instead of ~11 ms).
  const source = readFileSync(file, 'latin1');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} as Bundle };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, file, path.dirname(file));
  const state = sealed === undefined ? 'absent' : cachedData === undefined || script.cachedDataRejected === true ? 'rejected' : 'accepted';
  return { bundle: module.exports, state, script };
}

/**
 * V8 picks the factor by which the heap may grow after a full collection, from 1.1 to 4 by how fast the program
 * allocates: a plan of 2,000 x 10 then took its heap from ~65 MB to ~245 MB between two collections in about one run
 * of ten, and peaked at ~345 MiB of RSS instead of ~222 MiB. A fixed factor of 2 in place of V8's choice (its
 * memory-saving modes' included) keeps that peak at ~222 MiB in every run, for ~0.05-0.1 s more of garbage collection
 * in 3 s; a factor the user gives on Node's command line is left as it is. Set before the bundle is compiled: V8's
 * cached data holds a hash of the flags, and the build's runs, which make it, load this module too.
 */
if (!process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) setFlagsFromString('--heap-growing-percent=100');

const loaded = load();

export const { runCli, buildProgram, reportError, processIo } = loaded.bundle;

/** What became of the cached data in this process. */
export const codeCacheState: CodeCacheState = loaded.state;

/**
 * The cache file of the bundle's code compiled so far in this process (scripts/build.ts writes it after runs of the
 * CLI); undefined when the bundle was not compiled here (source maps on).
 */
export function codeCacheFile(): Buffer | undefined {
  const data = loaded.script?.createCachedData();
  return data === undefined ? undefined : sealCache(data);
}

// `npm run build`: bundles the CLI with esbuild into dist/ (then precompile-schemas.mjs writes the schemas'
// validators beside it, and `build.ts --code-cache` V8's cached data of the bundle). The CLI's code is one CommonJS
// file, dist/cli/bundle.cjs, that dist/cli/program.js (scripts/cached-program.ts) compiles with V8's cached data
// made at build time from runs of the CLI: V8 deserializes the bytecode of the functions a run uses instead of
// parsing and compiling them, which was most of the CLI's start-up (Node 20 caches nothing for ES modules). Commands
// stay lazy: esbuild wraps every module that only an `import()` reaches in a function run on the first import, so a
// run evaluates its own command's code only. dist/cli/main.js (src/cli/main.ts) imports program.js.
//
// Where the files go matters: the code finds files of the package with `new URL('<relative path>',
// import.meta.url)` (package.json, the example manifests, the shipped schemas, dist/schemas), written for a file
// two directories below the package root (src/<folder>/<file>.ts). The bundle is written to dist/cli/, at that same
// depth, and its `import.meta.url` is its own file's URL: those paths hold.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { startSimulatorProcess } from './simulator-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** undici's HTTP/2 session, never used (see scripts/undici-no-h2.cjs), is bundled as a stub. */
const UNDICI_WITHOUT_H2: Plugin = {
  name: 'undici-without-h2',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) =>
      args.importer.endsWith(path.join('undici', 'lib', 'dispatcher', 'client.js')) ? { path: path.join(ROOT, 'scripts/undici-no-h2.cjs') } : undefined,
    );
  },
};

/** Where main.ts takes the program and the process's io from: dist/cli/program.js, which loads the bundle. */
const MAIN_IMPORTS_PROGRAM: Plugin = {
  name: 'main-imports-program',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\/(?:program|io)\.js$/ }, (args) =>
      args.importer === path.join(ROOT, 'src/cli/main.ts') ? { path: './program.js', external: true } : undefined,
    );
  },
};

/** The entries: dist/cli/main.js, the executable, and dist/cli/program.js, which loads the bundle (BUNDLE_OPTIONS). */
export const BUILD_OPTIONS = {
  absWorkingDir: ROOT,
  // program.js is an entry of its own for in-process callers too (tests run the built CLI's runCli).
  entryPoints: ['src/cli/main.ts', { in: 'scripts/cached-program.ts', out: 'cli/program' }],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  plugins: [MAIN_IMPORTS_PROGRAM],
  logLevel: 'warning',
} satisfies BuildOptions;

/** The bundle's file, and its entry: what program.js takes from it. */
export const BUNDLE_FILE = 'dist/cli/bundle.cjs';
const BUNDLE_ENTRY = ["export { runCli, buildProgram, reportError } from './src/cli/program.ts';", "export { processIo } from './src/cli/io.ts';"].join('\n');

export const BUNDLE_OPTIONS = {
  absWorkingDir: ROOT,
  stdin: { contents: BUNDLE_ENTRY, resolveDir: ROOT, sourcefile: 'bundle-entry.ts', loader: 'ts' },
  outfile: BUNDLE_FILE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Code in ASCII (esbuild escapes the rest), so that program.js reads it without UTF-8 decoding; comments keep
  // theirs, which writeAscii replaces.
  charset: 'ascii',
  // The code's `import.meta.url` is the bundle's own URL (see above).
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "var __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  // keepNames would wrap every function and class in a naming call (~30 ms of CPU before a plan's first request);
  // the names that show, the classes' (errors.ts names an error after its class), are checked instead.
  keepNames: false,
  // Dependencies are bundled too (undici's pool, pino, commander...): left to Node, each of their files is one more
  // module to resolve, read and compile, without cached data. Packages that src/ loads on first use with
  // `createRequire(import.meta.url)('<name>')` (ajv's compiler, yaml, pino-pretty) stay in node_modules: esbuild
  // leaves those calls alone.
  plugins: [UNDICI_WITHOUT_H2],
  logLevel: 'warning',
} satisfies BuildOptions;

/**
 * `text` with every character outside ASCII replaced by `?`, one for one (source map columns count UTF-16 units, so
 * they hold). Used on the bundle, where esbuild (charset ascii) left such characters only in comments.
 */
export function asciiOnly(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, '?');
}

/**
 * Classes of `sources` (file texts) that the bundle `outputs` (file texts) declares under another name: esbuild
 * renames a top-level name that another bundled module also declares (`UserError` would become `UserError2`), and a
 * class's name shows: an error is named after its class, and `${error}`, stack traces and logs print it.
 */
export function renamedClasses(sources: readonly string[], outputs: readonly string[]): string[] {
  const names = new Set(sources.flatMap((text) => [...text.matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm)].map((m) => m[1])));
  const renamed = new Set<string>();
  for (const text of outputs) {
    for (const m of text.matchAll(/\b(?:class|var|let|const) ([A-Za-z_$][\w$]*?)(\d+)\b/g)) {
      if (names.has(m[1])) renamed.add(`${m[1]} (as ${m[1]}${m[2]})`);
    }
  }
  return [...renamed].sort();
}

/** The texts of the `.ts` files under `dir`, recursively. */
export function sourceTexts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(dir, file), 'utf8'));
}

/** What the runs that make a cache run (scripts/cached-program.ts picks the cache by the run's command line). */
export const WARM_UPS: Record<'start' | 'commands', string[][]> = {
  start: [['--version'], ['--help']],
  // The example tree against a simulator: a fresh apply, then a plan and a drift that find it in sync.
  commands: [['--help'], ['validate', '-f', 'manifests-example'], ...['apply --auto-approve', 'plan', 'drift'].map((c) => [...c.split(' '), '-f', 'manifests-example'])],
};

// Run by `node --input-type=module` in a process of its own: loads program.js with no cache yet, runs the CLI with
// each command line of WARM_UP, output discarded (shown if one fails), and writes V8's cached data to CACHE_FILE.
const WARM_UP_SCRIPT = `
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
const { runCli, processIo, codeCacheFile, codeCacheState } = await import(process.env.PROGRAM_URL);
if (codeCacheState !== 'absent') throw new Error('the warm-up found the cache ' + codeCacheState);
let output = '';
const sink = () => new Writable({ write(chunk, _encoding, done) { output += chunk; done(); } });
for (const argv of JSON.parse(process.env.WARM_UP)) {
  const code = await runCli(argv, { ...processIo(), stdout: sink(), stderr: sink() });
  if (code !== 0) throw new Error(argv.join(' ') + ' exited with ' + code + ':\\n' + output);
}
writeFileSync(process.env.CACHE_FILE, codeCacheFile());
`;

/** Starts `dss-gitops sim` from dist/ on a free port: its URL, and how to stop it. */
async function startSimulator(adminKey: string, cwd: string): Promise<{ url: string; stop: () => void }> {
  const { url, child } = await startSimulatorProcess(process.execPath, [path.join(ROOT, 'dist/cli/main.js')], { ...childEnv(), DSS_SIM_API_KEY: adminKey }, cwd);
  return { url, stop: () => child.kill('SIGTERM') };
}

/** The environment of the build's own runs of the CLI: NODE_OPTIONS may hold V8 flags, which a cache is made for. */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return env;
}

/** Writes dist/cli/bundle.cjs.{start,commands}.cache from runs of the built CLI (WARM_UPS). */
async function writeCodeCaches(): Promise<void> {
  const bundle = path.join(ROOT, BUNDLE_FILE);
  for (const name of Object.keys(WARM_UPS)) rmSync(`${bundle}.${name}.cache`, { force: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-code-cache-'));
  cpSync(path.join(ROOT, 'manifests-example'), path.join(dir, 'manifests-example'), { recursive: true });
  const adminKey = randomBytes(16).toString('hex');
  const sim = await startSimulator(adminKey, dir);
  try {
    for (const [name, argvs] of Object.entries(WARM_UPS)) {
      await promisify(execFile)(process.execPath, ['--input-type=module', '-e', WARM_UP_SCRIPT], {
        cwd: dir,
        env: {
          ...childEnv(),
          PROGRAM_URL: pathToFileURL(path.join(ROOT, 'dist/cli/program.js')).href,
          WARM_UP: JSON.stringify(argvs),
          // Renamed once every cache is made: a warm-up must not find another's.
          CACHE_FILE: `${bundle}.${name}.cache.new`,
          DSS_URL: sim.url,
          DSS_API_KEY: adminKey,
          // The example's one secret (manifests-example/README.md).
          WAREHOUSE_PASSWORD: randomBytes(8).toString('hex'),
          NO_COLOR: '1',
        },
      });
    }
    for (const name of Object.keys(WARM_UPS)) renameSync(`${bundle}.${name}.cache.new`, `${bundle}.${name}.cache`);
  } finally {
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--code-cache')) return writeCodeCaches();
  // A clean directory: files of an earlier build (or of tsc's per-module output) would otherwise stay loadable.
  rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  await build(BUILD_OPTIONS);
  await build(BUNDLE_OPTIONS);
  const bundle = path.join(ROOT, BUNDLE_FILE);
  const text = readFileSync(bundle, 'utf8');
  writeFileSync(bundle, asciiOnly(text));
  const renamed = renamedClasses(sourceTexts(path.join(ROOT, 'src')), [text]);
  if (renamed.length > 0) {
    console.error(`The bundle renames classes of src/; give them names no other module declares: ${renamed.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

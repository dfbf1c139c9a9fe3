// The built CLI is an esbuild bundle (scripts/build.ts): one CommonJS file, in which every module that only an
// `import()` reaches (each command, and what only commands use) is evaluated on its first import. These checks read
// dist/ as `npm run build` left it and run it as users do: every file the code finds beside itself is still found
// from the bundle, a command evaluates only its own code (told by V8's coverage of the bundle's module functions), a
// plan compiles no schema, and the bundle names the classes of src/ as the sources do.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renamedClasses, sourceTexts } from '../../scripts/build.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { writeProjectFiles } from '../helpers/manifest-tree.js';
import { startTestSimulator, TEST_ADMIN_KEY, type TestSimulator } from '../helpers/simulator.js';

const ROOT = path.join(import.meta.dirname, '../..');
const DIST = path.join(ROOT, 'dist');
const MAIN = path.join(DIST, 'cli/main.js');
const BUNDLE = path.join(DIST, 'cli/bundle.cjs');
const DIR = mkdtempSync(path.join(tmpdir(), 'dss-gitops-bundle-'));
writeProjectFiles(path.join(DIR, 'manifests'), [0, 1].map((index) => ({ key: `BUNDLE_${index}`, index, scenarios: 2 })));

// Records every module the ES module loader loads (main.js, program.js), and at exit the CommonJS files required
// (the precompiled validators, packages loaded with createRequire).
writeFileSync(
  path.join(DIR, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_FILE, url + '\\n');
  return next(url, context);
}
`,
);
writeFileSync(
  path.join(DIR, 'record.mjs'),
  `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register('./hooks.mjs', import.meta.url);
const Module = createRequire(import.meta.url)('node:module');
process.on('exit', () => {
  appendFileSync(process.env.LOADED_FILE, Object.keys(Module._cache).map((f) => 'cjs:' + f + '\\n').join(''));
  appendFileSync(process.env.LOADED_FILE, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'builtin:' + m.slice(13) + '\\n').join(''));
});
`,
);

/** The .js and .cjs files of dist/ (the validators of dist/schemas aside), relative to the package root. */
function builtFiles(): string[] {
  return readdirSync(DIST, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.c?js$/.test(file) && !file.startsWith(`schemas${path.sep}`))
    .map((file) => path.join('dist', file).split(path.sep).join('/'))
    .sort();
}

/** The source files (src/..., node_modules/...) a built file was made from, by its source map. */
function sourcesOf(builtFile: string): string[] {
  const map = JSON.parse(readFileSync(`${builtFile}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((source) => path.relative(ROOT, path.resolve(path.dirname(builtFile), source)).split(path.sep).join('/'));
}

/**
 * The bundle's modules that esbuild wraps in a function evaluated on first use (`"src/cli/plan.ts"() {` for an ES
 * module, `"node_modules/undici/lib/dispatcher/pool.js"(exports2, module2) {` for a CommonJS one). The source map's
 * other sources are counted as evaluated by every run: the bundle's entry, and the sources that a package's own
 * source map names behind its wrapped files (simple-git's src/*.ts...).
 */
const WRAPPED = new Set([...readFileSync(BUNDLE, 'utf8').matchAll(/^ {2}"((?:src|node_modules)\/[^"]+)"\((?:exports\d*(?:, module\d*)?)?\) \{$/gm)].map((m) => m[1]!));

/** The bundle's modules a run evaluated, from V8's coverage written to `dir`: its wrapped modules' functions called. */
function evaluatedModules(dir: string): string[] {
  const called = new Set<string>();
  for (const file of readdirSync(dir)) {
    const coverage = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      result: Array<{ url: string; functions: Array<{ functionName: string; ranges: Array<{ count: number }> }> }>;
    };
    for (const script of coverage.result.filter((s) => s.url === BUNDLE || s.url === pathToFileURL(BUNDLE).href)) {
      for (const fn of script.functions) if (WRAPPED.has(fn.functionName) && (fn.ranges[0]?.count ?? 0) > 0) called.add(fn.functionName);
    }
  }
  return [...sourcesOf(BUNDLE).filter((source) => !WRAPPED.has(source)), ...called];
}

interface Loaded {
  /** Sources of the modules the run evaluated. */
  sources: string[];
  /** CommonJS files it required, relative to the package root. */
  required: string[];
  /** Node's built-in modules it loaded (`http2`, `internal/http2/core`...). */
  builtins: string[];
}

let run = 0;
/** Runs the built CLI with `argv` in its own process, as a user does, and tells what it loaded. */
async function loadedBy(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Loaded> {
  const loadedFile = path.join(DIR, `loaded-${(run += 1)}.txt`);
  const coverageDir = path.join(DIR, `coverage-${run}`);
  mkdirSync(coverageDir);
  writeFileSync(loadedFile, '');
  await promisify(execFile)(process.execPath, ['--import', pathToFileURL(path.join(DIR, 'record.mjs')).href, MAIN, ...argv], {
    cwd: DIR,
    env: { ...process.env, ...env, LOADED_FILE: loadedFile, NODE_V8_COVERAGE: coverageDir, NO_COLOR: '1' },
  });
  const lines = readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean);
  return {
    sources: [...new Set(evaluatedModules(coverageDir))].sort(),
    required: lines.filter((line) => line.startsWith('cjs:')).map((line) => path.relative(ROOT, line.slice(4)).split(path.sep).join('/')),
    builtins: lines.filter((line) => line.startsWith('builtin:')).map((line) => line.slice(8)),
  };
}

/** The file of each command (its registrar), as commands.ts lists them. */
const COMMAND_FILES = COMMANDS.map((entry) => `src/cli/${entry.name}.ts`);

const under = (files: string[], prefix: string): string[] => files.filter((file) => file.startsWith(prefix));

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe('the built CLI', () => {
  it('is the entry dist/cli/main.js with its shebang, and every built file sits two folders deep with its source map', () => {
    expect(readFileSync(MAIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const files = builtFiles();
    expect(files).toEqual(['dist/cli/bundle.cjs', 'dist/cli/main.js', 'dist/cli/program.js']);
    expect(files.filter((file) => !existsSync(path.join(ROOT, `${file}.map`)))).toEqual([]);
    // Commands are evaluated on first use, not with the program.
    expect(COMMAND_FILES.filter((file) => !WRAPPED.has(file))).toEqual([]);
  });

  it('finds every file it reaches with new URL(<path>, import.meta.url) from the chunk that holds the code', () => {
    const reached: string[] = [];
    const missing: string[] = [];
    for (const file of builtFiles()) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      // In the CommonJS bundle, import.meta.url is __import_meta_url, the bundle's URL (scripts/build.ts).
      for (const m of text.matchAll(/new URL\(\s*(["'])([^"']+)\1\s*,\s*(?:import\.meta\.url|__import_meta_url)\s*\)/g)) {
        const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[2]!)).split(path.sep).join('/');
        reached.push(target);
        if (target.startsWith('..') || !existsSync(path.join(ROOT, target))) missing.push(`${file}: ${m[2]} (${target})`);
      }
    }
    expect(missing).toEqual([]);
    // The package's version, the shipped schemas, the precompiled validators and the demo's examples.
    expect(reached).toEqual(expect.arrayContaining(['package.json', 'schemas', 'dist/schemas', 'manifests-example']));
  });

  it('names the classes of src/ as the sources do', () => {
    const built = builtFiles().map((file) => readFileSync(path.join(ROOT, file), 'utf8'));
    expect(renamedClasses(sourceTexts(path.join(ROOT, 'src')), built)).toEqual([]);
    // The check sees a rename when there is one.
    expect(renamedClasses(['export class UserError extends DssGitopsError {}'], ['var UserError2 = class extends DssGitopsError {'])).toEqual([
      'UserError (as UserError2)',
    ]);
  });

  it('--version and --help load no command: neither the reconciler, the client nor any command file', async () => {
    for (const argv of [['--version'], ['--help']]) {
      const { sources, required } = await loadedBy(argv);
      expect(sources, argv[0]).toContain('src/cli/program.ts');
      expect(under(sources, 'src/reconciler/'), argv[0]).toEqual([]);
      expect(under(sources, 'src/dss/'), argv[0]).toEqual([]);
      expect(under(sources, 'src/resources/'), argv[0]).toEqual([]);
      expect(under(sources, 'node_modules/undici/'), argv[0]).toEqual([]);
      expect(under(sources, 'node_modules/pino'), argv[0]).toEqual([]);
      expect(sources.filter((file) => COMMAND_FILES.includes(file)), argv[0]).toEqual([]);
      expect(required, argv[0]).toEqual([]);
    }
  }, 60_000);

  it("plan loads its own command and undici's pool, and neither another command, ajv's compiler nor fflate", async () => {
    const { sources, required, builtins } = await loadedBy(['plan', '-f', 'manifests'], { DSS_URL: sim.url, DSS_API_KEY: TEST_ADMIN_KEY });
    expect(sources).toEqual(expect.arrayContaining(['src/cli/plan.ts', 'src/reconciler/plan.ts', 'node_modules/undici/lib/dispatcher/pool.js']));
    // Its own command file, and state.ts, whose openStateRun it shares; no other.
    expect(sources.filter((file) => COMMAND_FILES.includes(file))).toEqual(['src/cli/plan.ts', 'src/cli/state.ts']);
    // Not the simulator's server (there is no --sim), nor the scheduler.
    expect(sources).not.toContain('src/simulator/server.ts');
    expect(under(sources, 'src/watch/')).toEqual([]);
    expect(sources).not.toContain('node_modules/undici/index.js');
    // undici's HTTP/2 session is never used (no pool allows h2): neither it nor Node's http2 is loaded, nor tls for
    // an http:// node.
    expect(sources).not.toContain('node_modules/undici/lib/dispatcher/client-h2.js');
    expect(builtins).toContain('http');
    expect(builtins.filter((name) => name.includes('http2') || name === 'tls')).toEqual([]);
    // fflate builds its tables when loaded: only a plugin archive needs it, and these manifests hold none.
    expect(under(sources, 'node_modules/fflate/')).toEqual([]);
    expect(under(required, 'node_modules/fflate/')).toEqual([]);
    // The build's validators, with the ajv runtime helpers they require; neither ajv's compiler nor yaml, nor a
    // pretty printer when stderr is not a terminal.
    expect(under(required, 'dist/schemas/').length).toBeGreaterThan(0);
    expect(under(required, 'node_modules/ajv/').filter((file) => !file.startsWith('node_modules/ajv/dist/runtime/'))).toEqual([]);
    expect(under(required, 'node_modules/yaml/')).toEqual([]);
    expect(under(required, 'node_modules/pino-pretty/')).toEqual([]);
  }, 60_000);
});

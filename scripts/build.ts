// `npm run build`: bundles the CLI with esbuild into dist/ (then precompile-schemas.mjs writes the schemas'
// validators beside it). One ES module per command and per piece of code that commands share, so that a run loads
// a few dozen files instead of some three hundred modules, and still only its own command's code: every `import()`
// of a command stays a chunk of its own, loaded when the command runs.
//
// Where the files go matters: the code finds files of the package with `new URL('<relative path>',
// import.meta.url)` (package.json, the example manifests, the shipped schemas, dist/schemas), written for a file
// two directories below the package root (src/<folder>/<file>.ts). The chunks are therefore written to dist/chunks/
// and the entries to dist/cli/: every built file sits at that same depth, and those paths hold.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

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

export const BUILD_OPTIONS = {
  absWorkingDir: ROOT,
  // program.ts is an entry of its own for in-process callers (tests run the built CLI's runCli).
  entryPoints: ['src/cli/main.ts', 'src/cli/program.ts'],
  outdir: 'dist',
  outbase: 'src',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // keepNames would wrap every function and class in a naming call (~30 ms of CPU before a plan's first request);
  // the names that show, the classes' (errors.ts names an error after its class), are checked instead.
  keepNames: false,
  // Dependencies are bundled too (undici's pool, pino, commander...): left to Node, each of their files is one more
  // module to resolve, read and translate. Packages that src/ loads on first use with
  // `createRequire(import.meta.url)('<name>')` (ajv's compiler, yaml, pino-pretty) stay in node_modules: esbuild
  // leaves those calls alone. Bundled CommonJS packages `require()` Node's built-in modules, which needs a `require`
  // that an ES module does not have.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  plugins: [UNDICI_WITHOUT_H2],
  logLevel: 'warning',
} satisfies BuildOptions;

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

async function main(): Promise<void> {
  // A clean directory: files of an earlier build (or of tsc's per-module output) would otherwise stay loadable.
  rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  const result = await build({ ...BUILD_OPTIONS, metafile: true });
  const outputs = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'));
  const renamed = renamedClasses(
    sourceTexts(path.join(ROOT, 'src')),
    outputs.map((file) => readFileSync(path.join(ROOT, file), 'utf8')),
  );
  if (renamed.length > 0) {
    console.error(`The bundle renames classes of src/; give them names no other module declares: ${renamed.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

// What users get outside the test runner: the npm package (bin, files, runtime dependencies), the Docker image
// (stages, build context, runtime stage contents) and the CI entry point. The Docker runtime stage installs with
// `npm ci --omit=dev`, so a package that src/ imports from devDependencies works in tests and breaks there.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  dockerCopies,
  dockerIgnored,
  dockerStages,
  metaUrlTargets,
  otherImportMetaUses,
  packageOf,
  runtimeSpecifiers,
  sourceFiles,
} from '../helpers/packaging.js';
import { BUILD_OPTIONS } from '../../scripts/build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const pkg = JSON.parse(read('package.json')) as PackageJson;
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean; version?: string }> };
const SOURCES = sourceFiles(ROOT, 'src');
/** What `npm run build` writes to dist besides the bundle: the shipped schemas' validators. */
const BUILD_WRITES = 'dist/schemas/';

/** Top-level repository entries the compiled CLI reads at run time, with the source file that reads each. */
function runtimeReads(): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const file of SOURCES) {
    for (const target of metaUrlTargets(read(file), file)) reads.set(target, [...(reads.get(target) ?? []), file]);
  }
  return reads;
}

describe('the scanners these checks rely on', () => {
  it('find value imports, re-exports, side-effect and dynamic imports, but not type-only ones', () => {
    const source = [
      "import { a } from 'pkg-a';",
      "import type { B } from 'pkg-type-only';",
      "import { type C } from 'pkg-c';",
      "export { d } from '@scope/pkg-d/sub';",
      "export type { E } from 'pkg-type-export';",
      "import 'pkg-side-effect';",
      "const f = await import('undici/types');",
      "// import { g } from 'pkg-in-comment';",
      "const text = \"import x from 'pkg-in-string'\";",
      "import { h } from './local.js';",
      "import { i } from 'node:fs';",
      "const j = createRequire(import.meta.url)('pkg-on-first-use') as J;",
    ].join('\n');
    expect(runtimeSpecifiers(source)).toEqual([
      'pkg-a',
      'pkg-c',
      '@scope/pkg-d/sub',
      'pkg-side-effect',
      'undici/types',
      './local.js',
      'node:fs',
      'pkg-on-first-use',
    ]);
    expect(['pkg-a', '@scope/pkg-d/sub', 'undici/types', './local.js', 'node:fs', 'fs'].map(packageOf)).toEqual([
      'pkg-a',
      '@scope/pkg-d',
      'undici',
      undefined,
      undefined,
      'fs',
    ]);
  });

  it('resolve new URL(..., import.meta.url) from where the compiled file runs', () => {
    const source = "const a = new URL('../../package.json', import.meta.url);\nconst b = new URL( \"../data/x.json\" , import.meta.url );";
    expect(metaUrlTargets(source, 'src/cli/program.ts')).toEqual(['package.json', 'dist/data/x.json']);
    expect(otherImportMetaUses(source)).toEqual([]);
    expect(otherImportMetaUses('const d = import.meta.dirname;')).toEqual(['import.meta.dirname']);
    expect(otherImportMetaUses("const e = createRequire(import.meta.url)('yaml');")).toEqual([]);
    expect(otherImportMetaUses('const f = createRequire(import.meta.url)(name);')).toEqual(['import.meta.url']);
  });

  it('read Dockerfile stages and .dockerignore the way Docker does', () => {
    const stages = dockerStages('FROM node AS build\nCOPY a b \\\n  ./\nFROM node AS runtime\nCOPY --from=build /app/dist ./dist\n');
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(dockerCopies(stages[0]!)).toEqual([{ sources: ['a', 'b'], destination: './' }]);
    expect(dockerCopies(stages[1]!)).toEqual([{ from: 'build', sources: ['/app/dist'], destination: './dist' }]);
    const ignore = 'node_modules\n*.log\ndocs/**/*.md\n!docs/keep.md\n';
    expect(dockerIgnored(ignore, 'node_modules/x/index.js')).toBe(true);
    expect(dockerIgnored(ignore, 'src/node_modules/x.js')).toBe(false);
    expect(dockerIgnored(ignore, 'npm-debug.log')).toBe(true);
    expect(dockerIgnored(ignore, 'docs/a/b.md')).toBe(true);
    expect(dockerIgnored(ignore, 'docs/keep.md')).toBe(false);
    expect(dockerIgnored(ignore, 'schemas/project.schema.json')).toBe(false);
  });
});

describe('npm package', () => {
  it('every package that src/ imports at run time is a dependency, not only a devDependency', () => {
    const problems: string[] = [];
    for (const file of SOURCES) {
      for (const specifier of runtimeSpecifiers(read(file), file)) {
        const name = packageOf(specifier);
        if (name === undefined) continue;
        if (!(name in pkg.dependencies)) {
          const where = name in pkg.devDependencies ? 'only in devDependencies' : 'not in package.json';
          problems.push(`${file}: '${specifier}' (${name} is ${where}; builtins take the node: prefix)`);
        } else if (lock.packages[`node_modules/${name}`]?.dev === true || lock.packages[`node_modules/${name}`] === undefined) {
          problems.push(`${file}: '${specifier}' (package-lock.json does not install ${name} with --omit=dev)`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(SOURCES.length).toBeGreaterThan(50);
  });

  it('the dss-gitops bin is the bundle of src/cli/main.ts, which starts with a node shebang', () => {
    expect(pkg.bin).toEqual({ 'dss-gitops': 'dist/cli/main.js' });
    expect(read('src/cli/main.ts').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(BUILD_OPTIONS).toMatchObject({ outdir: 'dist', outbase: 'src', entryPoints: expect.arrayContaining(['src/cli/main.ts']) });
    expect(pkg.scripts.build).toContain('scripts/build.ts');
  });

  it('files ships the compiled code, the schemas and every repository file the CLI reads at run time', () => {
    const reads = runtimeReads();
    expect([...reads.keys()].sort()).toEqual(expect.arrayContaining(['package.json', 'manifests-example']));
    // npm always packs package.json; everything else must be listed (esbuild writes nothing but the bundle to dist,
    // and the build writes only the schemas' validators beside it).
    const shipped = (target: string): boolean =>
      target === 'package.json' || pkg.files.some((entry) => target === entry || target.startsWith(`${entry}/`));
    const problems = [...reads]
      .filter(([target]) => target !== BUILD_WRITES)
      .filter(([target]) => target.startsWith('dist/') || !existsSync(path.join(ROOT, target)) || !shipped(target))
      .map(([target, by]) => `${target} (read by ${by.join(', ')})`);
    expect(problems).toEqual([]);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'schemas']));
    expect(pkg.scripts.build).toContain('node scripts/precompile-schemas.mjs');
  });

  it('the code finds repository files only through new URL(<literal>, import.meta.url), which this check follows', () => {
    const others = SOURCES.flatMap((file) => otherImportMetaUses(read(file)).map((use) => `${file}: ${use}`));
    expect(others).toEqual([]);
  });
});

describe('.ci/run', () => {
  it('installs from the lockfile, lints, type-checks and runs the tests, stopping at the first failure', () => {
    const script = read('.ci/run');
    expect(script).toMatch(/^set -euo pipefail$/m);
    const steps = ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test'].map((step) => {
      const at = script.search(new RegExp(`^\\s*${step.replace(' ', '\\s+')}\\b`, 'm'));
      expect(at, step).toBeGreaterThanOrEqual(0);
      return at;
    });
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(pkg.scripts).toMatchObject({ lint: expect.any(String), typecheck: expect.any(String), test: expect.any(String) });
    // It must not reach the registry beyond npm ci: the runtime image check is for maintainers to run.
    expect(script).not.toContain('check-runtime-image');
  });
});

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const runs = (stage: typeof runtime): string => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');

  it('builds with every dependency, then runs with production dependencies only, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runs(stages[0]!)).toMatch(/npm ci(?![^\n]*--omit=dev)/);
    expect(runs(runtime)).toMatch(/npm ci [^\n]*--omit=dev/);
    expect(runs(runtime)).toMatch(/apt-get install[^\n]*\bgit\b/);
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user?.split(':')[0]);
    expect(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe('["/usr/bin/tini", "--", "dss-gitops"]');
  });

  it('lets git read a repository bind-mounted with another owner, so runs record the same source and commit as npx', () => {
    // Without it git refuses the mounted checkout ("dubious ownership") for the node user.
    expect(runs(runtime)).toMatch(/git config --system --add safe\.directory '\*'/);
    const runIndex = runtime.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('safe.directory'));
    const userIndex = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    expect(runIndex).toBeLessThan(userIndex);
  });

  it('copies only sources that a clean checkout has and that .dockerignore keeps in the build context', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    const dockerignore = read('.dockerignore');
    const problems: string[] = [];
    for (const stage of stages) {
      for (const copy of dockerCopies(stage).filter((c) => c.from === undefined)) {
        for (const source of copy.sources) {
          const under = tracked.filter((f) => f === source || f.startsWith(`${source.replace(/\/$/, '')}/`));
          if (under.length === 0) problems.push(`${stage.name}: COPY ${source} is not in the repository`);
          const ignored = under.filter((f) => dockerIgnored(dockerignore, f));
          if (ignored.length > 0) problems.push(`${stage.name}: COPY ${source} loses ${ignored.join(', ')} to .dockerignore`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the build stage copies every file of scripts/ that the build runs or reads', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const named = [pkg.scripts.build ?? '', read('scripts/build.ts')].flatMap((text) => [...text.matchAll(/scripts\/[\w.-]+\.(?:ts|mjs|cjs|js)/g)].map((m) => m[0]));
    expect(named).toContain('scripts/undici-no-h2.cjs');
    const copied = dockerCopies(stages[0]!).flatMap((c) => c.sources);
    expect([...new Set(named)].filter((file) => !copied.includes(file) && !copied.includes('scripts') && !copied.includes('scripts/'))).toEqual([]);
  });

  it('the runtime stage has the compiled CLI, its production install and every file the CLI reads at run time', () => {
    const copied = dockerCopies(runtime).flatMap((c) => c.sources.map((s) => ({ from: c.from, source: s.replace(/\/$/, '') })));
    expect(copied).toContainEqual({ from: stages[0]!.name, source: '/app/dist' });
    const local = copied.filter((c) => c.from === undefined).map((c) => c.source);
    // dist, the validators the build writes there included, comes from the build stage.
    const reads = [...runtimeReads().keys()].filter((t) => t !== BUILD_WRITES);
    const needed = ['package.json', 'package-lock.json', 'schemas', ...reads.map((t) => t.split('/')[0]!)];
    expect(local).toEqual(expect.arrayContaining([...new Set(needed)]));
  });
});

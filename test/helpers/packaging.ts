// Static readers for the packaging checks: which packages the compiled code imports at run time, which repository
// files it reads through `new URL(..., import.meta.url)`, what a Dockerfile's stages copy, and what a
// .dockerignore leaves out of the build context.

import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** Non-test TypeScript files under `dir`, as paths relative to `root`, `/`-separated and sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) found.push(child);
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * Module specifiers that survive compilation: static imports and re-exports (not `import type`/`export type`, which
 * verbatimModuleSyntax erases whole), side-effect imports, dynamic `import('x')` with a literal, and modules loaded
 * on first use with `createRequire(import.meta.url)('x')`.
 */
export function runtimeSpecifiers(source: string, fileName = 'module.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !node.importClause?.isTypeOnly) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || isCreatedRequire(node.expression))) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) specifiers.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return specifiers;
}

/** `createRequire(import.meta.url)`, called at once with the module to load. */
function isCreatedRequire(callee: ts.Expression): boolean {
  return ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire';
}

/** The package a bare specifier loads (`undici/types` → `undici`, `@scope/pkg/sub` → `@scope/pkg`), else undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Repository paths (relative to the root, `/`-separated) that a source file reaches with
 * `new URL('<literal>', import.meta.url)`, resolved from where its code runs: the bundle, dist/cli/bundle.cjs
 * (scripts/build.ts), whatever folder of src/ the file is in.
 */
export function metaUrlTargets(source: string, _sourcePath: string): string[] {
  const compiled = 'dist/cli/bundle.cjs';
  const targets: string[] = [];
  for (const match of source.matchAll(/new URL\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g)) {
    targets.push(path.posix.normalize(path.posix.join(path.posix.dirname(compiled), match[2] ?? '')));
  }
  return targets;
}

/**
 * Uses of `import.meta` other than `new URL('<literal>', import.meta.url)` and `createRequire(import.meta.url)('<literal>')`
 * (whose module runtimeSpecifiers reports): ways of reaching files this check cannot follow.
 */
export function otherImportMetaUses(source: string): string[] {
  const stripped = source
    .replace(/new URL\(\s*(['"])[^'"]+\1\s*,\s*import\.meta\.url\s*\)/g, '')
    .replace(/createRequire\(import\.meta\.url\)\(\s*(['"])[^'"]+\1\s*\)/g, '');
  return [...stripped.matchAll(/import\.meta\.\w+/g)].map((m) => m[0]);
}

export interface DockerStage {
  name: string;
  /** Instructions of the stage, continuation lines joined. */
  instructions: Array<{ keyword: string; args: string }>;
}

export function dockerStages(dockerfile: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of lines) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').trim();
    if (keyword === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.length), instructions: [] });
    stages.at(-1)?.instructions.push({ keyword, args });
  }
  return stages;
}

export interface DockerCopy {
  from?: string;
  sources: string[];
  destination: string;
}

export function dockerCopies(stage: DockerStage): DockerCopy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { ...(from === undefined ? {} : { from }), sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
    });
}

function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      out += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/**
 * Whether .dockerignore leaves `file` (relative to the context root) out of the build context. Docker matches each
 * pattern against the path from the context root and its parents (a bare name is a root entry only, unlike
 * .gitignore); `!` re-includes; the last matching pattern wins.
 */
export function dockerIgnored(dockerignore: string, file: string): boolean {
  const patterns = dockerignore
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const prefixes = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = path.posix.normalize((negated ? raw.slice(1) : raw).replace(/^\/+/, '')).replace(/\/$/, '');
    const regexp = globToRegExp(pattern);
    if (prefixes.some((p) => regexp.test(p))) ignored = !negated;
  }
  return ignored;
}

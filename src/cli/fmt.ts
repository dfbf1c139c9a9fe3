// `dss-gitops fmt`: rewrites the manifest files in their canonical form (src/manifest/format.ts). `--check` writes
// nothing, lists the files that would change and exits 1 when there is any (for CI); `--diff` prints the changes.
// Offline, and no interpolation: secrets and variables stay references.

import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { diffLines, withContext } from '../diff/line-diff.js';
import { UserError } from '../errors.js';
import { findManifestFiles } from '../manifest/files.js';
import { readManifestText } from '../manifest/read-text.js';
import { formatManifest } from '../manifest/format.js';
import { formatProblem } from '../manifest/format-problems.js';
import type { Problem } from '../manifest/types.js';
import { registryOf } from './kinds.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import type { CommandRegistrar } from './program.js';

interface FmtFlags {
  file: string[];
  check?: boolean;
  diff?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function relative(io: CliIo, file: string): string {
  return (path.relative(io.cwd, file) || file).split(path.sep).join('/');
}

function writeDiff(io: CliIo, name: string, before: string, after: string): void {
  const lines = [`--- ${name}`, `+++ ${name} (formatted)`];
  for (const op of withContext(diffLines(before, after), 2)) lines.push(op === 'gap' ? '@@' : `${op.op}${op.line}`);
  write(io.stdout, lines.join('\n'));
}

export const registerFmt: CommandRegistrar = (program, ctx) => {
  const command = new Command('fmt')
    .description('rewrite manifest files in canonical form: keys in schema order, 2-space indent, comments kept')
    .option('-f, --file <path>', 'manifest file or directory (repeatable; default: the current directory)', collect, [])
    .option('--check', 'write nothing; list the files that are not formatted and exit 1 if there is any')
    .option('--diff', 'print the changes as a line diff')
    .action((flags: FmtFlags) => {
      const { io } = ctx;
      const found = findManifestFiles(flags.file.length > 0 ? flags.file : ['.'], io.cwd);
      const problems: Problem[] = [...found.problems];
      const registry = registryOf(ctx);
      const changed: { file: string; before: string; after: string }[] = [];
      for (const { file } of found.files) {
        // The same limits as every manifest read: a regular file of strict UTF-8 within the size limit.
        const read = readManifestText(file);
        if ('problem' in read) {
          problems.push(read.problem);
          continue;
        }
        const before = read.text;
        const result = formatManifest(file, before, (kind) => registry.get(kind)?.schema);
        if (!result.ok) problems.push(...result.problems);
        else if (result.text !== before) changed.push({ file, before, after: result.text });
      }
      // Nothing is written unless every file parses.
      if (problems.length > 0) {
        for (const problem of problems) write(io.stderr, formatProblem(problem, io.cwd));
        throw new UserError('INVALID_YAML', `${problems.length} file problem(s): nothing was formatted`);
      }
      for (const c of changed) {
        if (flags.diff) writeDiff(io, relative(io, c.file), c.before, c.after);
        if (!flags.check) writeFileSync(c.file, c.after);
        write(io.stdout, relative(io, c.file));
      }
      ctx.setExitCode(flags.check && changed.length > 0 ? EXIT_ERROR : EXIT_OK);
    });
  program.addCommand(command);
};

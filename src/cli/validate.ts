// `dss-gitops validate`: offline checks of the manifests (schema, references, interpolation). Creates no client
// and sends no request; prints every problem as `file:line:col: message`, or with `--output json` one document
// shaped like `terraform validate -json`.

import * as path from 'node:path';
import { Option } from 'commander';
import { formatProblem } from '../manifest/format-problems.js';
import { loadManifestSet } from '../input/load.js';
import { registryOf } from './kinds.js';
import { isError, type Problem } from '../manifest/types.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { write } from './io.js';
import { addManifestOptions, manifestLoadOptions, type ManifestFlags } from './manifest-options.js';
import type { CommandRegistrar } from './program.js';

/** The version of the `validate --output json` document; a change of shape changes it. */
export const VALIDATE_FORMAT_VERSION = '1.0';

interface ValidateFlags extends ManifestFlags {
  output: 'text' | 'json';
  requireSecrets?: boolean;
  allowEmpty?: boolean;
}

const EMPTY = 'No manifest document found: check -f, or pass --allow-empty if declaring nothing is intended.';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function diagnosticOf(problem: Problem, cwd: string): Record<string, unknown> {
  const file = path.isAbsolute(problem.file) ? path.relative(cwd, problem.file) || problem.file : problem.file;
  return {
    severity: problem.severity ?? 'error',
    summary: problem.message,
    ...(problem.hint !== undefined ? { detail: problem.hint } : {}),
    file: file.split(path.sep).join('/'),
    line: problem.line,
    column: problem.column,
  };
}

export const registerValidate: CommandRegistrar = (program, ctx) => {
  const command = program.command('validate').description('check manifests offline: schema, references, interpolation');
  addManifestOptions(command)
    .addOption(new Option('--output <format>', 'output format (json: one document, like terraform validate -json)').choices(['text', 'json']).default('text'))
    .option('--require-secrets', 'also fail when a ${secret:NAME} is not set in the environment (offline checks need no secret value)')
    .option('--allow-empty', 'accept manifests that declare nothing')
    .action((flags: ValidateFlags) => {
      const { io } = ctx;
      const set = loadManifestSet({ ...manifestLoadOptions(flags, io), requireSecrets: Boolean(flags.requireSecrets) }, registryOf(ctx));
      const problems = set.problems;
      const errors = problems.filter(isError).length;
      // Nothing declared is more often a wrong -f than a decision: an error unless --allow-empty says otherwise.
      const empty = errors === 0 && set.documents.length === 0 && !flags.allowEmpty;
      if (flags.output === 'json') {
        const diagnostics = problems.map((p) => diagnosticOf(p, io.cwd));
        if (empty) diagnostics.push({ severity: 'error', summary: EMPTY });
        const document = {
          format_version: VALIDATE_FORMAT_VERSION,
          valid: errors === 0 && !empty,
          error_count: errors + (empty ? 1 : 0),
          warning_count: problems.length - errors,
          diagnostics,
        };
        write(io.stdout, JSON.stringify(document, null, 2));
        ctx.setExitCode(errors > 0 || empty ? EXIT_ERROR : EXIT_OK);
        return;
      }
      for (const problem of problems) write(io.stderr, formatProblem(problem, io.cwd));
      if (errors > 0) {
        write(io.stderr, `${plural(errors, 'error')}: the manifests are not valid.`);
        ctx.setExitCode(EXIT_ERROR);
        return;
      }
      if (empty) {
        write(io.stderr, EMPTY);
        ctx.setExitCode(EXIT_ERROR);
        return;
      }
      write(io.stdout, `${plural(set.documents.length, 'document')} valid.`);
      ctx.setExitCode(EXIT_OK);
    });
};

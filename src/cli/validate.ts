// `dss-gitops validate`: offline checks of the manifests (schema, references, interpolation). Creates no client
// and sends no request; prints every problem as `file:line:col: message`.

import { formatProblem } from '../manifest/format-problems.js';
import { loadManifestSet } from '../manifest/load.js';
import { isError } from '../manifest/types.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { write } from './io.js';
import { addManifestOptions, manifestLoadOptions, type ManifestFlags } from './manifest-options.js';
import type { CommandRegistrar } from './program.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export const registerValidate: CommandRegistrar = (program, ctx) => {
  const command = program.command('validate').description('check manifests offline: schema, references, interpolation');
  addManifestOptions(command)
    .option('--require-secrets', 'also fail when a ${secret:NAME} is not set in the environment (offline checks need no secret value)')
    .option('--allow-empty', 'accept manifests that declare nothing')
    .action((flags: ManifestFlags & { requireSecrets?: boolean; allowEmpty?: boolean }) => {
      const { io } = ctx;
      const set = loadManifestSet({ ...manifestLoadOptions(flags, io), requireSecrets: Boolean(flags.requireSecrets) });
      for (const problem of set.problems) write(io.stderr, formatProblem(problem, io.cwd));
      const errors = set.problems.filter(isError).length;
      if (errors > 0) {
        write(io.stderr, `${plural(errors, 'error')}: the manifests are not valid.`);
        ctx.setExitCode(EXIT_ERROR);
        return;
      }
      if (set.documents.length === 0 && !flags.allowEmpty) {
        write(io.stderr, 'No manifest document found: check -f, or pass --allow-empty if declaring nothing is intended.');
        ctx.setExitCode(EXIT_ERROR);
        return;
      }
      write(io.stdout, `${plural(set.documents.length, 'document')} valid.`);
      ctx.setExitCode(EXIT_OK);
    });
};

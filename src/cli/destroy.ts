// `dss-gitops destroy`: deletes everything this manifests tree manages (its ownership records), or the
// `--target` objects, in reverse dependency order. Shows the plan first and asks for `yes` unless
// `--auto-approve`. Protected objects are never deleted. `plan --destroy` shows the same plan without deleting.

import { Command } from 'commander';
import { hasChanges, renderApplyJson, renderApplyMarkdown, renderApplyText, renderPlanText } from '../diff/index.js';
import { UserError } from '../errors.js';
import { scrubSecrets } from '../base/secrets.js';
import { executePlan } from '../reconciler/execute.js';
import { contextFactory } from '../reconciler/reconcile.js';
import { kindOf } from '../resources/registry.js';
import { askLine } from './apply.js';
import { planDestroyRun } from './destroy-run.js';
import { ownershipScopes } from '../reconciler/ownership/scopes.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { addLockOptions, checkConnectionAndObserveLock, lockedApply, lockSettings, type LockFlags } from './lock-options.js';
import { outputOption, renderPlan, type OutputFormat } from './plan.js';
import type { CommandContext, CommandRegistrar } from './program.js';
import type { RunFlags } from './run-context.js';
import { addStateOptions, openStateRun } from './state.js';

interface DestroyFlags extends RunFlags, LockFlags {
  output: OutputFormat;
  autoApprove?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function destroy(flags: DestroyFlags, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  if (!flags.autoApprove && !io.stdinIsTTY) {
    throw new UserError('CONFIRMATION_REQUIRED', 'destroy asks for confirmation, and standard input is not a terminal: pass --auto-approve to destroy without asking');
  }
  // The preflight is sent with the lock's first read, as apply does.
  const run = await openStateRun(flags, ctx, { deferPreflight: true });
  try {
    const lock = await checkConnectionAndObserveLock(run, lockSettings(flags, io, `destroy from ${run.setup.source}`));
    const first = await planDestroyRun(run, flags.target);
    const { plan } = first;
    const changes = hasChanges(plan.report.summary);
    if (flags.output === 'text') renderPlan(plan.report, 'text', io);
    else if (changes && !flags.autoApprove) renderPlanText(plan.report, io.stderr, { color: Boolean(io.stderr.isTTY) });
    if (changes && !flags.autoApprove) {
      const answer = await askLine(io, `\nDestroy these ${plan.deletions.length} object(s)? There is no undo. Only 'yes' will be accepted: `);
      if (answer.trim() !== 'yes') {
        io.stderr.write('Destroy cancelled.\n');
        return EXIT_ERROR;
      }
    }
    if (flags.output === 'text') io.stdout.write('\n');
    // The writes of destroy are apply's (deletions, then the records), under the same run lock.
    const report = await lockedApply({
      run,
      lock,
      io,
      planned: first,
      replan: () => planDestroyRun(run, flags.target),
      approved: !flags.autoApprove,
      showChanged: (again) => renderPlanText(again.plan.report, io.stderr, { color: Boolean(io.stderr.isTTY) }),
      apply: ({ plan: toApply, projects }) =>
        executePlan({
          plan: toApply,
          kindOf: (name) => kindOf(run.setup.registry, name),
          contextFor: contextFactory(run.setup),
          designClient: run.clients.design,
          clients: run.clients,
          scopes: ownershipScopes(run.setup.registry),
          projects,
          parallelism: run.setup.parallelism,
          log: run.log,
        }),
    });
    const scrubbed = { ...report, results: report.results.map((r) => (r.error === undefined ? r : { ...r, error: scrubSecrets(r.error) })) };
    if (flags.output === 'json') io.stdout.write(renderApplyJson(scrubbed));
    else if (flags.output === 'markdown') io.stdout.write(renderApplyMarkdown(scrubbed));
    else renderApplyText(scrubbed, io.stdout, { color: Boolean(io.stdout.isTTY) });
    return report.failed > 0 || report.skipped > 0 ? EXIT_ERROR : EXIT_OK;
  } finally {
    await run.close();
  }
}

export const registerDestroy: CommandRegistrar = (program, ctx) => {
  const command = addLockOptions(
    addStateOptions(
      new Command('destroy').description(
        'delete everything this manifests tree manages (its ownership records), or the --target objects; protected objects never',
      ),
    ),
  )
    .option('--target <address>', 'destroy only this object (a project: with everything in it); repeatable', collect, [])
    .addOption(outputOption())
    .option('--auto-approve', 'destroy without asking for confirmation')
    .action(async (flags: DestroyFlags) => {
      ctx.setExitCode(await destroy(flags, ctx));
    });
  program.addCommand(command);
};

// `dss-gitops plan`: reads live state, prints what apply would change (text, json or markdown), optionally saves
// the plan to a file for `apply PLANFILE`. Sends GET requests only.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { collectVars } from '../config/vars.js';
import { scrubSecrets } from '../base/secrets.js';
import { hasChanges, renderPlanText, writePlanJson, writePlanMarkdown, type PlanReport } from '../diff/index.js';
import { buildPlanFile } from '../reconciler/plan-file.js';
import { planRun } from '../reconciler/reconcile.js';
import { narrowToChangedSince, withChangedSinceWarnings } from './changed-since.js';
import { EXIT_CHANGES, EXIT_OK } from './exit-codes.js';
import { useColor, type CliIo } from './io.js';
import { addManifestOptions, manifestLoadOptions } from './manifest-options.js';
import type { CommandContext, CommandRegistrar } from './program.js';
import { addRunOptions, openRun, preflightContexts, type RunFlags } from './run-context.js';
import { registryOf } from './kinds.js';
import { prunedOnRequestKinds } from '../resources/registry.js';
import { planDestroyRun } from './destroy-run.js';
import { UserError } from '../errors.js';
import { openStateRun } from './state.js';

export type OutputFormat = 'text' | 'json' | 'markdown';

/** The `--var` values a plan file keeps: those holding no known secret; the others by name only. */
function savedVars(vars: Readonly<Record<string, string>>): { vars: Record<string, string>; withheldVars?: string[] } {
  const kept: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(vars)) {
    if (scrubSecrets(value) === value) kept[name] = value;
    else withheld.push(name);
  }
  return { vars: kept, ...(withheld.length > 0 ? { withheldVars: withheld.sort() } : {}) };
}

export function outputOption(): Option {
  return new Option('--output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text');
}

export function renderPlan(report: PlanReport, format: OutputFormat, io: CliIo): void {
  if (format === 'json') writePlanJson(report, io.stdout);
  else if (format === 'markdown') writePlanMarkdown(report, io.stdout);
  else renderPlanText(report, io.stdout, { color: useColor(io, io.stdout) });
}

interface PlanFlags extends RunFlags {
  out?: string;
  output: OutputFormat;
  detailedExitcode?: boolean;
  changedSince?: string;
  adopt?: boolean;
  destroy?: boolean;
}

/** `--adopt` (plan and apply): taking over a project another source applied is never implicit. */
export function addAdoptOption(command: Command): Command {
  return command.option('--adopt', "make this source the owner of projects another source applied (their records' inventory kept)");
}

/** `plan --destroy`: the destroy plan of this source's records, GET requests only. */
async function planDestroyCommand(flags: PlanFlags, ctx: CommandContext): Promise<number> {
  const given = (value: unknown): boolean => value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
  if ([flags.out, flags.changedSince, flags.prune, flags.adopt, flags.replace].some(given)) {
    throw new UserError('BAD_FLAG', '--destroy takes no --out, --changed-since, --prune, --adopt or --replace: run `dss-gitops destroy` to delete');
  }
  const run = await openStateRun(flags, ctx);
  try {
    const { plan } = await planDestroyRun(run, flags.target);
    renderPlan(plan.report, flags.output, ctx.io);
    return flags.detailedExitcode && hasChanges(plan.report.summary) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await run.close();
  }
}

export const registerPlan: CommandRegistrar = (program, ctx) => {
  const command = new Command('plan').description('show what apply would change, without changing anything');
  addAdoptOption(addRunOptions(addManifestOptions(command)))
    .option('--out <file>', 'save the plan, for `apply FILE` (holds no secret value)')
    .addOption(outputOption())
    .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when there are none')
    .option('--changed-since <gitref>', 'plan only the objects whose manifests changed since GITREF, and what depends on them')
    .option('--destroy', 'show what `destroy` would delete (with --target, only those objects), without deleting anything')
    .action(async (flags: PlanFlags) => {
      const { io } = ctx;
      if (flags.destroy) {
        ctx.setExitCode(await planDestroyCommand(flags, ctx));
        return;
      }
      if ((flags.replace ?? []).length > 0 && flags.out !== undefined) {
        throw new UserError('BAD_FLAG', 'a saved plan does not hold --replace: give --replace to apply instead of --out');
      }
      const load = manifestLoadOptions(flags, io);
      const kinds = registryOf(ctx);
      const run = await openRun({
        flags,
        load,
        io,
        debug: ctx.debug(),
        kinds,
        plan: { prune: Boolean(flags.prune), allowEmpty: Boolean(flags.allowEmpty), targets: flags.target, adopt: Boolean(flags.adopt), pruneKinds: flags.pruneBundles ? prunedOnRequestKinds(kinds) : [], replace: flags.replace ?? [] },
        // --changed-since with nothing changed sends no request at all.
        deferPreflight: flags.changedSince !== undefined,
        preflightWhilePreparing: true,
      });
      try {
        const changed = flags.changedSince === undefined ? undefined : await narrowToChangedSince(run, flags.changedSince, load, flags.target);
        if (changed?.empty) {
          renderPlan(changed.empty, flags.output, io);
          if (flags.out !== undefined) io.stderr.write(`Nothing changed since ${flags.changedSince}: no plan saved to ${flags.out}.\n`);
          ctx.setExitCode(EXIT_OK);
          return;
        }
        if (changed) await run.checkConnection();
        // A plan may be as old as its preflight: the project list the preflight read is the plan's.
        const planned = await planRun(run.setup, run.set.documents, preflightContexts(run), run.connected);
        if (changed) planned.plan.report = withChangedSinceWarnings(planned.plan.report, changed, planned.plan.units.length);
        renderPlan(planned.plan.report, flags.output, io);
        if (flags.out !== undefined) {
          const file = buildPlanFile(planned, run.set.documents, {
            source: run.setup.source,
            ...(run.setup.commit !== undefined ? { commit: run.setup.commit } : {}),
            manifests: {
              cwd: io.cwd,
              paths: load.paths.map((p) => path.resolve(io.cwd, p)),
              ...(load.configPath !== undefined ? { configPath: path.resolve(io.cwd, load.configPath) } : {}),
              // The variables the plan was made with, so that `apply FILE` needs no flags again; a value holding a
              // secret stays out of the file and must be given again.
              ...savedVars(collectVars(load.vars, load.varFiles, load.cwd).vars),
            },
            options: {
              prune: run.setup.options.prune,
              allowEmpty: run.setup.options.allowEmpty,
              targets: run.setup.options.targets,
              pruneKinds: run.setup.options.pruneKinds ?? [],
            },
            salt: randomBytes(16).toString('hex'),
            createdAt: new Date().toISOString(),
          });
          writeFileSync(path.resolve(io.cwd, flags.out), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
          const adopt = flags.adopt ? ' --adopt' : '';
          if (flags.output === 'text') io.stdout.write(`\nSaved the plan to ${flags.out}. To apply exactly it: dss-gitops apply ${flags.out}${adopt}\n`);
        }
        ctx.setExitCode(flags.detailedExitcode && hasChanges(planned.plan.report.summary) ? EXIT_CHANGES : EXIT_OK);
      } finally {
        await run.close();
      }
    });
  program.addCommand(command);
};

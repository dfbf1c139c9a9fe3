// `dss-gitops apply`: plans, shows the plan, asks for confirmation on a terminal (or takes `--auto-approve`),
// then writes. `apply PLANFILE` applies a saved plan exactly, after checking that nothing it read has changed.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import {
  hasChanges,
  renderApplyJson,
  renderApplyMarkdown,
  renderApplyText,
  renderPlanText,
  type ApplyReport,
} from '../diff/index.js';
import { collectVars } from '../config/vars.js';
import { UserError } from '../errors.js';
import { scrubSecrets } from '../base/secrets.js';
import { parsePlanFile, restoreDocuments, staleObjects } from '../reconciler/plan-file.js';
import { applyRun, planRun, type PlannedRun } from '../reconciler/reconcile.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { useColor, type CliIo } from './io.js';
import { addLockOptions, checkConnectionAndObserveLock, lockedApply, lockSettings, lockWhilePlanning, type LockFlags } from './lock-options.js';
import { addManifestOptions, manifestLoadOptions } from './manifest-options.js';
import { addAdoptOption, outputOption, renderPlan, type OutputFormat } from './plan.js';
import type { CommandContext, CommandRegistrar } from './program.js';
import { addRunOptions, openRun, type RunContext, type RunFlags } from './run-context.js';
import { registryOf } from './kinds.js';
import { prunedOnRequestKinds } from '../resources/registry.js';

interface ApplyFlags extends RunFlags, LockFlags {
  output: OutputFormat;
  autoApprove?: boolean;
  adopt?: boolean;
}

export async function askLine(io: CliIo, prompt: string): Promise<string> {
  if (io.readLine) return io.readLine(prompt);
  const rl = createInterface({ input: process.stdin, output: io.stderr });
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
  }
}

function renderApply(applied: ApplyReport, format: OutputFormat, io: CliIo): void {
  // DSS error messages may echo a value we sent (a secret variable): scrub them like every other error.
  const report: ApplyReport = {
    ...applied,
    results: applied.results.map((r) => (r.error === undefined ? r : { ...r, error: scrubSecrets(r.error) })),
  };
  if (format === 'json') io.stdout.write(renderApplyJson(report));
  else if (format === 'markdown') io.stdout.write(renderApplyMarkdown(report));
  else renderApplyText(report, io.stdout, { color: useColor(io, io.stdout) });
}

async function applyFromManifests(flags: ApplyFlags, ctx: CommandContext): Promise<ApplyReport | undefined> {
  const { io } = ctx;
  // Refuse before reading anything: a pipeline without --auto-approve is a mistake, not a question.
  if (!flags.autoApprove && !io.stdinIsTTY) {
    throw new UserError(
      'CONFIRMATION_REQUIRED',
      'apply asks for confirmation, and standard input is not a terminal: pass --auto-approve to apply without asking',
    );
  }
  const kinds = registryOf(ctx);
  const run = await openRun({
    flags,
    load: manifestLoadOptions(flags, io),
    io,
    debug: ctx.debug(),
    kinds,
    plan: { prune: Boolean(flags.prune), allowEmpty: Boolean(flags.allowEmpty), targets: flags.target, adopt: Boolean(flags.adopt), pruneKinds: flags.pruneBundles ? prunedOnRequestKinds(kinds) : [], replace: flags.replace ?? [] },
    progressLines: flags.output === 'text',
    deferPreflight: true,
  });
  return withRun(run, async () => {
    const lock = await checkConnectionAndObserveLock(run, lockSettings(flags, io, `apply from ${run.setup.source}`));
    // Applied without asking: the lock is taken while the plan is made, as soon as it shows a write.
    const early = lockWhilePlanning(run, lock, Boolean(flags.autoApprove));
    try {
      const planned = await planRun(early.setup, run.set.documents);
      const changes = hasChanges(planned.plan.report.summary);
      if (flags.output === 'text') renderPlan(planned.plan.report, 'text', io);
      else if (changes && !flags.autoApprove) {
        // stdout stays one JSON or markdown document; the plan the question is about goes to the terminal.
        renderPlanText(planned.plan.report, io.stderr, { color: useColor(io, io.stderr) });
      }
      if (changes && !flags.autoApprove) {
        const answer = await askLine(io, '\nApply these changes? (yes) ');
        if (answer.trim() !== 'yes') {
          io.stderr.write('Apply cancelled.\n');
          return undefined;
        }
      }
      if (flags.output === 'text') io.stdout.write('\n');
      return await lockedApply({
        run,
        lock,
        io,
        planned,
        replan: () => planRun(run.setup, run.set.documents),
        approved: !flags.autoApprove,
        showChanged: (again) => {
          if (flags.output === 'text') {
            renderPlan(again.plan.report, 'text', io);
            io.stdout.write('\n');
          }
        },
        apply: (final) => applyRun(run.setup, final),
        taken: early.taken,
      });
    } finally {
      await early.release();
    }
  });
}

async function applySavedPlan(file: string, flags: ApplyFlags, ctx: CommandContext): Promise<ApplyReport> {
  const { io } = ctx;
  if ((flags.replace ?? []).length > 0) throw new UserError('BAD_FLAG', 'a saved plan is applied as it was reviewed: --replace goes with apply -f, not apply PLANFILE');
  const saved = parsePlanFile(readFileSync(path.resolve(io.cwd, file), 'utf8'), file);
  const given = new Set(Object.keys(collectVars(flags.var, flags.varFile, io.cwd).vars));
  const missing = (saved.manifests.withheldVars ?? []).filter((name) => !given.has(name));
  if (missing.length > 0) {
    throw new UserError(
      'PLAN_VARS_WITHHELD',
      `the saved plan does not hold the value of ${missing.map((n) => `--var ${n}`).join(', ')} (it holds a secret): give it again, as it was when the plan was made`,
    );
  }
  const run = await openRun({
    flags: { ...flags, target: saved.options.targets },
    load: {
      paths: saved.manifests.paths,
      ...(saved.manifests.configPath !== undefined ? { configPath: saved.manifests.configPath } : {}),
      // The plan's own variables (any given again come after them); the plan's documents keep the reviewed values.
      vars: [...Object.entries(saved.manifests.vars ?? {}).map(([name, value]) => `${name}=${value}`), ...flags.var],
      varFiles: flags.varFile,
      env: io.env,
      cwd: saved.manifests.cwd,
    },
    io,
    debug: ctx.debug(),
    kinds: registryOf(ctx),
    // A saved plan does not hold --adopt: it is given again to apply the plan file (the stale check compares).
    plan: { ...saved.options, adopt: Boolean(flags.adopt) },
    progressLines: flags.output === 'text',
    origin: { source: saved.source, ...(saved.commit !== undefined ? { commit: saved.commit } : {}) },
    deferPreflight: true,
  });
  return withRun(run, async () => {
    const documents = restoreDocuments(saved, run.set.documents);
    const planFresh = async (): Promise<PlannedRun> => {
      const planned = await planRun(run.setup, documents);
      const stale = staleObjects(saved, planned);
      if (stale.length > 0) {
        throw new UserError(
          'STALE_PLAN',
          `the saved plan is stale: ${stale.length} object(s) changed since it was made: ${stale.join(', ')}. Run plan again.`,
        );
      }
      return planned;
    };
    const lock = await checkConnectionAndObserveLock(run, lockSettings(flags, io, `apply ${path.basename(file)} from ${run.setup.source}`));
    const planned = await planFresh();
    if (flags.output === 'text') renderPlan(planned.plan.report, 'text', io);
    if (flags.output === 'text') io.stdout.write('\n');
    // When another run held the lock meanwhile, the plan is made and checked again under it: a saved plan is applied
    // exactly as reviewed, or not at all.
    return lockedApply({
      run,
      lock,
      io,
      planned,
      replan: planFresh,
      approved: true,
      showChanged: () => undefined,
      apply: (final) => applyRun(run.setup, final),
    });
  });
}

async function withRun<T>(run: RunContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await run.close();
  }
}

export const registerApply: CommandRegistrar = (program, ctx) => {
  const command = new Command('apply')
    .description('write the changes of a plan to DSS (GET-modify-PUT of the declared fields only)')
    .argument('[planfile]', 'a plan saved with `plan --out`, applied exactly as it was reviewed');
  addLockOptions(addAdoptOption(addRunOptions(addManifestOptions(command))))
    .addOption(outputOption())
    .option('--auto-approve', 'apply without asking for confirmation')
    .action(async (planfile: string | undefined, flags: ApplyFlags) => {
      const report = planfile === undefined ? await applyFromManifests(flags, ctx) : await applySavedPlan(planfile, flags, ctx);
      if (!report) {
        ctx.setExitCode(EXIT_ERROR);
        return;
      }
      renderApply(report, flags.output, ctx.io);
      ctx.setExitCode(report.failed > 0 || report.skipped > 0 ? EXIT_ERROR : EXIT_OK);
    });
  program.addCommand(command);
};

// `dss-gitops promote DEPLOYMENT --from DEPLOYMENT_OR_STAGE`: takes the bundle a healthy source deployment runs and
// proposes it for the target deployment's manifest. Without a flag it only tells; `--write` edits the manifest in
// place, `--commit` also commits it on a new branch for a pull request, `--apply` edits and rolls out now.

import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { simpleGit } from 'simple-git';
import { renderApplyText } from '../diff/index.js';
import { readHealth } from '../deployer/deployer-reads.js';
import { commitMessage, defaultBranch, summaryLine } from '../deployer/describe.js';
import { planPromotion, rewriteManifest, type RewrittenManifest } from '../deployer/promote.js';
import type { Promotion } from '../deployer/types.js';
import type { ApplyReport } from '../diff/index.js';
import { DssGitopsError, UserError } from '../errors.js';
import { createBranchAndCommit } from '../git/commit.js';
import type { ManifestDocument } from '../manifest/types.js';
import { narrowPlan } from '../reconciler/plan.js';
import { applyRun, planRun, unitsOf, type PlannedRun } from '../reconciler/reconcile.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { useColor, write, type CliIo } from './io.js';
import { addManifestOptions, manifestLoadOptions, type ManifestFlags } from './manifest-options.js';
import { addLockOptions, checkConnectionObservingLock, lockedApply, lockSettings, type LockFlags } from './lock-options.js';
import type { RunLock } from '../lock/run-lock.js';
import { renderPlan } from './plan.js';
import type { CommandContext, CommandRegistrar } from './program.js';
import { SIM_STATE_FILE, loadValidManifests, openRun, PARALLELISM_HELP, type RunContext } from './run-context.js';
import { registryOf } from './kinds.js';
import { addressOf } from '../manifest/address.js';
import { promotingKind } from '../resources/registry.js';

interface PromoteFlags extends ManifestFlags, LockFlags {
  from: string;
  write?: boolean;
  commit?: boolean;
  apply?: boolean;
  force?: boolean;
  branch?: string;
  sim?: boolean;
  detailedExitcode?: boolean;
  parallelism?: string;
}

type Mode = 'show' | 'write' | 'commit' | 'apply';

/** Errors raised under the lock before anything is applied. */
const NOTHING_APPLIED = new Set(['LOCK_HELD', 'LOCK_NOT_PERMITTED', 'LOCK_UNREADABLE', 'PLAN_CHANGED', 'PROMOTE_PREREQUISITE_MISSING']);

function modeOf(flags: PromoteFlags): Mode {
  const chosen = (['write', 'commit', 'apply'] as const).filter((m) => flags[m]);
  if (chosen.length > 1) throw new UserError('BAD_FLAG', `--${chosen.join(', --')} are exclusive: pick one`);
  if (flags.branch !== undefined && !flags.commit) throw new UserError('BAD_FLAG', '--branch only goes with --commit');
  return chosen[0] ?? 'show';
}

function relative(io: CliIo, file: string): string {
  return path.relative(io.cwd, file) || file;
}

function location(io: CliIo, p: Promotion): string {
  const at = p.target.position;
  return `${relative(io, at.file)}:${at.line}:${at.column}`;
}

async function writeManifest(rewritten: RewrittenManifest, io: CliIo): Promise<void> {
  await writeFile(rewritten.file, rewritten.after);
  write(io.stdout, `Wrote ${relative(io, rewritten.file)}: line ${rewritten.line} changed.`);
}

/**
 * `--commit` commits the manifest file whole: refused when the file differs from HEAD (uncommitted edits, or not
 * committed at all), which the commit would otherwise carry along with the one-line promotion.
 */
async function requireCommittedFile(file: string, io: CliIo): Promise<void> {
  const git = simpleGit({ baseDir: path.dirname(file) });
  let changed: boolean;
  try {
    const tracked = (await git.raw(['ls-files', '--', path.basename(file)])).trim() !== '';
    changed = !tracked || (await git.raw(['diff', '--name-only', 'HEAD', '--', path.basename(file)])).trim() !== '';
  } catch (error) {
    throw new UserError('git-status', `cannot tell whether ${relative(io, file)} has uncommitted changes`, { cause: error });
  }
  if (changed) {
    throw new UserError(
      'PROMOTE_DIRTY_FILE',
      `${relative(io, file)} has changes that are not committed: --commit would commit them with the promotion. ` +
        'Commit or stash them first, or use --write',
    );
  }
}

async function commitManifest(p: Promotion, rewritten: RewrittenManifest, flags: PromoteFlags, io: CliIo): Promise<void> {
  await requireCommittedFile(rewritten.file, io);
  const branch = flags.branch ?? defaultBranch(p);
  const done = await createBranchAndCommit({
    repoRoot: path.dirname(rewritten.file),
    branch,
    files: [{ path: rewritten.file, content: rewritten.after }],
    message: commitMessage(p, `${relative(io, rewritten.file)}:${rewritten.line}`),
  });
  write(io.stdout, `Committed ${done.commit.slice(0, 12)} on branch ${done.branch} (now checked out): push it and open a pull request.`);
}

/**
 * Plans the promoted deployment with what it is written after (its bundle, infra, published project), read only:
 * the plan shown and applied holds the deployment alone, and refuses when one of those does not exist in DSS yet.
 */
async function planDeploymentOnly(run: RunContext, documents: ManifestDocument[], address: string): Promise<PlannedRun> {
  const units = unitsOf(documents, run.setup.registry);
  const declared = new Set(units.map((u) => u.address));
  const prerequisites = (units.find((u) => u.address === address)?.orderAfter ?? []).filter((a) => declared.has(a));
  const setup = { ...run.setup, options: { ...run.setup.options, targets: [address, ...prerequisites] } };
  const planned = await planRun(setup, documents);
  const wanted = new Set(prerequisites);
  const missing = planned.plan.units.filter((u) => wanted.has(u.unit.address) && u.action === 'create').map((u) => u.unit.address);
  if (missing.length > 0) {
    throw new UserError(
      'PROMOTE_PREREQUISITE_MISSING',
      `${address} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist in DSS: ` +
        `promote --apply writes the deployment only; apply ${missing.length === 1 ? 'it' : 'them'} first ` +
        `(dss-gitops apply ${missing.map((m) => `--target ${m}`).join(' ')})`,
    );
  }
  const differing = planned.plan.units.filter((u) => wanted.has(u.unit.address) && u.action === 'update').map((u) => u.unit.address);
  const warnings = [
    // Neither the targeting nor the records of projects this promotion does not write concern the user here.
    ...planned.plan.report.warnings.filter((w) => !w.startsWith('--target limits') && !w.includes('#ownership: apply writes')),
    ...(differing.length > 0
      ? [`${differing.join(', ')} differ${differing.length === 1 ? 's' : ''} from the manifests and ${differing.length === 1 ? 'is' : 'are'} not written by promote --apply: run apply for that`]
      : []),
  ];
  return { ...planned, plan: narrowPlan(planned.plan, new Set([address]), warnings) };
}

/** Writes the manifest, then applies that one deployment alone, its bundle, infra and published project as they are. */
async function applyPromotion(
  p: Promotion,
  rewritten: RewrittenManifest,
  run: RunContext,
  observed: () => Promise<RunLock | undefined>,
  flags: PromoteFlags,
  ctx: CommandContext,
): Promise<number> {
  const { io } = ctx;
  // Before the manifest is edited: a run lock held by another run refuses the promotion with nothing changed.
  const lock = await observed();
  await writeManifest(rewritten, io);
  const documents = loadValidManifests(manifestLoadOptions(flags, io), io, run.setup.registry).documents;
  let planned: PlannedRun;
  try {
    planned = await planDeploymentOnly(run, documents, p.address);
  } catch (error) {
    // Nothing was applied: the manifest goes back to what it was, so the tree and DSS still agree.
    await writeFile(rewritten.file, rewritten.before);
    write(io.stdout, `Restored ${relative(io, rewritten.file)}: nothing was applied.`);
    throw error;
  }
  io.stdout.write('\n');
  renderPlan(planned.plan.report, 'text', io);
  io.stdout.write('\n');
  let report: ApplyReport;
  try {
    report = await lockedApply({
      run,
      lock,
      io,
      planned,
      replan: () => planDeploymentOnly(run, documents, p.address),
      approved: false,
      showChanged: (again) => renderPlan(again.plan.report, 'text', io),
      apply: (final) => applyRun(run.setup, final),
    });
  } catch (error) {
    // Refused before anything was written (the lock, or a plan made again under it): the manifest goes back too.
    if (error instanceof DssGitopsError && NOTHING_APPLIED.has(error.code)) {
      await writeFile(rewritten.file, rewritten.before);
      write(io.stdout, `Restored ${relative(io, rewritten.file)}: nothing was applied.`);
    }
    throw error;
  }
  renderApplyText(report, io.stdout, { color: useColor(io, io.stdout) });
  const status = await readHealth(run.clients.deployer, p.target.deploymentId);
  write(io.stdout, `${p.address}: ${status.health}${status.messages.length > 0 ? ` (${status.messages.join('; ')})` : ''}`);
  if (report.failed === 0 && report.skipped === 0) return EXIT_OK;
  write(
    io.stderr,
    `The manifest names bundle ${p.toBundleId} but its rollout failed: fix forward with a new bundle, ` +
      `or revert ${relative(io, rewritten.file)}:${rewritten.line}.`,
  );
  return EXIT_ERROR;
}

async function promote(deployment: string, flags: PromoteFlags, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const mode = modeOf(flags);
  // The kind whose objects run a bundle (a deployment) names the target.
  const kinds = registryOf(ctx);
  const address = addressOf(promotingKind(kinds).kind, deployment);
  const run = await openRun({
    kinds,
    flags: { ...flags, target: [address] },
    load: manifestLoadOptions(flags, io),
    io,
    debug: ctx.debug(),
    plan: { prune: false, allowEmpty: false, targets: [address] },
    // The rollout to the target stage takes a while: show its steps as apply does.
    progressLines: mode === 'apply',
    // --apply sends the preflight with the lock's first read, as apply does.
    deferPreflight: mode === 'apply',
  });
  try {
    const observed = mode === 'apply' ? (await checkConnectionObservingLock(run, lockSettings(flags, io, `promote --apply ${address} from ${run.setup.source}`))).lock : undefined;
    const promotion = await planPromotion(run.clients.deployer, run.set.documents, {
      target: deployment,
      from: flags.from,
      force: Boolean(flags.force),
    });
    for (const reason of promotion.forced) write(io.stderr, `Warning: promoting despite (--force): ${reason}`);
    write(io.stdout, summaryLine(promotion));
    write(io.stdout, `  ${location(io, promotion)}`);
    if (promotion.upToDate) {
      write(io.stdout, `Nothing to do: ${deployment} already names bundle ${promotion.toBundleId}.`);
      return EXIT_OK;
    }
    // Computed before any write, so an edit that cannot be made cleanly changes nothing.
    const rewritten = await rewriteManifest(promotion);
    switch (mode) {
      case 'show':
        write(io.stdout, 'Run again with --write, --commit or --apply to make this change.');
        return flags.detailedExitcode ? EXIT_CHANGES : EXIT_OK;
      case 'write':
        await writeManifest(rewritten, io);
        return EXIT_OK;
      case 'commit':
        await commitManifest(promotion, rewritten, flags, io);
        return EXIT_OK;
      case 'apply':
        return await applyPromotion(promotion, rewritten, run, observed ?? (() => Promise.resolve(undefined)), flags, ctx);
    }
  } finally {
    await run.close();
  }
}

export const registerPromote: CommandRegistrar = (program, ctx) => {
  const command = new Command('promote')
    .description("move the bundle a healthy deployment runs to the next stage's deployment, through its manifest")
    .argument('<deployment>', 'the target deployment id (a Deployment of the manifests)')
    .addOption(new Option('--from <deployment-or-stage>', 'the source: a deployment id, or a stage name').makeOptionMandatory());
  addLockOptions(addManifestOptions(command))
    .option('--write', "rewrite the target's spec.bundleId in its manifest file, keeping everything else")
    .option('--commit', 'also commit the change on a new branch, ready for a pull request')
    .option('--branch <name>', 'the branch of --commit (default: promote/<deployment>-<bundle>)')
    .option('--apply', 'write the manifest and apply that deployment now')
    .option('--force', 'promote even from an unhealthy source, or backwards through the stages')
    .option('--detailed-exitcode', 'without a flag, exit 2 when the manifest would change')
    .option('--parallelism <n>', PARALLELISM_HELP)
    .option('--sim', `run against the embedded DSS simulator (state in ${SIM_STATE_FILE})`)
    .action(async (deployment: string, flags: PromoteFlags) => {
      ctx.setExitCode(await promote(deployment, flags, ctx));
    });
  program.addCommand(command);
};

// `dss-gitops watch`: the long-running controller. Every cron tick (and once on start) it syncs the manifests,
// classifies drift, and with `--self-heal` reverts the drifted objects; metrics, probes and the webhook follow
// each run. SIGTERM or SIGINT lets the run in progress finish, closes the server and exits 0.

import * as path from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { runSecretRegistry, SecretRegistry } from '../base/secrets.js';
import { parseListenAddress } from '../watch/http.js';
import { assertValidSchedule } from '../watch/scheduler.js';
import { handleShutdownSignals } from '../watch/shutdown.js';
import { createManifestSource, defaultCacheDir, type SourceOptions } from '../watch/source.js';
import { startWatch } from '../watch/watch.js';
import { EXIT_OK } from './exit-codes.js';
import { addManifestOptions, manifestLoadOptions, type ManifestFlags } from './manifest-options.js';
import { addLockOptions, type LockFlags } from './lock-options.js';
import type { CommandRegistrar } from './program.js';
import { PARALLELISM_HELP, parseParallelism, SIM_STATE_FILE } from './run-context.js';
import { createDriftRunner } from './watch-run.js';
import { registryOf } from './kinds.js';

interface WatchFlags extends ManifestFlags, LockFlags {
  gitUrl?: string;
  gitRef?: string;
  gitPath?: string;
  schedule: string;
  selfHeal?: boolean;
  prune?: boolean;
  listen?: string;
  webhook?: string;
  parallelism?: string;
  sim?: boolean;
}

function sourceOptions(flags: WatchFlags, env: NodeJS.ProcessEnv, cwd: string): SourceOptions {
  const local = flags.file.length > 0;
  if (local === (flags.gitUrl !== undefined)) {
    throw new UserError('watch-source', 'watch reads its manifests from either -f PATH or --git-url URL (exactly one of them)');
  }
  if (!local && flags.gitUrl !== undefined) {
    return {
      gitUrl: flags.gitUrl,
      cacheDir: defaultCacheDir(env, cwd),
      ...(flags.gitRef === undefined ? {} : { gitRef: flags.gitRef }),
      ...(flags.gitPath === undefined ? {} : { gitPath: flags.gitPath }),
    };
  }
  if (flags.gitRef !== undefined || flags.gitPath !== undefined) {
    throw new UserError('watch-source', '--git-ref and --git-path go with --git-url');
  }
  return { path: path.resolve(cwd, flags.file[0] as string) };
}

export const registerWatch: CommandRegistrar = (program, ctx) => {
  const command = new Command('watch').description(
    'detect drift on a schedule (and repair it with --self-heal), with health, readiness and Prometheus endpoints',
  );
  addLockOptions(addManifestOptions(command))
    .option('--git-url <url>', 'read the manifests from this git repository, fetched before every run')
    .option('--git-ref <ref>', 'branch, tag or commit to check out (default: the remote HEAD)')
    .option('--git-path <dir>', 'directory of the repository that holds the manifests')
    .requiredOption('--schedule <cron>', 'node-cron expression, e.g. "*/10 * * * *" (six fields: seconds first)')
    .option('--self-heal', 'apply the drifted objects (only them: pending manifest changes are left to apply)')
    .option('--prune', 'with --self-heal, also delete owned objects that left the manifests')
    .option('--listen <host:port>', 'serve /healthz, /readyz and /metrics on this address')
    .option('--webhook <url>', 'POST a JSON message (Slack-compatible) when the set of drifted objects changes (default: DSS_GITOPS_WEBHOOK_URL)')
    .option('--parallelism <n>', PARALLELISM_HELP)
    .option('--sim', `run against the embedded DSS simulator (state in ${SIM_STATE_FILE})`)
    .action(async (flags: WatchFlags) => {
      const { io } = ctx;
      // Refuse bad flags before anything starts: a controller that fails at its first tick fails late.
      assertValidSchedule(flags.schedule);
      parseParallelism(flags.parallelism, 1);
      const listen = flags.listen === undefined ? undefined : parseListenAddress(flags.listen);
      const source = createManifestSource(sourceOptions(flags, io.env, io.cwd));
      const webhook = webhookUrl(flags, io.env);
      if (webhook !== undefined && !/^https?:\/\/[^/]/i.test(webhook)) {
        // Not quoted: the text may be the credential itself, pasted in the wrong place.
        throw new UserError('BAD_WEBHOOK_URL', 'the webhook URL (--webhook or DSS_GITOPS_WEBHOOK_URL) is not an http(s) URL');
      }
      // The run's registry: what every tick's manifests resolve joins it, so logs of later ticks are scrubbed too.
      const secrets = runSecretRegistry() ?? new SecretRegistry();
      for (const value of [io.env.DSS_API_KEY, io.env.DSS_DEPLOYER_API_KEY, webhook]) secrets.add(value);
      const logger = createLogger({ level: 'info', pretty: Boolean(io.stderr.isTTY), destination: io.stderr, secrets });
      const git = flags.gitUrl !== undefined;
      const runOnce = createDriftRunner({
        source,
        kinds: registryOf(ctx),
        // From git, the checkout is the one manifests path; locally, every -f path is read.
        load: (dir) => {
          const base = manifestLoadOptions(flags, io);
          return git ? { ...base, paths: [dir] } : base;
        },
        flags: {
          ...(flags.parallelism === undefined ? {} : { parallelism: flags.parallelism }),
          ...(flags.sim ? { sim: true } : {}),
        },
        selfHeal: Boolean(flags.selfHeal),
        prune: Boolean(flags.selfHeal) && Boolean(flags.prune),
        lock: { ...(flags.lock === undefined ? {} : { lock: flags.lock }), ...(flags.lockTimeout === undefined ? {} : { lockTimeout: flags.lockTimeout }) },
        io,
        debug: ctx.debug(),
        logger,
      });
      const watch = await startWatch({
        schedule: flags.schedule,
        runOnce,
        logger,
        ...(listen === undefined ? {} : { listen }),
        ...(webhook === undefined ? {} : { webhook }),
      });
      logger.info(
        { schedule: flags.schedule, selfHeal: Boolean(flags.selfHeal), prune: Boolean(flags.selfHeal && flags.prune), ...(watch.address ?? {}) },
        'watch started',
      );
      const shutdown = handleShutdownSignals({ shutdown: () => watch.stop(), logger });
      await shutdown.done;
      logger.flush();
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};

/**
 * The webhook: `--webhook` when given, else DSS_GITOPS_WEBHOOK_URL. A Slack or Teams URL is a credential, and a
 * flag shows in `ps` and in pod specs; the environment can take it from a Kubernetes Secret.
 */
export function webhookUrl(flags: { webhook?: string }, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.webhook !== undefined) return flags.webhook;
  const fromEnv = env.DSS_GITOPS_WEBHOOK_URL;
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

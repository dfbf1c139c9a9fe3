// What a command that talks to DSS needs: the manifests loaded and valid, a logger that redacts secrets, a client
// per node (or the embedded simulator with `--sim`), and the reconciler's run setup. Closed at the end.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { nodeSettings, requireConnection } from '../config/connection.js';
import type { GitopsConfig } from '../config/types.js';
import { diffManaged } from '../diff/index.js';
import { createDssClient } from '../dss/client.js';
import { DssApiError } from '../dss/errors.js';
import type { DssClient } from '../dss/types.js';
import { UserError } from '../errors.js';
import { checkoutFacts, type CheckoutFacts } from '../git/checkout.js';
import { createLogger, type AppLogger } from '../log/logger.js';
import { registerSecrets, runSecretRegistry, scrubSecrets, SecretRegistry } from '../base/secrets.js';
import { formatProblem } from '../manifest/format-problems.js';
import { loadManifestSet } from '../input/load.js';
import { isError, type LoadManifestOptions, type ManifestSet } from '../manifest/types.js';
import { normalizeRemoteUrl } from '../reconciler/ownership.js';
import { contextFactory, type RunSetup } from '../reconciler/reconcile.js';
import type { CompareFn, PlanOptions } from '../reconciler/types.js';
import { kindRegistry, type KindRegistry } from '../resources/registry.js';
import type { KindContext, ResourceKind } from '../resources/types.js';
import { seedAnswer } from '../resources/run-memo.js';
import type { SimulatorHandle } from '../simulator/server.js';
import { write, type CliIo } from './io.js';
import { readProgress, writeProgress } from './progress.js';
import type { ManifestFlags } from './manifest-options.js';

export interface RunFlags extends ManifestFlags {
  target: string[];
  prune?: boolean;
  /** With `--prune`, also delete exported bundles that left the manifests. */
  pruneBundles?: boolean;
  allowEmpty?: boolean;
  /** `--replace` (plan and apply). */
  replace?: string[];
  parallelism?: string;
  sim?: boolean;
}

/** Where `--sim` keeps the embedded simulator's state, relative to the working directory. */
export const SIM_STATE_FILE = path.join('.dss-gitops', 'sim-state.json');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The help of `--parallelism`, which every command that talks to DSS takes. */
export const PARALLELISM_HELP = 'requests at once to each node (default: defaults.parallelism of the config, 8)';

/** The options shared by plan and apply, besides the manifest ones. */
export function addRunOptions(command: Command): Command {
  return command
    .option('--target <address>', 'limit the run to this object and what it depends on (repeatable)', collect, [])
    .option('--prune', 'delete objects applied earlier that left the manifests')
    .option('--prune-bundles', 'with --prune, also delete exported bundles that left the manifests (never by --prune alone)')
    .option('--replace <address>', 'write this object again even when in sync: a deployment is rolled out again (repeatable)', collect, [])
    .option('--allow-empty', 'let prune delete a whole project whose manifests are all gone, or run when the manifests declare nothing')
    .option('--parallelism <n>', PARALLELISM_HELP)
    .option('--sim', `run against the embedded DSS simulator (state in ${SIM_STATE_FILE})`);
}

export const compareWithDiff: CompareFn = (desired, live, policy, options) => diffManaged(desired, live, policy, options);

export interface RunContext {
  set: ManifestSet;
  setup: RunSetup;
  log: AppLogger;
  clients: RunSetup['clients'];
  sim?: SimulatorHandle;
  /** The preflight read of each node (done by openRun unless deferred). */
  checkConnection(): Promise<void>;
  /** Settles when openRun's preflight has its answers (at once when openRun waited for them, or deferred it). */
  connected: Promise<void>;
  /**
   * A run cache holding what the preflight read (the design node's project list), for a first plan that may be as
   * old as the preflight (plan, drift): that plan reads nothing twice. A writing run plans after it looked at the
   * run lock, from what it reads after that (`contextFactory(setup)` alone); so does every later plan of a run.
   */
  preflightCache(): Map<string, unknown>;
  close(): Promise<void>;
}

/** Loads the manifests, printing every problem; throws when there is any error, before any request is sent. */
export function loadValidManifests(options: LoadManifestOptions, io: CliIo, kinds: KindRegistry = kindRegistry()): ManifestSet {
  const set = loadManifestSet(options, kinds);
  for (const problem of set.problems) write(io.stderr, formatProblem(problem, io.cwd));
  const errors = set.problems.filter(isError).length;
  if (errors > 0) throw new UserError('INVALID_MANIFESTS', `${errors} error(s): the manifests are not valid`);
  return set;
}

/**
 * Manifests that declare nothing are a mistake (a wrong -f, an empty checkout) unless the user says otherwise:
 * a plan of nothing would read "No changes" and pass a pipeline that checked nothing.
 */
export function requireDocuments(set: ManifestSet, load: LoadManifestOptions, allowEmpty: boolean): void {
  if (set.documents.length > 0 || allowEmpty) return;
  const where = load.paths.map((p) => path.relative(load.cwd, path.resolve(load.cwd, p)) || '.').join(', ');
  throw new UserError('NO_MANIFESTS', `no manifest document found in ${where}: check -f, or pass --allow-empty if declaring nothing is intended`);
}

/** `--parallelism`, checked before anything starts (the embedded simulator, clients): a bad flag leaves nothing open. */
export function parseParallelism(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError('BAD_FLAG', `--parallelism must be a positive integer, not ${value}`);
  return n;
}

/** The first manifests path, absolute: the run's source is named after it. */
function manifestsPath(options: LoadManifestOptions): string {
  return path.resolve(options.cwd, options.paths[0] ?? '.');
}

/**
 * Which manifests tree this is, the same in every clone and different between two repositories laid out alike:
 * `source:` of dss-gitops.yaml when set, else the normalized `origin` remote and the path inside the checkout
 * (`git:github.com/team/dss#manifests`), else the absolute path of the manifests directory. `checkout` is what git
 * says of the manifests' checkout, when the caller asked already.
 */
export async function sourceOf(
  options: LoadManifestOptions,
  config: GitopsConfig,
  checkout: Promise<CheckoutFacts> = checkoutFacts(manifestsPath(options)),
): Promise<{ source: string; commit?: string }> {
  const first = manifestsPath(options);
  const { root, commit, origin: remote } = await checkout;
  let source: string;
  if (config.source !== undefined) source = config.source;
  else if (root && remote) source = `git:${normalizeRemoteUrl(remote)}#${path.relative(root, first).split(path.sep).join('/') || '.'}`;
  else source = `dir:${first}`;
  return commit ? { source, commit } : { source };
}

export interface OpenRunOptions {
  flags: RunFlags;
  load: LoadManifestOptions;
  io: CliIo;
  debug: boolean;
  plan: Omit<PlanOptions, 'ignoreDifferences'>;
  /** Overrides the source and commit (a saved plan keeps its own). */
  origin?: { source: string; commit?: string };
  /** Prints the steps of long operations (rollouts) on stdout as they change, for text output only. */
  progressLines?: boolean;
  /** The command calls `checkConnection()` itself, when it knows it will read DSS at all. */
  deferPreflight?: boolean;
  /**
   * openRun returns while the preflight waits for its answers: the command prepares its plan meanwhile and waits for
   * `connected` before it reads anything else (plan, drift).
   */
  preflightWhilePreparing?: boolean;
  /** The kinds of the run (`registryOf(ctx)`, cli/kinds.ts); the registry's when absent. */
  kinds?: KindRegistry;
}

/**
 * `--sim`: starts the embedded simulator with its state in SIM_STATE_FILE and points the design node at it, with a
 * key made for this run only (the embedded node lives as long as the command).
 */
export async function startEmbeddedSimulator(io: CliIo, config: GitopsConfig): Promise<SimulatorHandle> {
  const stateFile = path.join(io.cwd, SIM_STATE_FILE);
  // The state is the user's alone: its directory 0700 when made here, the file 0600, secrets sealed.
  mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
  const adminKey = randomBytes(24).toString('base64url');
  registerSecrets([adminKey]);
  // Loaded here, not with the module: only --sim runs need the simulator (and its archive and deployer code).
  const [{ startSimulator }, { defaultStateKeyFile }] = await Promise.all([import('../simulator/server.js'), import('../simulator/persistence.js')]);
  // The run's registry, which the manifests' secrets join later: a string holding one is sealed under any key.
  const secrets = runSecretRegistry();
  const sealStrings = (text: string): boolean => secrets?.reveals(text) ?? false;
  const sim = await startSimulator({ stateFile, stateKeyFile: defaultStateKeyFile(io.env), adminKey, sealStrings });
  config.nodes = { design: { url: sim.url, apiKey: adminKey } };
  return sim;
}

/**
 * Every value the run's output must never show: resolved secrets and the nodes' API keys. Inside a CLI run they
 * join the run's registry (see base/secrets.ts), which the logger then uses, so the set is the same everywhere.
 */
export function runSecretValues(resolved: Iterable<string>, config: GitopsConfig): SecretRegistry {
  const registry = runSecretRegistry() ?? new SecretRegistry();
  for (const value of resolved) registry.add(value);
  for (const node of [config.nodes.design, config.nodes.deployer]) if (node?.apiKey) registry.add(node.apiKey);
  return registry;
}

/**
 * One light read per node before the run: DSS down, a wrong URL or a refused key is one clear error here, not an
 * error per object after each has retried. The answers go into `answers` (see RunContext.preflightCache), and the
 * reads count among the run's requests like any other.
 */
async function preflight(design: DssClient, deployer: DssClient, answers: Map<string, unknown>): Promise<void> {
  const checks: Array<[DssClient, string]> = [[design, '/projects/']];
  if (deployer !== design) checks.push([deployer, '/project-deployer/projects']);
  for (const [client, route] of checks) {
    try {
      seedAnswer(answers, client, route, await client.getJson(route));
    } catch (error) {
      const refused = error instanceof DssApiError && (error.status === 401 || error.status === 403);
      const hint = refused
        ? `the API key was refused (HTTP ${(error as DssApiError).status}): check ${client === design ? 'DSS_API_KEY' : 'DSS_DEPLOYER_API_KEY'} or the node's apiKey`
        : `check ${client === design ? 'DSS_URL' : 'DSS_DEPLOYER_URL'} (or the node's url) and that DSS is up`;
      const reason = error instanceof Error ? error.message : String(error);
      throw new UserError('DSS_PREFLIGHT', `cannot use the ${client.nodeName} node at ${client.url}: ${hint}.\n  ${scrubSecrets(reason)}`, { cause: error });
    }
  }
}

/**
 * Each document is read at least once: a node that will be sent as many requests as connections, or more, opens them
 * all with its first (the preflight), while that one waits for its answer.
 */
function warmConnections(set: ManifestSet, kinds: KindRegistry, clients: RunSetup['clients']): void {
  const onDeployer = set.documents.filter((doc) => kinds.get(doc.kind)?.node === 'deployer').length;
  if (clients.deployer === clients.design) {
    clients.design.warmConnections(set.documents.length);
    return;
  }
  clients.design.warmConnections(set.documents.length - onDeployer);
  clients.deployer.warmConnections(onDeployer);
}

/**
 * The kinds' contexts of a run's first plan (plan, drift), from the preflight's answers (see RunContext.preflightCache):
 * made when the plan first asks for one, which is after `connected`, so that the preflight may still be waiting when
 * the plan is started.
 */
export function preflightContexts(run: RunContext, setup: RunSetup = run.setup): (kind: ResourceKind) => KindContext {
  let contexts: ((kind: ResourceKind) => KindContext) | undefined;
  return (kind) => (contexts ??= contextFactory(setup, run.preflightCache()))(kind);
}

export async function openRun(options: OpenRunOptions): Promise<RunContext> {
  const { io, flags } = options;
  // What git says of the manifests' checkout needs nothing from the manifests: asked first, a git process (where
  // one is needed) runs while they load.
  const checkout = options.origin === undefined ? checkoutFacts(manifestsPath(options.load)) : undefined;
  const set = loadValidManifests(options.load, io, options.kinds);
  const config = set.config;
  requireDocuments(set, options.load, options.plan.allowEmpty);
  // Every flag is checked before anything is started, so that an early error has nothing to release.
  const parallelism = parseParallelism(flags.parallelism, config.defaults.parallelism);
  if (!flags.sim) requireConnection(config);
  const sim = flags.sim ? await startEmbeddedSimulator(io, config) : undefined;
  try {
    return await openClients(options, set, parallelism, sim, checkout);
  } catch (error) {
    if (sim) await sim.close();
    throw error;
  }
}

async function openClients(
  options: OpenRunOptions,
  set: ManifestSet,
  parallelism: number,
  sim: SimulatorHandle | undefined,
  checkout: Promise<CheckoutFacts> | undefined,
): Promise<RunContext> {
  const { io } = options;
  const config = set.config;
  const secrets = runSecretValues(set.secrets, config);
  const log = createLogger({
    level: options.debug ? 'debug' : 'warn',
    pretty: Boolean(io.stderr.isTTY),
    destination: io.stderr,
    secrets,
  });
  // The connection pools are sized from defaults.parallelism: --parallelism must size them too.
  config.defaults = { ...config.defaults, parallelism };
  const design = createDssClient(nodeSettings(config, 'design'), { nodeName: 'design', defaults: config.defaults, logger: log });
  const deployer: DssClient = config.nodes.deployer
    ? createDssClient(nodeSettings(config, 'deployer'), { nodeName: 'deployer', defaults: config.defaults, logger: log })
    : design;
  const clients = { design, deployer };
  warmConnections(set, options.kinds ?? kindRegistry(), clients);
  const closeClients = async (): Promise<void> => {
    await design.close();
    if (deployer !== design) await deployer.close();
  };
  const answers = new Map<string, unknown>();
  // The preflight and git's answers need nothing from each other: one waits on DSS, the other (when git had to be
  // asked) on processes.
  const connected = options.deferPreflight ? Promise.resolve() : preflight(design, deployer, answers);
  // Its error is the command's, when it waits for it later (preflightWhilePreparing), or this function's.
  connected.catch(() => undefined);
  let origin: { source: string; commit?: string };
  try {
    [, origin] = await Promise.all([options.preflightWhilePreparing ? undefined : connected, options.origin ?? sourceOf(options.load, config, checkout)]);
  } catch (error) {
    await connected.catch(() => undefined);
    await closeClients();
    throw error;
  }
  const progress = writeProgress(io);
  const reads = readProgress(io);
  const setup: RunSetup = {
    registry: options.kinds ?? kindRegistry(),
    clients,
    log,
    parallelism,
    compare: compareWithDiff,
    source: origin.source,
    ...(origin.commit !== undefined ? { commit: origin.commit } : {}),
    options: { ...options.plan, prune: options.plan.prune || config.prune, ignoreDifferences: config.ignoreDifferences },
    ...(progress ? { onProgress: progress } : {}),
    ...(reads ? { onReadProgress: reads } : {}),
    ...(config.defaults.projectOwner !== undefined ? { defaults: { projectOwner: config.defaults.projectOwner } } : {}),
    ...(options.progressLines ? { onMessage: (address: string, message: string) => write(io.stdout, scrubSecrets(`  ${address}: ${message}`)) } : {}),
  };
  return {
    set,
    setup,
    log,
    clients,
    ...(sim ? { sim } : {}),
    checkConnection: () => preflight(design, deployer, answers),
    connected,
    preflightCache: () => new Map(answers),
    async close() {
      await closeClients();
      if (sim) await sim.close();
    },
  };
}

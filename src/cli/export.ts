// `dss-gitops export`: writes manifests from live DSS, so that a team adopting dss-gitops starts from what it has.
// Sends GET requests only. Never writes a secret: values under secret-looking names become `${secret:NAME}`
// references, listed at the end and in SECRETS.md.

import { KIND_NAMES, type KindRegistry } from '../resources/registry.js';
import { renderSchemaFile, schemaFileOf } from '../resources/schema-files.js';
import { registryOf } from './kinds.js';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { nodeSettings, requireConnection } from '../config/connection.js';
import { loadConfig, locateConfig } from '../input/load-config.js';
import { createDssClient } from '../dss/client.js';
import type { DssClient } from '../dss/types.js';
import { UserError } from '../errors.js';
import { collectExport, exportingKinds } from '../export/collect.js';
import { SECRETS_FILE, renderExport, secretsOf } from '../export/render.js';
import { resolveExportScope } from '../export/scope.js';
import { EXPORT_LAYOUTS, type ExportLayout, type ExportedDocument } from '../export/types.js';
import { findRepoRoot } from '../git/repository.js';
import { createLogger } from '../log/logger.js';
import { formatProblem } from '../manifest/format-problems.js';
import { isError } from '../manifest/types.js';
import type { SimulatorHandle } from '../simulator/server.js';
import { EXIT_OK } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import type { CommandRegistrar } from './program.js';
import { PARALLELISM_HELP, parseParallelism, runSecretValues, SIM_STATE_FILE, startEmbeddedSimulator } from './run-context.js';

interface ExportFlags {
  project: string[];
  allProjects?: boolean;
  deployer?: boolean;
  platform?: boolean;
  out: string;
  layout: ExportLayout;
  config?: string;
  parallelism?: string;
  sim?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function checkFlags(flags: ExportFlags): void {
  if (flags.project.length > 0 && flags.allProjects) throw new UserError('BAD_FLAG', 'give either --project or --all-projects, not both');
  if (flags.project.length === 0 && !flags.allProjects && !flags.platform) {
    throw new UserError('BAD_FLAG', 'give --project KEY (repeatable), --all-projects or --platform');
  }
}

/** The output directory, which must be new or empty: an export never mixes with older files. */
function outputDirectory(flags: ExportFlags, io: CliIo): string {
  const out = path.resolve(io.cwd, flags.out);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new UserError('EXPORT_OUT_NOT_EMPTY', `${flags.out} is not empty: export into a new or empty directory`);
  }
  return out;
}

/** `schemas/` of the repository the output is in, relative to the output, when that repository has the schemas. */
export async function schemasDirFor(out: string): Promise<string | undefined> {
  let existing = out;
  while (!existsSync(existing)) existing = path.dirname(existing);
  const root = await findRepoRoot(existing);
  if (root === undefined || !existsSync(path.join(root, 'schemas', 'project.schema.json'))) return undefined;
  return path.relative(out, path.join(root, 'schemas')).split(path.sep).join('/');
}

/** The JSON Schemas this package ships (`schemas/`), copied into an export made outside a repository that has them. */
const SHIPPED_SCHEMAS = new URL('../../schemas/', import.meta.url);
const EXPORTED_SCHEMAS_DIR = 'schemas';

/** A schema file of the export: the shipped one, or for a kind the package does not ship, its own schema. */
function schemaFileContent(name: string, registry: KindRegistry): string {
  const unshipped = [...registry.values()].find((k) => schemaFileOf(k.kind) === name && !KIND_NAMES.includes(k.kind));
  return unshipped ? renderSchemaFile(unshipped.schema) : readFileSync(new URL(name, SHIPPED_SCHEMAS), 'utf8');
}

/** The schema files the rendered files' `yaml-language-server` lines name, sorted. */
function referencedSchemas(files: ReadonlyMap<string, string>): string[] {
  const names = new Set<string>();
  for (const content of files.values()) {
    const match = /^# yaml-language-server: \$schema=(\S+)$/m.exec(content);
    if (match) names.add(path.posix.basename(match[1]!));
  }
  return [...names].sort();
}

function summary(documents: readonly ExportedDocument[]): string {
  const counts = new Map<string, number>();
  for (const doc of documents) counts.set(doc.kind, (counts.get(doc.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'nothing';
}

async function runExport(flags: ExportFlags, io: CliIo, debug: boolean, registry: KindRegistry): Promise<void> {
  checkFlags(flags);
  const out = outputDirectory(flags, io);
  const loaded = loadConfig(locateConfig(flags.config, io.cwd, io.cwd), { env: io.env, vars: {} });
  for (const problem of loaded.problems) write(io.stderr, formatProblem(problem, io.cwd));
  if (loaded.problems.some(isError)) throw new UserError('INVALID_CONFIG', 'the configuration is not valid');
  const config = loaded.config;
  // Every flag is checked before the embedded simulator starts, so that an early error has nothing to release.
  const parallelism = parseParallelism(flags.parallelism, config.defaults.parallelism);
  if (!flags.sim) requireConnection(config, flags.deployer ? ['design', 'deployer'] : ['design']);
  const sim: SimulatorHandle | undefined = flags.sim ? await startEmbeddedSimulator(io, config) : undefined;
  const secrets = runSecretValues(loaded.secrets, config);
  const log = createLogger({ level: debug ? 'debug' : 'warn', pretty: Boolean(io.stderr.isTTY), destination: io.stderr, secrets });
  config.defaults = { ...config.defaults, parallelism };
  let design: DssClient | undefined;
  let deployer: DssClient | undefined;
  try {
    design = createDssClient(nodeSettings(config, 'design'), { nodeName: 'design', defaults: config.defaults, logger: log });
    deployer = config.nodes.deployer
      ? createDssClient(nodeSettings(config, 'deployer'), { nodeName: 'deployer', defaults: config.defaults, logger: log })
      : design;
    const clients = { design, deployer };
    const runCache = new Map<string, unknown>();
    const scope = await resolveExportScope(
      { client: design, clients, log, runCache },
      { projects: flags.allProjects ? 'all' : flags.project, deployer: Boolean(flags.deployer), platform: Boolean(flags.platform) },
    );
    const kinds = [...registry.values()];
    if (flags.deployer && !exportingKinds(kinds, scope).some((k) => k.node === 'deployer')) {
      write(io.stderr, 'Warning: no deployer kind can be exported by this version yet; --deployer exports nothing more.');
    }
    const documents = await collectExport({ kinds, clients, log, parallelism, scope, runCache });
    // Schema lines point at the repository's schemas/ when the output is inside it, else at a copy in the export.
    const repositorySchemas = await schemasDirFor(out);
    const files = renderExport(documents, {
      layout: flags.layout,
      separateDeployer: config.nodes.deployer !== undefined,
      schemasDir: repositorySchemas ?? EXPORTED_SCHEMAS_DIR,
    });
    if (repositorySchemas === undefined) {
      for (const name of referencedSchemas(files)) files.set(`${EXPORTED_SCHEMAS_DIR}/${name}`, schemaFileContent(name, registry));
    }
    const made = new Set<string>();
    for (const [file, content] of files) {
      const full = path.join(out, ...file.split('/'));
      const parent = path.dirname(full);
      if (!made.has(parent)) mkdirSync(parent, { recursive: true });
      made.add(parent);
      writeFileSync(full, content);
    }
    write(io.stdout, `Exported ${summary(documents)} to ${flags.out} (${files.size} files).`);
    const needed = secretsOf(documents);
    if (needed.size > 0) {
      write(io.stdout, `\nSecrets to provide in the environment (listed in ${path.join(flags.out, SECRETS_FILE)}, without values):`);
      for (const [name, where] of needed) write(io.stdout, `  ${name}  (${where.join(', ')})`);
    }
  } finally {
    await design?.close();
    if (deployer !== design) await deployer?.close();
    if (sim) await sim.close();
  }
}

export const registerExport: CommandRegistrar = (program, ctx) => {
  const command = new Command('export')
    .description('write manifests from live DSS objects (GET requests only; secrets become ${secret:NAME} references)')
    .option('--project <key>', 'export this project (repeatable)', collect, [])
    .option('--all-projects', 'export every project of the design node')
    .option('--deployer', "also export the deployer's objects")
    .option('--platform', "also export the design node's platform objects (groups, users, connections, code envs, plugins, instance settings)")
    .option('--out <dir>', 'output directory, new or empty', './exported')
    .addOption(new Option('--layout <layout>', 'files by project or by kind').choices(EXPORT_LAYOUTS).default('by-project'))
    .option('--config <file>', 'configuration file with the connection settings (default: dss-gitops.yaml in the current directory, if any)')
    .option('--parallelism <n>', PARALLELISM_HELP)
    .option('--sim', `export from the embedded DSS simulator (state in ${SIM_STATE_FILE})`)
    .action(async (flags: ExportFlags) => {
      await runExport(flags, ctx.io, ctx.debug(), registryOf(ctx));
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};

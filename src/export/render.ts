// Renders exported documents to file contents, deterministically: keys sorted at every level (list order kept,
// so steps stay in order), each manifest starting with its `yaml-language-server` schema line, plus a
// `dss-gitops.yaml` skeleton with no key and a `SECRETS.md` naming (never holding) the secrets to provide.

import { byText, compareText } from '../base/order.js';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { API_VERSION } from '../resources/common.schema.js';
import type { ExportedSecret } from '../resources/types.js';
import { documentPath } from './layout.js';
import type { ExportFiles, ExportLayout, ExportedDocument } from './types.js';

export interface RenderOptions {
  layout: ExportLayout;
  /**
   * The repository's `schemas/` directory relative to the output directory (`/`-separated), when the output is
   * inside the repository; schema lines are then relative paths to it. Without it, they name the schema file.
   */
  schemasDir?: string;
  /** Whether the deployer node is configured apart from the design node: the skeleton names its URL too. */
  separateDeployer: boolean;
}

export const CONFIG_FILE = 'dss-gitops.yaml';
export const SECRETS_FILE = 'SECRETS.md';

function schemaFileName(kind: string): string {
  return `${kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.schema.json`;
}

function schemaLine(file: string, schema: string, options: RenderOptions): string {
  const target = options.schemasDir === undefined ? schema : path.posix.relative(path.posix.dirname(file), path.posix.join(options.schemasDir, schema));
  return `# yaml-language-server: $schema=${target}\n`;
}

function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

function renderDocument(doc: ExportedDocument, file: string, options: RenderOptions): string {
  const body = { apiVersion: API_VERSION, kind: doc.kind, metadata: doc.metadata, spec: doc.spec };
  return schemaLine(file, schemaFileName(doc.kind), options) + toYaml(body);
}

function renderConfig(options: RenderOptions, external: string[]): string {
  const nodes: Record<string, unknown> = { design: { url: '${env:DSS_URL}' } };
  if (options.separateDeployer) nodes.deployer = { url: '${env:DSS_DEPLOYER_URL}' };
  const lines = [
    schemaLine(CONFIG_FILE, 'config.schema.json', options).trimEnd(),
    '#',
    '# Written by `dss-gitops export`. No API key is written here: set DSS_API_KEY (and DSS_DEPLOYER_API_KEY for a',
    '# separate deployer node) in the environment, or interpolate one with `apiKey: ${secret:NAME}`.',
    '',
  ];
  const config: Record<string, unknown> = { nodes, prune: false };
  if (external.length > 0) config.external = external;
  return `${lines.join('\n')}\n${toYaml(config)}`;
}

/** The secrets an export replaced by references, sorted by name, each once with every place it stands for. */
export function secretsOf(documents: readonly ExportedDocument[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  const all: ExportedSecret[] = documents.flatMap((d) => d.secrets);
  for (const secret of [...all].sort(byText((s) => s.name))) {
    byName.set(secret.name, [...(byName.get(secret.name) ?? []), secret.where]);
  }
  return byName;
}

function renderSecrets(secrets: Map<string, string[]>): string {
  const lines = [
    '# Secrets to provide',
    '',
    'The exported manifests never hold a secret value. Values under secret-looking names were replaced by',
    '`${secret:NAME}` references: export each NAME in the environment that runs dss-gitops (from your CI secret',
    'store), with the value it has in DSS today.',
    '',
    '| Environment variable | Replaces |',
    '| --- | --- |',
    ...[...secrets].map(([name, where]) => `| \`${name}\` | ${where.map((w) => `\`${w}\``).join(', ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Every file of the export by path. Two documents never share a path: a clash gets a numbered name. */
export function renderExport(documents: readonly ExportedDocument[], options: RenderOptions): ExportFiles {
  const files: ExportFiles = new Map();
  const claim = (wanted: string): string => {
    let file = wanted;
    for (let n = 2; files.has(file); n += 1) file = wanted.replace(/(\.[^./]+)$/, `-${n}$1`);
    return file;
  };
  for (const doc of documents) {
    const file = claim(documentPath(doc, options.layout));
    files.set(file, renderDocument(doc, file, options));
    for (const [name, content] of Object.entries(doc.files).sort(([a], [b]) => compareText(a, b))) {
      files.set(path.posix.join(path.posix.dirname(file), name), content);
    }
  }
  const external = [...new Set(documents.flatMap((d) => d.external))].sort();
  files.set(CONFIG_FILE, renderConfig(options, external));
  const secrets = secretsOf(documents);
  if (secrets.size > 0) files.set(SECRETS_FILE, renderSecrets(secrets));
  return files;
}

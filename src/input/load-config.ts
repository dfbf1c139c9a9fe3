// Loads `dss-gitops.yaml` (or `--config FILE`): parsed with positions, interpolated, checked against its schema,
// completed with the defaults, then overridden by the environment (DSS_URL, DSS_API_KEY, ...). Missing connection
// settings are not a problem here: only commands that talk to DSS require them (see `connection.ts`).

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkSchema, type JsonSchema } from '../base/schema-check.js';
import type { Problem } from '../manifest/types.js';
import { parseYaml } from '../base/yaml-source.js';
import { CONFIG_FILE_NAMES } from '../manifest/files.js';
import { configReferencePolicy, secretReferenceNames } from '../config/env-policy.js';
import { interpolate, type InterpolationSources } from '../config/interpolate.js';
import { checkNodeTrust, type FileNode, type NodeName } from '../config/node-trust.js';
import { sameOrigin } from '../config/origin.js';
import { configSchema, configSchemaFor } from './config-schema.js';
import { DEFAULTS, type GitopsConfig, type NodeConfig } from '../config/types.js';

export interface LoadedConfig {
  config: GitopsConfig;
  problems: Problem[];
  secrets: string[];
  /** The names read as `${secret:..}` in the configuration and in `secretNames` given to `loadConfig`. */
  secretNames: Set<string>;
}

interface RawNode {
  url?: string;
  apiKey?: string;
  basePath?: string;
  caFile?: string;
  insecure?: boolean;
}

interface RawConfig {
  nodes?: { design?: RawNode; deployer?: RawNode };
  defaults?: Partial<Omit<GitopsConfig['defaults'], 'retries'>> & { retries?: Partial<GitopsConfig['defaults']['retries']> };
  prune?: boolean;
  ignoreDifferences?: GitopsConfig['ignoreDifferences'];
  external?: string[];
  source?: string;
  interpolation?: GitopsConfig['interpolation'];
}

/** `--config FILE` when given, else `dss-gitops.yaml` (or `.yml`) in `rootDirectory`, else none. */
export function locateConfig(configPath: string | undefined, rootDirectory: string | undefined, cwd: string): string | undefined {
  if (configPath !== undefined) return path.resolve(cwd, configPath);
  if (rootDirectory === undefined) return undefined;
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(rootDirectory, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * `secretNames`: the names the manifests read as `${secret:..}`, which the configuration may read only into a
 * node's `apiKey`, like the credential variables (see env-policy.ts).
 */
/** `kindNames`: the kinds of the run (its `ignoreDifferences` and `external` name them); the registry's by default. */
export function loadConfig(
  file: string | undefined,
  sources: InterpolationSources,
  secretNames: ReadonlySet<string> = new Set(),
  kindNames?: readonly string[],
): LoadedConfig {
  const problems: Problem[] = [];
  const secrets: string[] = [];
  const names = new Set(secretNames);
  let read: ConfigFile | undefined;
  const schema = kindNames === undefined ? configSchema : configSchemaFor(kindNames);
  if (file !== undefined) read = readConfigFile(file, sources, problems, secrets, names, schema);
  const config = applyEnvironment(withDefaults(read?.raw ?? {}, file), sources.env, secrets);
  // Checked once the environment is applied: where a key goes depends on the URLs both give (see node-trust.ts).
  if (read) {
    for (const issue of checkNodeTrust(config, read.nodes, sources.env)) {
      const { message, hint } = issue;
      problems.push({ ...read.position(`/nodes/${issue.node}/${issue.field}`), message, ...(hint ? { hint } : {}) });
    }
  }
  return { config, problems, secrets, secretNames: names };
}

interface ConfigFile {
  raw: RawConfig;
  /** What the file set for each node it names. */
  nodes: Partial<Record<NodeName, FileNode>>;
  position(pointer: string): Pick<Problem, 'file' | 'line' | 'column'>;
}

const KEY_REFERENCE = /\$\$\{|\$\{(?:env|secret):([^}]*)\}/g;

/** What the file (interpolated: `raw`) sets for its nodes, and the variables each `apiKey` reads (from `source`). */
function fileNodes(raw: RawConfig, source: unknown): Partial<Record<NodeName, FileNode>> {
  const nodes: Partial<Record<NodeName, FileNode>> = {};
  const sourceNodes = (source as RawConfig | null)?.nodes;
  for (const name of ['design', 'deployer'] as const) {
    const node = raw.nodes?.[name];
    if (!node) continue;
    const apiKey = sourceNodes?.[name]?.apiKey;
    const variables = typeof apiKey === 'string' ? [...apiKey.matchAll(KEY_REFERENCE)].flatMap((m) => (m[1] === undefined ? [] : [m[1]])) : [];
    const own: FileNode = { apiKeyVariables: variables };
    if (node.url !== undefined) own.url = node.url;
    const urlVariable = /^\$\{env:([^}]*)\}$/.exec(String(sourceNodes?.[name]?.url ?? ''))?.[1];
    if (urlVariable !== undefined) own.urlVariable = urlVariable;
    if (node.caFile !== undefined) own.caFile = node.caFile;
    if (node.insecure !== undefined) own.insecure = node.insecure;
    nodes[name] = own;
  }
  return nodes;
}

function readConfigFile(
  file: string,
  sources: InterpolationSources,
  problems: Problem[],
  secrets: string[],
  names: Set<string>,
  schema: JsonSchema,
): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push({ file, line: 1, column: 1, message: 'cannot read the configuration file' });
    return undefined;
  }
  const parsed = parseYaml(file, text);
  problems.push(...parsed.problems);
  const doc = parsed.documents[0];
  if (!doc) return undefined;
  for (const name of secretReferenceNames(doc.value)) names.add(name);
  const interpolated = interpolate(doc.value, { ...sources, policy: configReferencePolicy(names) });
  for (const issue of interpolated.issues) {
    problems.push({ ...doc.positions.valuePosition(issue.pointer), message: issue.message, ...(issue.hint ? { hint: issue.hint } : {}) });
  }
  secrets.push(...interpolated.secrets);
  const schemaProblems = checkSchema(schema, interpolated.value, doc.positions, interpolated.unresolvedPointers, interpolated.sensitivePointers);
  problems.push(...schemaProblems);
  for (const node of ['design', 'deployer']) {
    const pointer = `/nodes/${node}/apiKey`;
    const value = (interpolated.value as RawConfig | null)?.nodes?.[node as 'design'];
    if (typeof value?.apiKey === 'string' && value.apiKey !== '' && !interpolated.sensitivePointers.includes(pointer) && !interpolated.unresolvedPointers.includes(pointer)) {
      secrets.push(value.apiKey);
      problems.push({
        ...doc.positions.valuePosition(pointer),
        severity: 'warning',
        message: `\`nodes.${node}.apiKey\` is written in the file; keep API keys out of Git`,
        hint: 'use `${secret:NAME}` or the DSS_API_KEY / DSS_DEPLOYER_API_KEY environment variables',
      });
    }
  }
  if (schemaProblems.length > 0) return undefined;
  const raw = interpolated.value as RawConfig;
  return { raw, nodes: fileNodes(raw, doc.value), position: (pointer) => doc.positions.valuePosition(pointer) };
}

function node(raw: RawNode | undefined): NodeConfig {
  const result: NodeConfig = { url: raw?.url ?? '', apiKey: raw?.apiKey ?? '' };
  if (raw?.basePath !== undefined) result.basePath = raw.basePath;
  if (raw?.caFile !== undefined) result.caFile = raw.caFile;
  if (raw?.insecure !== undefined) result.insecure = raw.insecure;
  return result;
}

function withDefaults(raw: RawConfig, file: string | undefined): GitopsConfig {
  const config: GitopsConfig = {
    nodes: { design: node(raw.nodes?.design) },
    defaults: {
      ...DEFAULTS,
      ...raw.defaults,
      retries: { ...DEFAULTS.retries, ...raw.defaults?.retries },
    },
    prune: raw.prune ?? false,
    ignoreDifferences: raw.ignoreDifferences ?? [],
    external: raw.external ?? [],
  };
  if (raw.nodes?.deployer) config.nodes.deployer = node(raw.nodes.deployer);
  if (file !== undefined) config.file = file;
  if (raw.source !== undefined) config.source = raw.source;
  if (raw.interpolation !== undefined) config.interpolation = raw.interpolation;
  return config;
}

/**
 * Environment variables win over the file. The deployer node, when it is configured at all, takes its base path from
 * the design node when it sets none. What trusts or authenticates a server is taken only when the deployer has no URL
 * or one of the same origin (the same server, e.g. DSS's local deployer under another path): the design node's API
 * key, CA file and `insecure` flag. Sent elsewhere, the key would hand the design node's credentials to another host,
 * and its `insecure` would turn TLS verification off for a server nobody said to trust; another origin sets its own
 * (DSS_DEPLOYER_API_KEY, DSS_DEPLOYER_CA_FILE, DSS_DEPLOYER_INSECURE, or `nodes.deployer.*`).
 */
function applyEnvironment(config: GitopsConfig, env: Record<string, string | undefined>, secrets: string[]): GitopsConfig {
  const design = config.nodes.design;
  if (env.DSS_URL) design.url = env.DSS_URL;
  if (env.DSS_API_KEY) design.apiKey = env.DSS_API_KEY;
  if (env.DSS_CA_FILE) design.caFile = env.DSS_CA_FILE;
  if (env.DSS_INSECURE === '1') design.insecure = true;
  if (env.DSS_DEPLOYER_URL || env.DSS_DEPLOYER_API_KEY) config.nodes.deployer ??= { url: '', apiKey: '' };
  const deployer = config.nodes.deployer;
  if (deployer) {
    if (env.DSS_DEPLOYER_URL) deployer.url = env.DSS_DEPLOYER_URL;
    if (env.DSS_DEPLOYER_API_KEY) deployer.apiKey = env.DSS_DEPLOYER_API_KEY;
    if (env.DSS_DEPLOYER_CA_FILE) deployer.caFile = env.DSS_DEPLOYER_CA_FILE;
    if (env.DSS_DEPLOYER_INSECURE === '1') deployer.insecure = true;
    if (deployer.url === '' || sameOrigin(deployer.url, design.url)) {
      if (deployer.apiKey === '') deployer.apiKey = design.apiKey;
      if (deployer.caFile === undefined && design.caFile !== undefined) deployer.caFile = design.caFile;
      if (deployer.insecure === undefined && design.insecure !== undefined) deployer.insecure = design.insecure;
    }
    if (deployer.basePath === undefined && design.basePath !== undefined) deployer.basePath = design.basePath;
  }
  for (const key of [design.apiKey, deployer?.apiKey]) if (key) secrets.push(key);
  return config;
}

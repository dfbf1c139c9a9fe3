// Where the configuration may send credentials. dss-gitops.yaml comes from the pull request that `plan` runs on,
// with the runner's keys in the environment: a file that could name the server would receive them. So, when the
// environment names a node's URL (DSS_URL, DSS_DEPLOYER_URL), it names the servers of the run:
// - every node the run talks to must be on an origin the environment named; a URL of the file on another origin is
//   refused (set DSS_URL / DSS_DEPLOYER_URL to use it);
// - a node's `apiKey` read from a variable goes only to that variable's own node: DSS_API_KEY to the design node's
//   origin, DSS_DEPLOYER_API_KEY to the deployer's; any other variable only to an origin the environment named,
//   where a URL of the file that is one `${env:NAME}` and nothing else counts as named by the environment too
//   (`url: ${env:PROD_DSS_URL}` with `apiKey: ${secret:PROD_DSS_KEY}`): its value is the runner's, not the file's;
// - what trusts a server (`caFile`, `insecure: true`) is taken from the file only for an origin the environment did
//   not name: for one it named, the environment says it too (DSS_CA_FILE, DSS_INSECURE=1, DSS_DEPLOYER_*).
// Without DSS_URL and DSS_DEPLOYER_URL, the file names the servers, as a local user's file does; credential
// variables still go only to their own node. Pure: the checks of loaded values, no I/O.

import { originOf, sameOrigin } from './origin.js';
import type { GitopsConfig, NodeConfig } from './types.js';

export type NodeName = 'design' | 'deployer';

/** What the file itself set for a node (after interpolation), and the variables its `apiKey` reads. */
export interface FileNode {
  url?: string;
  caFile?: string;
  insecure?: boolean;
  /** NAME when `url` is `${env:NAME}` and nothing else. */
  urlVariable?: string;
  /** Names read by `${env:..}` / `${secret:..}` in `apiKey`. */
  apiKeyVariables: string[];
}

export interface TrustIssue {
  node: NodeName;
  field: 'url' | 'apiKey' | 'caFile' | 'insecure';
  message: string;
  hint?: string;
}

const URL_VARIABLE: Record<NodeName, string> = { design: 'DSS_URL', deployer: 'DSS_DEPLOYER_URL' };
const KEY_VARIABLE: Record<NodeName, string> = { design: 'DSS_API_KEY', deployer: 'DSS_DEPLOYER_API_KEY' };
const CA_VARIABLE: Record<NodeName, string> = { design: 'DSS_CA_FILE', deployer: 'DSS_DEPLOYER_CA_FILE' };
const INSECURE_VARIABLE: Record<NodeName, string> = { design: 'DSS_INSECURE', deployer: 'DSS_DEPLOYER_INSECURE' };

/** The origins the environment names, each with the variable that names it. */
export function environmentOrigins(env: Record<string, string | undefined>): Map<string, string> {
  const origins = new Map<string, string>();
  for (const variable of [URL_VARIABLE.design, URL_VARIABLE.deployer]) {
    const value = env[variable];
    const origin = value ? originOf(value) : undefined;
    if (origin !== undefined && !origins.has(origin)) origins.set(origin, variable);
  }
  return origins;
}

function describeOrigins(origins: Map<string, string>): string {
  return [...origins].map(([origin, variable]) => `${variable} names ${origin}`).join(', ');
}

/** The URL a node is reached at: the deployer's own, else the design node's (DSS's local deployer). */
function effectiveUrl(config: GitopsConfig, nodeName: NodeName): string {
  const design = config.nodes.design.url;
  return nodeName === 'deployer' ? config.nodes.deployer?.url || design : design;
}

/**
 * The problems of `config` (the file's values with the environment's applied) against the rule above; `file` says
 * what the file set. Empty when the run may go on.
 */
export function checkNodeTrust(config: GitopsConfig, file: Partial<Record<NodeName, FileNode>>, env: Record<string, string | undefined>): TrustIssue[] {
  const named = environmentOrigins(env);
  const keyOrigins = new Set(named.keys());
  for (const [nodeName, own] of Object.entries(file) as [NodeName, FileNode][]) {
    const origin = own.urlVariable !== undefined && own.url !== undefined ? originOf(own.url) : undefined;
    if (origin !== undefined && config.nodes[nodeName]?.url === own.url) keyOrigins.add(origin);
  }
  const issues: TrustIssue[] = [];
  const nodes: [NodeName, NodeConfig][] = [['design', config.nodes.design]];
  if (config.nodes.deployer) nodes.push(['deployer', config.nodes.deployer]);
  for (const [nodeName, settings] of nodes) {
    const url = effectiveUrl(config, nodeName);
    const origin = url === '' ? undefined : originOf(url);
    if (origin === undefined) continue; // no URL, or not one: the connection check reports it
    const trusted = named.has(origin);
    const own = file[nodeName];
    if (named.size > 0 && !trusted && own?.url !== undefined) {
      issues.push({
        node: nodeName,
        field: 'url',
        message: `the ${nodeName} node's URL is on ${origin}, an origin the environment does not name (${describeOrigins(named)}): a configuration cannot send the run's credentials to another server`,
        hint: `to use this server, set ${URL_VARIABLE[nodeName]} in the environment that runs dss-gitops`,
      });
    }
    if (own && settings.apiKey !== '' && !env[KEY_VARIABLE[nodeName]]) {
      for (const variable of own.apiKeyVariables) {
        const refusal = keyRefusal(variable, nodeName, url, origin, config, keyOrigins.has(origin));
        if (refusal) issues.push({ node: nodeName, field: 'apiKey', ...refusal });
      }
    }
    if (trusted && own?.caFile !== undefined && !env[CA_VARIABLE[nodeName]]) {
      issues.push({
        node: nodeName,
        field: 'caFile',
        message: `\`caFile\` is refused for ${origin}, which the environment names: only the environment says which authority to trust for it`,
        hint: `set ${CA_VARIABLE[nodeName]} in the environment that runs dss-gitops, and remove caFile from the file`,
      });
    }
    if (trusted && own?.insecure === true && env[INSECURE_VARIABLE[nodeName]] !== '1') {
      issues.push({
        node: nodeName,
        field: 'insecure',
        message: `\`insecure: true\` is refused for ${origin}, which the environment names: only the environment may turn TLS verification off for it`,
        hint: `set ${INSECURE_VARIABLE[nodeName]}=1 in the environment that runs dss-gitops, and remove insecure from the file`,
      });
    }
  }
  return issues;
}

function keyRefusal(
  variable: string,
  nodeName: NodeName,
  url: string,
  origin: string,
  config: GitopsConfig,
  named: boolean,
): Omit<TrustIssue, 'node' | 'field'> | undefined {
  for (const owner of ['design', 'deployer'] as const) {
    if (variable !== KEY_VARIABLE[owner]) continue;
    const ownerUrl = effectiveUrl(config, owner);
    if (sameOrigin(url, ownerUrl)) return undefined;
    return {
      message: `\`${variable}\` is refused as the ${nodeName} node's apiKey: it is the ${owner} node's key, sent only to ${originOf(ownerUrl) ?? 'the ' + owner + ' node'}, and this node is on ${origin}`,
      hint: `give the ${nodeName} node its own key (${KEY_VARIABLE[nodeName]})`,
    };
  }
  if (named) return undefined;
  return {
    message: `\`${variable}\` is refused as the ${nodeName} node's apiKey: a variable is sent only to an origin the environment names, and ${origin} is not one`,
    hint: `set ${URL_VARIABLE[nodeName]} to this node's URL (or write the url as \`\${env:NAME}\`), or its key in ${KEY_VARIABLE[nodeName]}`,
  };
}

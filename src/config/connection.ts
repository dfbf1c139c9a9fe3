// What commands that talk to DSS require of the configuration: a URL and an API key for each node they use.
// `validate` is offline and never calls this.

import { UserError } from '../errors.js';
import { originOf, sameOrigin } from './origin.js';
import type { GitopsConfig, NodeConfig } from './types.js';

export type ConnectionNode = 'design' | 'deployer';

/** The settings of a node; the deployer defaults to the design node (DSS's local Project Deployer). */
export function nodeSettings(config: GitopsConfig, nodeName: ConnectionNode): NodeConfig {
  return nodeName === 'deployer' ? (config.nodes.deployer ?? config.nodes.design) : config.nodes.design;
}

/** What is missing to connect to the given nodes, worded for the user; empty when nothing is. */
export function missingConnectionSettings(config: GitopsConfig, nodes: readonly ConnectionNode[] = ['design']): string[] {
  const missing: string[] = [];
  for (const nodeName of nodes) {
    const settings = nodeSettings(config, nodeName);
    const explicit = nodeName === 'deployer' && config.nodes.deployer !== undefined;
    const prefix = explicit ? 'DSS_DEPLOYER' : 'DSS';
    const where = explicit ? 'nodes.deployer' : 'nodes.design';
    if (settings.url === '') missing.push(`no URL for the ${nodeName} node: set ${where}.url in dss-gitops.yaml or ${prefix}_URL`);
    if (settings.apiKey === '') {
      missing.push(`no API key for the ${nodeName} node: set ${prefix}_API_KEY or ${where}.apiKey (with \${secret:NAME}) in dss-gitops.yaml${notInherited(config, settings, explicit)}`);
    }
  }
  return [...new Set(missing)];
}

/** Why the design node's key was not taken: the deployer is another server (see load-config). */
function notInherited(config: GitopsConfig, settings: NodeConfig, explicit: boolean): string {
  const design = config.nodes.design;
  if (!explicit || design.apiKey === '' || settings.url === '' || sameOrigin(settings.url, design.url)) return '';
  const deployerOrigin = originOf(settings.url) ?? 'its URL';
  const designOrigin = originOf(design.url) ?? 'the design node';
  return ` (the design node's key is sent only to ${designOrigin}, not to ${deployerOrigin})`;
}

/** Throws a user error naming every missing setting. */
export function requireConnection(config: GitopsConfig, nodes: readonly ConnectionNode[] = ['design']): void {
  const missing = missingConnectionSettings(config, nodes);
  if (missing.length > 0) throw new UserError('CONNECTION_SETTINGS_MISSING', missing.join('\n'));
}

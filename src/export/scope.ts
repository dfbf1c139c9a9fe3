// Which projects an export covers: the keys given (each must exist), or every project of the design node.

import { UserError } from '../errors.js';
import { projectList } from '../resources/project/kind.js';
import type { ExportScope, KindContext } from '../resources/types.js';

export interface ExportRequest {
  /** Project keys, or `all`. */
  projects: readonly string[] | 'all';
  deployer: boolean;
  platform: boolean;
}

/** Resolves the request against the node's project list (read once per run, shared with the Project kind). */
export async function resolveExportScope(ctx: KindContext, request: ExportRequest): Promise<ExportScope> {
  const live = await projectList(ctx);
  let keys: string[];
  if (request.projects === 'all') {
    keys = [...live.keys()];
  } else {
    keys = [...new Set(request.projects)];
    const missing = keys.filter((key) => !live.has(key));
    if (missing.length > 0) {
      throw new UserError('EXPORT_UNKNOWN_PROJECT', `no project ${missing.join(', ')} on the design node (${ctx.client.url})`);
    }
  }
  return { projectKeys: keys.sort(), allProjects: request.projects === 'all', deployer: request.deployer, platform: request.platform };
}

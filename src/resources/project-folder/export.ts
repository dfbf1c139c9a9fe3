// `export` of `ProjectFolder`: the folders that hold an exported project, and their ancestors, with their owner
// and grants. Folders with no exported project are left out.

import { exportStub, grantForExport, setIfPresent } from '../export-common.js';
import { folderTree, splitFolderPath } from './folder-tree.js';
import { isObject, type Json } from '../../base/json.js';
import type { ExportedSpec, ResourceKind } from '../types.js';

/** `Analytics/Churn` → `['Analytics', 'Analytics/Churn']`. */
export function pathAndAncestors(path: string): string[] {
  const segments = splitFolderPath(path);
  return segments.map((_, i) => segments.slice(0, i + 1).join('/'));
}

/** The spec of a folder from its live view (owner and expanded grants). Pure. */
export function folderSpecFromView(view: Json): ExportedSpec {
  const spec: Json = {};
  setIfPresent(spec, 'owner', view.owner);
  const grants = Array.isArray(view.permissions) ? view.permissions.filter(isObject).map(grantForExport) : [];
  setIfPresent(spec, 'permissions', grants);
  return { spec };
}

export const projectFolderExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  async listForExport(ctx, scope) {
    const tree = await folderTree(ctx);
    const paths = new Set<string>();
    for (const key of scope.projectKeys) {
      const folder = tree.folderOfProject(key);
      if (folder) for (const path of pathAndAncestors(tree.pathOf(folder.id))) paths.add(path);
    }
    return [...paths].sort().map((path) => exportStub('ProjectFolder', { name: path }, { owner: '', permissions: [] }));
  },

  exportSpec(_doc, live) {
    return folderSpecFromView(live[0]?.live.view ?? {});
  },
};

// `ProjectFolder`: a folder of the design node's project tree, named by its path (`Analytics/Churn`). Its
// existence is the path; `owner` and `permissions` live in `/project-folders/{id}/settings`.

import { safeSegment } from '../../base/file-name.js';
import { objectOrAbsent } from '../../dss/answer.js';
import { pathSegment } from '../../base/dss-path.js';
import type { DiffPolicy } from '../../diff/types.js';
import { DssGitopsError, UserError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { canonicalFolderPath, ensureFolderPath, folderTree, splitFolderPath, toFolderInfo } from './folder-tree.js';
import { FOLDER_GRANT_FLAGS, grantPolicy, normalizeGrants, GRANT_LISTS } from '../grants.js';
import { type Json } from '../../base/json.js';
import { freshWrite, overlay, pick, sensitiveUnder } from '../managed-write.js';
import { projectFolderSchema } from './schema.js';
import { projectFolderExport } from './export.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit } from '../types.js';

export const PROJECT_FOLDER_KIND = 'ProjectFolder';

/** `Analytics/Churn` → `['ProjectFolder/Analytics']`: the declared ancestors are written first. */
export function folderAncestors(path: string): string[] {
  const segments = splitFolderPath(path);
  return segments.slice(1).map((_, i) => addressOf(PROJECT_FOLDER_KIND, segments.slice(0, i + 1).join('/')));
}

function folderPolicy(): DiffPolicy {
  return { ...grantPolicy('/permissions'), ignore: ['/name'] };
}

function desiredOf(doc: ManifestDocument): Json {
  const desired: Json = {};
  if (typeof doc.spec.owner === 'string') desired.owner = doc.spec.owner;
  if (doc.spec.permissions !== undefined) desired.permissions = normalizeGrants(doc.spec.permissions, FOLDER_GRANT_FLAGS);
  return desired;
}

function viewOf(settings: Json, desired: Json): Json {
  return pick({ owner: settings.owner, permissions: normalizeGrants(settings.permissions, FOLDER_GRANT_FLAGS) }, desired);
}

interface FolderRaw {
  folderId: string;
  settings: Json;
}

function folderPath(unit: ResourceUnit): string {
  return canonicalFolderPath(unit.doc.metadata.name);
}

/** GET-modify-PUT of the folder's settings, read right before the write. */
async function writeSettings(ctx: KindContext, unit: ResourceUnit, folderId: string): Promise<void> {
  if (Object.keys(unit.desired).length === 0) return;
  await freshWrite(ctx.client, `/project-folders/${pathSegment(folderId)}/settings`, (live) => overlay(live, unit.desired, unit.policy));
}

export const projectFolderKind: ResourceKind = {
  kind: PROJECT_FOLDER_KIND,
  node: 'design',
  schema: projectFolderSchema,
  keyedLists: GRANT_LISTS,
  exportPath: (name) => `folders/${name.split('/').map(safeSegment).join('/')}.yaml`,
  ...projectFolderExport,

  units(doc) {
    const path = canonicalFolderPath(doc.metadata.name);
    const unit: ResourceUnit = {
      address: addressOf(PROJECT_FOLDER_KIND, path),
      kind: PROJECT_FOLDER_KIND,
      doc,
      desired: desiredOf(doc),
      policy: { ...folderPolicy(), sensitive: sensitiveUnder(doc, '/spec') },
      dependsOn: [],
    };
    const ancestors = folderAncestors(path);
    if (ancestors.length > 0) unit.orderAfter = ancestors;
    return [unit];
  },

  async read(ctx, unit) {
    const tree = await folderTree(ctx);
    const folder = tree.find(folderPath(unit));
    if (!folder) return undefined;
    // A folder that only has to exist needs no settings read.
    if (Object.keys(unit.desired).length === 0) return { view: {}, raw: { folderId: folder.id, settings: {} } };
    const route = `/project-folders/${pathSegment(folder.id)}/settings`;
    const settings = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(route), `GET ${route}`);
    if (settings === undefined) return undefined;
    const raw: FolderRaw = { folderId: folder.id, settings };
    return { view: viewOf(raw.settings, unit.desired), raw };
  },

  async create(ctx, unit) {
    const folder = await ensureFolderPath(ctx, folderPath(unit));
    await writeSettings(ctx, unit, folder.id);
  },

  async update(ctx, unit, live: LiveState) {
    await writeSettings(ctx, unit, (live.raw as FolderRaw).folderId);
  },

  async delete(ctx, address) {
    const parsed = parseAddress(address);
    if (!parsed || parsed.kind !== PROJECT_FOLDER_KIND) {
      throw new DssGitopsError('BAD_ADDRESS', `${address} is not a project folder address`);
    }
    const path = canonicalFolderPath(parsed.name);
    if (path === '') throw new UserError('FOLDER_ROOT', 'the root project folder cannot be deleted');
    const tree = await folderTree(ctx);
    const known = tree.find(path);
    if (!known) return;
    // Re-read: the run may have moved or created projects and folders inside it since the tree was walked.
    const fresh = toFolderInfo(await ctx.client.getJson(`/project-folders/${pathSegment(known.id)}`), `project folder ${path}`);
    if (fresh.childrenIds.length > 0 || fresh.projectKeys.length > 0) {
      throw new UserError(
        'FOLDER_NOT_EMPTY',
        `project folder ${path} is not empty (${fresh.childrenIds.length} folders, ${fresh.projectKeys.length} projects): not deleted`,
      );
    }
    await ctx.client.deleteJson(`/project-folders/${pathSegment(known.id)}`);
    tree.remove(known.id);
  },
};

// The project folder tree of a design node, loaded once per run: DSS addresses folders by opaque id, manifests by
// path (`Analytics/Churn`), and the only way from one to the other is to walk `childrenIds` from the root.

import { pathSegment } from '../../base/dss-path.js';
import pLimit from 'p-limit';
import { DssGitopsError } from '../../errors.js';
import type { DssClient } from '../../dss/types.js';
import { createResolvingLostAnswer } from '../lost-answer.js';
import { memoPerRun, serialized } from '../run-memo.js';
import type { KindContext } from '../types.js';

export interface FolderInfo {
  id: string;
  /** null at the root. */
  name: string | null;
  parentId: string | null;
  childrenIds: string[];
  projectKeys: string[];
}

/** `/Analytics//Churn/` → `['Analytics', 'Churn']`. The root is `[]`. */
export function splitFolderPath(path: string): string[] {
  return path
    .split('/')
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '');
}

/** The canonical form of a folder path: segments joined by `/`, no leading or trailing slash; `''` is the root. */
export function canonicalFolderPath(path: string): string {
  return splitFolderPath(path).join('/');
}

export function toFolderInfo(value: unknown, what: string): FolderInfo {
  const v = value as Partial<FolderInfo> | null;
  if (!v || typeof v.id !== 'string' || !Array.isArray(v.childrenIds) || !Array.isArray(v.projectKeys)) {
    throw new DssGitopsError('DSS_BAD_RESPONSE', `DSS answered ${what} without id, childrenIds or projectKeys`, {
      fault: 'remote',
    });
  }
  return {
    id: v.id,
    name: typeof v.name === 'string' ? v.name : null,
    parentId: typeof v.parentId === 'string' ? v.parentId : null,
    childrenIds: [...v.childrenIds],
    projectKeys: [...v.projectKeys],
  };
}

export class FolderTree {
  private readonly byId = new Map<string, FolderInfo>();

  constructor(
    readonly rootId: string,
    folders: FolderInfo[],
  ) {
    for (const folder of folders) this.byId.set(folder.id, folder);
  }

  get(id: string): FolderInfo | undefined {
    return this.byId.get(id);
  }

  childNamed(parent: FolderInfo, name: string): FolderInfo | undefined {
    for (const id of parent.childrenIds) {
      const child = this.byId.get(id);
      if (child?.name === name) return child;
    }
    return undefined;
  }

  /** The folder at `path`, or undefined when a segment is missing. */
  find(path: string): FolderInfo | undefined {
    let current = this.byId.get(this.rootId);
    for (const segment of splitFolderPath(path)) {
      if (!current) return undefined;
      current = this.childNamed(current, segment);
    }
    return current;
  }

  pathOf(id: string): string {
    const segments: string[] = [];
    let current = this.byId.get(id);
    while (current && current.id !== this.rootId) {
      segments.unshift(current.name ?? '');
      current = current.parentId === null ? undefined : this.byId.get(current.parentId);
    }
    return segments.join('/');
  }

  folderOfProject(projectKey: string): FolderInfo | undefined {
    for (const folder of this.byId.values()) if (folder.projectKeys.includes(projectKey)) return folder;
    return undefined;
  }

  /** Records a folder (new, or re-read), linking it under its parent. */
  put(folder: FolderInfo): void {
    this.byId.set(folder.id, folder);
    const parent = folder.parentId === null ? undefined : this.byId.get(folder.parentId);
    if (parent && !parent.childrenIds.includes(folder.id)) parent.childrenIds.push(folder.id);
  }

  remove(id: string): void {
    const folder = this.byId.get(id);
    if (!folder) return;
    this.byId.delete(id);
    const parent = folder.parentId === null ? undefined : this.byId.get(folder.parentId);
    if (parent) parent.childrenIds = parent.childrenIds.filter((child) => child !== id);
  }

  placeProject(projectKey: string, folderId: string): void {
    for (const folder of this.byId.values()) folder.projectKeys = folder.projectKeys.filter((k) => k !== projectKey);
    this.byId.get(folderId)?.projectKeys.push(projectKey);
  }
}

/** Fan-out of the tree walk, so that one run's walk does not flood the node. */
const WALK_CONCURRENCY = 8;

async function loadFolderTree(client: DssClient): Promise<FolderTree> {
  const root = toFolderInfo(await client.getJson('/project-folders/ROOT'), 'the root project folder');
  const folders = [root];
  const limit = pLimit(WALK_CONCURRENCY);
  let level = root.childrenIds;
  while (level.length > 0) {
    const children = await Promise.all(
      level.map((id) =>
        limit(async () => {
          const raw = await client.getOrAbsent(`/project-folders/${pathSegment(id)}`);
          return raw === undefined ? undefined : toFolderInfo(raw, `project folder ${id}`);
        }),
      ),
    );
    const found = children.filter((child): child is FolderInfo => child !== undefined);
    folders.push(...found);
    level = found.flatMap((child) => child.childrenIds);
  }
  return new FolderTree(root.id, folders);
}

/** The node's folder tree, walked once per run and kept up to date by this run's own folder writes. */
export function folderTree(ctx: KindContext): Promise<FolderTree> {
  return memoPerRun(ctx, 'folder-tree', () => loadFolderTree(ctx.client));
}

/** Re-reads one folder and any child this run has not seen, so that a name check does not rely on a stale tree. */
async function refreshFolder(client: DssClient, tree: FolderTree, id: string): Promise<FolderInfo> {
  const fresh = toFolderInfo(await client.getJson(`/project-folders/${pathSegment(id)}`), `project folder ${id}`);
  tree.put(fresh);
  for (const childId of fresh.childrenIds) {
    if (tree.get(childId)) continue;
    const child = await client.getOrAbsent(`/project-folders/${pathSegment(childId)}`);
    if (child !== undefined) tree.put(toFolderInfo(child, `project folder ${childId}`));
  }
  return fresh;
}

/**
 * The folder at `path`, creating the missing segments (`POST /project-folders/{id}/children?name=`). Serialized
 * per node, and a segment is only created after its parent was re-read, so concurrent units never create the
 * same folder twice.
 */
export function ensureFolderPath(ctx: KindContext, path: string): Promise<FolderInfo> {
  return serialized(ctx.client, async () => {
    const tree = await folderTree(ctx);
    let current = tree.get(tree.rootId);
    if (!current) throw new DssGitopsError('FOLDER_TREE', 'the root project folder is missing from the tree');
    for (const segment of splitFolderPath(path)) {
      let child = tree.childNamed(current, segment);
      if (!child) {
        current = await refreshFolder(ctx.client, tree, current.id);
        child = tree.childNamed(current, segment);
      }
      if (!child) {
        const parent: FolderInfo = current;
        const created = await createResolvingLostAnswer(ctx, {
          address: `ProjectFolder ${tree.pathOf(parent.id) || '/'}${segment}`,
          send: () =>
            ctx.client.postJson(`/project-folders/${pathSegment(parent.id)}/children`, undefined, {
              query: { name: segment },
            }),
          // A folder made by the lost call is a child of that name under the parent.
          readBack: async () => tree.childNamed(await refreshFolder(ctx.client, tree, parent.id), segment),
          mismatch: () => undefined,
        });
        const made = created.answer === undefined ? (created.found as FolderInfo) : toFolderInfo(created.answer, `the new project folder ${segment}`);
        child = { ...made, parentId: made.parentId ?? parent.id };
        tree.put(child);
        ctx.log.info({ folder: tree.pathOf(child.id), id: child.id }, 'created project folder');
      }
      current = child;
    }
    return current;
  });
}

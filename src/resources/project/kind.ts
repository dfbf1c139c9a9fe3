// `Project`: a DSS project, planned as up to four units. `Project/KEY` is the project itself (existence, display
// name, folder placement); `#metadata`, `#variables` and `#permissions` are one endpoint each.

import { safeSegment } from '../../base/file-name.js';
import { objectOrAbsent } from '../../dss/answer.js';
import { pathSegment } from '../../base/dss-path.js';
import { DssGitopsError, UserError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import { GRANT_LISTS } from '../grants.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { canonicalFolderPath, ensureFolderPath, folderTree } from '../project-folder/folder-tree.js';
import { type Json } from '../../base/json.js';
import { asObject, freshWrite, overlay, pick, sensitiveUnder } from '../managed-write.js';
import { createResolvingLostAnswer, deleteIfPresent } from '../lost-answer.js';
import { PROJECT_BLOCKS, type ProjectBlock } from './blocks.js';
import { projectExport } from './export.js';
import { PROJECT_FOLDER_KIND, folderAncestors } from '../project-folder/kind.js';
import { projectSchema } from './schema.js';
import { getOncePerRun, memoPerRun } from '../run-memo.js';
import type { DocumentReference, KindContext, KindDefaults, LiveState, ResourceKind, ResourceUnit, WriteExtras, WriteResult } from '../types.js';

export const PROJECT_KIND = 'Project';

interface ProjectEntry {
  projectKey: string;
  name?: string;
}

interface MainRaw {
  project: ProjectEntry;
  /** Where the project lives, when the folder tree was needed to know it. */
  folderId?: string;
}

interface BlockRaw {
  object: Json;
}

function keyOf(unit: ResourceUnit): string {
  return unit.doc.metadata.name;
}

/** The reference of an object of a project-scoped kind to its project (`metadata.project`), for `references`. */
export function projectReferences(doc: ManifestDocument): DocumentReference[] {
  const project = doc.metadata.project;
  if (typeof project !== 'string') return [];
  return [{ pointer: '/metadata/project', address: addressOf(PROJECT_KIND, project), what: `project \`${project}\`` }];
}

function blockOf(unit: ResourceUnit): ProjectBlock | undefined {
  return PROJECT_BLOCKS.find((b) => b.block === unit.block);
}

/** The folder path a project is declared in, and the folder addresses written before it. */
function folderOrder(doc: ManifestDocument): string[] {
  if (typeof doc.spec.folder !== 'string') return [];
  const path = canonicalFolderPath(doc.spec.folder);
  if (path === '') return [];
  return [...folderAncestors(path), addressOf(PROJECT_FOLDER_KIND, path)];
}

function mainUnit(doc: ManifestDocument): ResourceUnit {
  const desired: Json = {};
  if (typeof doc.spec.name === 'string') desired.name = doc.spec.name;
  if (typeof doc.spec.folder === 'string') desired.folder = canonicalFolderPath(doc.spec.folder);
  const unit: ResourceUnit = {
    address: addressOf(PROJECT_KIND, doc.metadata.name),
    kind: PROJECT_KIND,
    doc,
    desired,
    policy: { sensitive: sensitiveUnder(doc, '/spec') },
    dependsOn: [],
  };
  const order = folderOrder(doc);
  if (order.length > 0) unit.orderAfter = order;
  return unit;
}

/** `GET /projects/`, once per run (or the preflight's read of it): the existence and display name of every project. */
export function projectList(ctx: KindContext): Promise<Map<string, ProjectEntry>> {
  return memoPerRun(ctx, 'project-list', async () => {
    const list = await getOncePerRun<unknown>(ctx, '/projects/');
    if (!Array.isArray(list)) {
      throw new DssGitopsError('DSS_BAD_RESPONSE', 'DSS answered the project list with something else than a list', {
        fault: 'remote',
      });
    }
    const byKey = new Map<string, ProjectEntry>();
    for (const item of list) {
      const entry = asObject(item);
      if (typeof entry.projectKey === 'string') byKey.set(entry.projectKey, entry as unknown as ProjectEntry);
    }
    return byKey;
  });
}

async function readMain(ctx: KindContext, unit: ResourceUnit): Promise<LiveState | undefined> {
  const project = (await projectList(ctx)).get(keyOf(unit));
  if (!project) return undefined;
  const raw: MainRaw = { project };
  const view: Json = {};
  if (unit.desired.name !== undefined) view.name = project.name;
  if (unit.desired.folder !== undefined) {
    const tree = await folderTree(ctx);
    const folder = tree.folderOfProject(project.projectKey);
    if (folder) {
      raw.folderId = folder.id;
      view.folder = tree.pathOf(folder.id);
    }
  }
  return { view, raw };
}

async function rename(ctx: KindContext, key: string, name: string): Promise<void> {
  await freshWrite(ctx.client, `/projects/${pathSegment(key)}/metadata`, (metadata) => ({ ...metadata, label: name }));
}

async function move(ctx: KindContext, key: string, fromId: string | undefined, path: string): Promise<void> {
  const destination = await ensureFolderPath(ctx, path);
  const tree = await folderTree(ctx);
  const source = fromId ?? tree.folderOfProject(key)?.id;
  if (source === destination.id) return;
  if (source === undefined) {
    throw new DssGitopsError('PROJECT_FOLDER_UNKNOWN', `cannot find the folder project ${key} is in, to move it to ${path}`, {
      fault: 'remote',
    });
  }
  await createResolvingLostAnswer(ctx, {
    address: `${addressOf(PROJECT_KIND, key)} (move to ${path})`,
    send: () =>
      ctx.client.postJson(`/project-folders/${pathSegment(source)}/projects/${pathSegment(key)}/move`, undefined, {
        query: { destination: destination.id },
      }),
    // A move that took effect shows in the destination; one that did not is sent again.
    readBack: async () => {
      const route = `/project-folders/${pathSegment(destination.id)}`;
      const folder = objectOrAbsent(await ctx.client.getOrAbsent(route), `GET ${route}`) ?? {};
      return Array.isArray(folder.projectKeys) && folder.projectKeys.includes(key) ? folder : undefined;
    },
    mismatch: () => undefined,
  });
  tree.placeProject(key, destination.id);
  ctx.log.info({ project: key, folder: path }, 'moved project');
}

/**
 * The login a project is created with: the manifest's, else the configured default. The reference's creation
 * body always carries one, and DSS cannot pick one for a global API key, which belongs to no user.
 */
export function creationOwner(doc: ManifestDocument, defaults: KindDefaults | undefined): string | undefined {
  if (typeof doc.spec.owner === 'string' && doc.spec.owner !== '') return doc.spec.owner;
  return defaults?.projectOwner;
}

function noOwnerMessage(key: string): string {
  return `${addressOf(PROJECT_KIND, key)} must be created but has no owner: set spec.owner or defaults.projectOwner in dss-gitops.yaml`;
}

async function createMain(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  const key = keyOf(unit);
  const owner = creationOwner(unit.doc, ctx.defaults);
  // The plan refuses this already (validateCreate); kept for callers that write without planning.
  if (owner === undefined) throw new UserError('PROJECT_NO_OWNER', noOwnerMessage(key));
  const folderPath = unit.desired.folder as string | undefined;
  const folder = folderPath ? await ensureFolderPath(ctx, folderPath) : undefined;
  const body: Json = { projectKey: key, name: unit.desired.name ?? key, owner };
  await createResolvingLostAnswer(ctx, {
    address: unit.address,
    send: () => ctx.client.postJson('/projects/', body, folder ? { query: { projectFolderId: folder.id } } : {}),
    // A project this creation made has the declared display name, in the declared folder.
    readBack: async () => {
      const metadata = await ctx.client.getOrAbsent(`/projects/${pathSegment(key)}/metadata`);
      if (metadata === undefined || !folder) return metadata;
      const route = `/project-folders/${pathSegment(folder.id)}`;
      const keys = (objectOrAbsent(await ctx.client.getOrAbsent(route), `GET ${route}`) ?? {}).projectKeys;
      return { metadata, inFolder: Array.isArray(keys) && keys.includes(key) };
    },
    mismatch: (found) => {
      const placed = folder ? (found as { metadata: unknown; inFolder: boolean }) : { metadata: found, inFolder: true };
      if (asObject(placed.metadata).label !== body.name) return `its display name is not ${String(body.name)}`;
      return placed.inFolder ? undefined : `it is not in folder ${String(folderPath)}`;
    },
  });
  if (folder) (await folderTree(ctx)).placeProject(key, folder.id);
}

async function updateMain(ctx: KindContext, unit: ResourceUnit, live: LiveState): Promise<void> {
  const key = keyOf(unit);
  const raw = live.raw as MainRaw;
  const name = unit.desired.name;
  if (typeof name === 'string' && live.view.name !== name) await rename(ctx, key, name);
  const folder = unit.desired.folder;
  if (typeof folder === 'string' && live.view.folder !== folder) await move(ctx, key, raw.folderId, folder);
}

function blockUnits(doc: ManifestDocument, main: string): ResourceUnit[] {
  const units: ResourceUnit[] = [];
  for (const block of PROJECT_BLOCKS) {
    const desired = block.desired(doc);
    if (desired === undefined) continue;
    units.push({
      address: `${main}#${block.block}`,
      kind: PROJECT_KIND,
      doc,
      block: block.block,
      desired,
      policy: block.policy(doc),
      dependsOn: [main],
    });
  }
  return units;
}

async function readBlock(ctx: KindContext, unit: ResourceUnit, block: ProjectBlock): Promise<LiveState | undefined> {
  const route = `/projects/${pathSegment(keyOf(unit))}${block.path}`;
  const object = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(route), `GET ${route}`);
  if (object === undefined) return undefined;
  block.check(object, `GET ${route}`);
  const raw: BlockRaw = { object };
  return { view: pick(block.view(raw.object), unit.desired), raw };
}

/**
 * GET-modify-PUT of one block: the desired block laid over the whole object DSS has right now, and what the run asks
 * the write to carry over that (the ownership record, in the metadata), written only if it changed.
 */
async function writeBlock(ctx: KindContext, unit: ResourceUnit, block: ProjectBlock, extras?: WriteExtras): Promise<WriteResult | void> {
  const route = `/projects/${pathSegment(keyOf(unit))}${block.path}`;
  const carry = extras?.carry;
  const written = await freshWrite(ctx.client, route, (live) => {
    block.check(live, `GET ${route}`);
    const body = block.unshape(live, overlay(block.shape(live), unit.desired, unit.policy), unit.doc);
    return carry ? carry(body) : body;
  });
  if (block.block === 'metadata') return carry ? { written, carried: true } : { written };
  if (carry) return { carried: true };
}

export const projectKind: ResourceKind = {
  kind: PROJECT_KIND,
  node: 'design',
  schema: projectSchema,
  keyedLists: GRANT_LISTS,
  definesScope: 'project',
  exportPath: (name, layout) => (layout === 'by-project' ? `${safeSegment(name)}/project.yaml` : `projects/${safeSegment(name)}.yaml`),
  ...projectExport,

  async scopeExists(ctx, key) {
    return (await projectList(ctx)).has(key);
  },

  async scopeKeys(ctx) {
    return [...(await projectList(ctx)).keys()];
  },

  units(doc) {
    const main = mainUnit(doc);
    return [main, ...blockUnits(doc, main.address)];
  },

  validateCreate(unit, defaults) {
    // Blocks are written into a project that exists by then; only the project's own creation needs an owner.
    if (unit.block !== undefined || creationOwner(unit.doc, defaults) !== undefined) return [];
    return [noOwnerMessage(keyOf(unit))];
  },

  async read(ctx, unit) {
    const block = blockOf(unit);
    return block ? readBlock(ctx, unit, block) : readMain(ctx, unit);
  },

  async create(ctx, unit, extras) {
    const block = blockOf(unit);
    if (!block) return createMain(ctx, unit);
    // DSS makes every block with the project: "creating" one is writing it over the defaults it got.
    return writeBlock(ctx, unit, block, extras);
  },

  async update(ctx, unit, live, extras) {
    const block = blockOf(unit);
    if (!block) return updateMain(ctx, unit, live);
    return writeBlock(ctx, unit, block, extras);
  },

  async delete(ctx, address) {
    const parsed = parseAddress(address);
    if (!parsed || parsed.kind !== PROJECT_KIND) {
      throw new DssGitopsError('BAD_ADDRESS', `${address} is not a project address`);
    }
    // A block leaves the manifests by being left unmanaged, never by being deleted: only the project goes.
    if (parsed.block !== undefined) return;
    await deleteIfPresent(ctx, `/projects/${pathSegment(parsed.name)}`);
  },
};

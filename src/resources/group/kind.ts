// `Group`: a group of the design node, `Group/NAME`, instance-scoped. Created with `POST /admin/groups/ {name,
// description, sourceType}`; its definition (`GET|PUT /admin/groups/{name}`) is written by GET-modify-PUT. The
// global permission flags are exact: every flag this version knows is managed, false unless declared. Flags a
// newer DSS adds are left as they are.

import { pathSegment } from '../../base/dss-path.js';
import { type Json } from '../../base/json.js';
import type { DiffPolicy } from '../../diff/types.js';
import { DssGitopsError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { listedPerRun, listNames } from '../admin-list.js';
import { createResolvingLostAnswer, deleteIfPresent } from '../lost-answer.js';
import { freshWrite, overlay, sensitiveUnder } from '../managed-write.js';
import type { KindContext, ResourceKind, ResourceUnit } from '../types.js';
import { groupExport } from './export.js';
import { GROUP_MAPPING_LISTS, GROUP_PERMISSION_FLAGS } from './permissions.js';

export { BUILT_IN_GROUPS } from './permissions.js';
import { groupSchema } from './schema.js';

export const GROUP_KIND = 'Group';
const GROUPS_ROUTE = '/admin/groups/';

export function groupPath(name: string): string {
  return `/admin/groups/${pathSegment(name)}`;
}

const TEXT_FIELDS = ['description', 'sourceType'] as const;

export function groupDesired(spec: Json): Json {
  const desired: Json = {};
  for (const field of TEXT_FIELDS) if (spec[field] !== undefined) desired[field] = spec[field];
  for (const list of GROUP_MAPPING_LISTS) if (spec[list] !== undefined) desired[list] = spec[list];
  for (const flag of GROUP_PERMISSION_FLAGS) desired[flag] = spec[flag] === true;
  return desired;
}

/** The definition reduced to the shape of `desired`: a flag DSS leaves out is false, a list it leaves out empty. */
export function groupView(definition: Json, desired: Json): Json {
  const view: Json = {};
  for (const field of TEXT_FIELDS) if (field in desired && definition[field] !== undefined) view[field] = definition[field];
  for (const list of GROUP_MAPPING_LISTS) {
    if (list in desired) view[list] = Array.isArray(definition[list]) ? definition[list] : [];
  }
  for (const flag of GROUP_PERMISSION_FLAGS) view[flag] = definition[flag] === true;
  return view;
}

function groupPolicy(doc: ManifestDocument): DiffPolicy {
  const lists = GROUP_MAPPING_LISTS.map((list) => `/${list}`);
  return { sets: lists, exact: lists, sensitive: sensitiveUnder(doc, '/spec') };
}

function nameOfAddress(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed || parsed.kind !== GROUP_KIND) throw new DssGitopsError('BAD_ADDRESS', `${address} is not a group address`);
  return parsed.name;
}

async function writeDefinition(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  await freshWrite(ctx.client, groupPath(unit.doc.metadata.name), (live) => overlay(live, unit.desired, unit.policy));
}

export const groupKind: ResourceKind = {
  kind: GROUP_KIND,
  node: 'design',
  schema: groupSchema,
  ownership: 'instance',
  ...groupExport,

  units(doc) {
    return [
      {
        address: addressOf(GROUP_KIND, doc.metadata.name),
        kind: GROUP_KIND,
        doc,
        desired: groupDesired(doc.spec),
        policy: groupPolicy(doc),
        dependsOn: [],
      },
    ];
  },

  async read(ctx, unit) {
    // `GET /admin/groups/` gives every definition whole: one request for all the groups of a run.
    const raw = (await listedPerRun(ctx, GROUPS_ROUTE, 'name')).get(unit.doc.metadata.name);
    if (raw === undefined) return undefined;
    return { view: groupView(raw, unit.desired), raw };
  },

  async create(ctx, unit) {
    const name = unit.doc.metadata.name;
    const body: Json = { name };
    for (const field of TEXT_FIELDS) if (unit.desired[field] !== undefined) body[field] = unit.desired[field];
    await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () => ctx.client.postJson(GROUPS_ROUTE, body),
      readBack: () => ctx.client.getOrAbsent(groupPath(name)),
      // A group is its name: one found under it is this one, its fields are written next.
      mismatch: () => undefined,
    });
    // The flags and mappings: POST takes only the name, description and source type.
    await writeDefinition(ctx, unit);
  },

  async update(ctx, unit) {
    await writeDefinition(ctx, unit);
  },

  async delete(ctx, address) {
    await deleteIfPresent(ctx, groupPath(nameOfAddress(address)));
  },

  async listOnNode(client, ctx) {
    // The plan read the whole list already: drift's listing is the same answer.
    if (ctx !== undefined) return [...(await listedPerRun(ctx, GROUPS_ROUTE, 'name')).keys()];
    return listNames(client, GROUPS_ROUTE, 'name');
  },
};

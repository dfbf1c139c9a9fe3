// `PublishedProject`: a published project of the Project Deployer, `PublishedProject/KEY`, on the deployer node.
// Its settings (`GET|PUT /project-deployer/projects/{key}/settings`) hold `name`, `owner` and `permissions`;
// the version tags are the server's. Bundles publishing to the key create it too: a document only adds settings.

import { objectOrAbsent } from '../../dss/answer.js';
import { pathSegment } from '../../base/dss-path.js';
import { addressOf } from '../../manifest/address.js';
import { GRANT_LISTS } from '../grants.js';
import type { ManifestDocument } from '../../manifest/types.js';
import {
  changedByOf,
  DEPLOYER_SERVER_MANAGED,
  desiredGrants,
  PUBLISHED_PROJECT_GRANT_FLAGS,
  settingsView,
  withGrants,
} from '../deployer-live.js';
import { createResolvingLostAnswer } from '../lost-answer.js';
import { type Json } from '../../base/json.js';
import { freshWrite, overlay, sensitiveUnder } from '../managed-write.js';
import { publishedProjectSchema } from './schema.js';
import { publishedProjectExport } from '../deployer-export.js';
import type { KindContext, ResourceKind, ResourceUnit } from '../types.js';

export const PUBLISHED_PROJECT_KIND = 'PublishedProject';

export function publishedProjectPath(key: string): string {
  return `/project-deployer/projects/${pathSegment(key)}`;
}

function desiredOf(doc: ManifestDocument): Json {
  const desired: Json = {};
  for (const field of ['name', 'owner'] as const) if (doc.spec[field] !== undefined) desired[field] = doc.spec[field];
  const grants = desiredGrants(doc.spec, PUBLISHED_PROJECT_GRANT_FLAGS);
  if (grants !== undefined) desired.permissions = grants;
  return desired;
}

/** GET-modify-PUT of the settings, read right before the write (their versionTag goes back with them). */
async function writeSettings(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  if (Object.keys(unit.desired).length === 0) return;
  await freshWrite(ctx.client, `${publishedProjectPath(unit.doc.metadata.name)}/settings`, (live) => overlay(live, unit.desired, unit.policy));
}

export const publishedProjectKind: ResourceKind = {
  kind: PUBLISHED_PROJECT_KIND,
  node: 'deployer',
  schema: publishedProjectSchema,
  keyedLists: GRANT_LISTS,
  ...publishedProjectExport,

  units(doc) {
    return [
      {
        address: addressOf(PUBLISHED_PROJECT_KIND, doc.metadata.name),
        kind: PUBLISHED_PROJECT_KIND,
        doc,
        desired: desiredOf(doc),
        policy: withGrants({ ignore: DEPLOYER_SERVER_MANAGED, sensitive: sensitiveUnder(doc, '/spec') }),
        dependsOn: [],
      },
    ];
  },

  async read(ctx, unit) {
    const route = `${publishedProjectPath(unit.doc.metadata.name)}/settings`;
    const raw = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(route), `GET ${route}`);
    if (raw === undefined) return undefined;
    const changedBy = changedByOf(raw);
    return { view: settingsView(raw, unit.desired, PUBLISHED_PROJECT_GRANT_FLAGS), raw, ...(changedBy ? { changedBy } : {}) };
  },

  async create(ctx, unit) {
    const key = unit.doc.metadata.name;
    const name = unit.desired.name;
    await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () => ctx.client.postJson('/project-deployer/projects', { publishedProjectKey: key, ...(typeof name === 'string' ? { name } : {}) }),
      readBack: () => ctx.client.getOrAbsent(`${publishedProjectPath(key)}/settings`),
      // A bundle publishing to the key may have created it bare: its settings are written below all the same.
      mismatch: () => undefined,
    });
    await writeSettings(ctx, unit);
  },

  async update(ctx, unit) {
    await writeSettings(ctx, unit);
  },
  // No `delete`: deployer objects belong to no project, so no ownership record lists them and prune never
  // considers them (see src/reconciler/ownership.ts). Removing one is left to a person, on purpose: deleting a
  // published project drops every bundle it holds.
};

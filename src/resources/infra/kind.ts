// `Infra`: a deployment infrastructure of the Project Deployer, `Infra/ID`, on the deployer node. Created with
// `POST /project-deployer/infras {id, stage}`, then its settings (`GET|PUT .../infras/{id}/settings`: stage,
// automationNodeUrl, adminApiKey, trustAllSSLCertificates, permissions) are written by GET-modify-PUT.
// `adminApiKey` is a secret: see secret.ts for how it is compared.

import { objectAnswer, objectOrAbsent } from '../../dss/answer.js';
import { pathSegment } from '../../base/dss-path.js';
import { addressOf } from '../../manifest/address.js';
import { GRANT_LISTS } from '../grants.js';
import type { ManifestDocument } from '../../manifest/types.js';
import {
  changedByOf,
  DEPLOYER_SERVER_MANAGED,
  desiredGrants,
  INFRA_GRANT_FLAGS,
  putSettings,
  settingsView,
  withGrants,
} from '../deployer-live.js';
import { checkLiteralKey, clearKey, liveKey, RECORD_FIELD, ROTATE_ANNOTATION, withKeyHash } from './secret.js';
import { infraSchema } from './schema.js';
import { infraExport } from '../deployer-export.js';
import { createResolvingLostAnswer } from '../lost-answer.js';
import { type Json } from '../../base/json.js';
import { asObject, freshWrite, overlay, sensitiveUnder } from '../managed-write.js';
import type { KindContext, ResourceKind, ResourceUnit } from '../types.js';

export const INFRA_KIND = 'Infra';

const FIELDS = ['stage', 'automationNodeUrl', 'adminApiKey', 'trustAllSSLCertificates'] as const;

export function infraPath(id: string): string {
  return `/project-deployer/infras/${pathSegment(id)}`;
}

function desiredOf(doc: ManifestDocument): Json {
  const desired: Json = {};
  for (const field of FIELDS) if (doc.spec[field] !== undefined) desired[field] = doc.spec[field];
  const grants = desiredGrants(doc.spec, INFRA_GRANT_FLAGS);
  if (grants !== undefined) desired.permissions = grants;
  return desired;
}

/**
 * GET-modify-PUT of the settings. When this DSS does not give the key back (write-only), the key is sent with
 * its salted hash recorded beside it, so that the next plan can tell whether DSS holds the declared key.
 */
async function writeSettings(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  const key = unit.desired.adminApiKey;
  // Read right before the write, so that a change made since the plan to a field not declared is kept.
  await freshWrite(ctx.client, `${infraPath(unit.doc.metadata.name)}/settings`, (live) => {
    const body = overlay(live, unit.desired, unit.policy);
    return typeof key === 'string' && clearKey(live) === undefined ? withKeyHash(body, key) : body;
  });
}

export const infraKind: ResourceKind = {
  kind: INFRA_KIND,
  node: 'deployer',
  schema: infraSchema,
  keyedLists: GRANT_LISTS,
  ...infraExport,
  checkDocument: checkLiteralKey,

  units(doc) {
    return [
      {
        address: addressOf(INFRA_KIND, doc.metadata.name),
        kind: INFRA_KIND,
        doc,
        desired: desiredOf(doc),
        policy: withGrants({
          ignore: [...DEPLOYER_SERVER_MANAGED, `/${RECORD_FIELD}`],
          // Secret whether or not the manifest takes it from `${secret:..}`.
          sensitive: [...new Set(['/adminApiKey', ...sensitiveUnder(doc, '/spec')])],
        }),
        dependsOn: [],
      },
    ];
  },

  async read(ctx, unit) {
    const route = `${infraPath(unit.doc.metadata.name)}/settings`;
    const raw = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(route), `GET ${route}`);
    if (raw === undefined) return undefined;
    const { adminApiKey: _key, ...shape } = unit.desired;
    const view = settingsView(raw, shape, INFRA_GRANT_FLAGS);
    const notices: string[] = [];
    if (unit.desired.adminApiKey !== undefined) {
      const rotate = unit.doc.metadata.annotations?.[ROTATE_ANNOTATION] === 'true';
      const key = liveKey(raw, unit.desired.adminApiKey, rotate);
      if (key.view !== undefined) view.adminApiKey = key.view;
      if (key.unknown && !rotate) {
        notices.push(
          `${unit.address}: adminApiKey cannot be compared (DSS does not return it); ` +
            `annotate ${ROTATE_ANNOTATION}: "true" to write the declared key`,
        );
      }
    }
    const changedBy = changedByOf(raw);
    return { view, raw, ...(changedBy ? { changedBy } : {}), ...(notices.length > 0 ? { notices } : {}) };
  },

  async create(ctx, unit) {
    const id = unit.doc.metadata.name;
    await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () => ctx.client.postJson('/project-deployer/infras', { id, stage: unit.desired.stage }),
      readBack: () => ctx.client.getOrAbsent(`${infraPath(id)}/settings`),
      mismatch: (found) =>
        unit.desired.stage === undefined || asObject(found).stage === unit.desired.stage
          ? undefined
          : `its stage is ${String(asObject(found).stage)}, not ${String(unit.desired.stage)}`,
    });
    const created = objectAnswer(await ctx.client.getJson(`${infraPath(id)}/settings`), `GET ${infraPath(id)}/settings`);
    // A fresh infra has no key yet: the first write sends it in clear, then the hash is recorded only if this DSS
    // does not give it back.
    await putSettings(ctx, `${infraPath(id)}/settings`, unit, created);
    const key = unit.desired.adminApiKey;
    if (typeof key !== 'string') return;
    const saved = objectAnswer(await ctx.client.getJson(`${infraPath(id)}/settings`), `GET ${infraPath(id)}/settings`);
    if (clearKey(saved) === undefined) await ctx.client.putJson(`${infraPath(id)}/settings`, withKeyHash(saved, key));
  },

  async update(ctx, unit) {
    await writeSettings(ctx, unit);
  },
  // No `delete`: see published-project.ts (deployer objects are left out of prune).
};

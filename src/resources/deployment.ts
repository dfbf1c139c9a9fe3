// `Deployment`: a deployment of the Project Deployer, `Deployment/ID`, on the deployer node: a published
// project's bundle on an infra. Settings by GET-modify-PUT (`.../deployments/{id}/settings`); the version tags
// are the server's. Whatever the automation node must see (the bundle, local variables, scenarios to activate,
// triggers, container settings, folder) is rolled out after the write: see deployment-rollout.ts. `rollout` is
// the tool's own policy and is never sent to DSS.

import { addressOf } from '../manifest/address.js';
import type { ManifestDocument } from '../manifest/types.js';
import { BUNDLE_KIND, PUBLICATION_BLOCK } from './bundle.js';
import { changedByOf, DEPLOYER_SERVER_MANAGED } from './deployer-live.js';
import { deploymentPath, rollOut, rolloutPolicyOf } from './deployment-rollout.js';
import { deploymentSchema } from './deployment.schema.js';
import { deploymentExport } from './deployer-export.js';
import { INFRA_KIND } from './infra.js';
import { asObject, deepEqual, overlay, pick, sensitiveUnder, type Json } from './managed-write.js';
import { PUBLISHED_PROJECT_KIND } from './published-project.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit } from './types.js';

export const DEPLOYMENT_KIND = 'Deployment';

const FIELDS = [
  'publishedProjectKey',
  'infraId',
  'bundleId',
  'deployedProjectKey',
  'projectFolderId',
  'disableAutomaticTriggers',
  'localVariables',
  'scenariosToActivate',
  'bundleContainerSettings',
  'tags',
] as const;

/** Fields the automation node only sees after an update action; `tags` live on the deployer alone. */
const ROLLOUT_FIELDS = [
  'bundleId',
  'projectFolderId',
  'disableAutomaticTriggers',
  'localVariables',
  'scenariosToActivate',
  'bundleContainerSettings',
] as const;

/**
 * Whether the automation node runs what the settings say, as a field of its own: a deployment whose last
 * rollout failed (ERROR), whose settings changed without an update (OUT_OF_SYNC) or that was never deployed
 * (UNKNOWN) plans `inSync: false → true`, and apply rolls it out, even when the settings already match.
 */
export const IN_SYNC = 'inSync';
const NOT_IN_SYNC = new Set(['ERROR', 'OUT_OF_SYNC', 'UNKNOWN']);

/** Fields set when a deployment is created, fixed afterwards. */
const FIXED_FIELDS = ['publishedProjectKey', 'infraId', 'deployedProjectKey'] as const;

function desiredOf(doc: ManifestDocument): Json {
  const desired: Json = {};
  for (const field of FIELDS) if (doc.spec[field] !== undefined) desired[field] = doc.spec[field];
  desired[IN_SYNC] = true;
  return desired;
}

/** The settings part of the desired object: what is written to DSS. */
function settingsDesired(desired: Json): Json {
  const out = { ...desired };
  delete out[IN_SYNC];
  return out;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** What the deployment needs first, when the manifests declare it: infra, published project, publishing bundle. */
function dependenciesOf(doc: ManifestDocument): string[] {
  const key = str(doc.spec.publishedProjectKey);
  const bundle = addressOf(BUNDLE_KIND, str(doc.spec.bundleId), key);
  return [addressOf(INFRA_KIND, str(doc.spec.infraId)), addressOf(PUBLISHED_PROJECT_KIND, key), bundle, `${bundle}#${PUBLICATION_BLOCK}`];
}

async function roll(ctx: KindContext, unit: ResourceUnit, settings: Json, previousBundleId?: string): Promise<{ notes: string[] }> {
  const notes = await rollOut(ctx, {
    address: unit.address,
    id: unit.doc.metadata.name,
    bundleId: str(settings.bundleId),
    infraId: str(settings.infraId),
    ...(previousBundleId !== undefined ? { previousBundleId } : {}),
    policy: rolloutPolicyOf(unit.doc.spec),
  });
  return { notes };
}

export const deploymentKind: ResourceKind = {
  kind: DEPLOYMENT_KIND,
  node: 'deployer',
  schema: deploymentSchema,
  ...deploymentExport,

  units(doc) {
    return [
      {
        address: addressOf(DEPLOYMENT_KIND, doc.metadata.name),
        kind: DEPLOYMENT_KIND,
        doc,
        desired: desiredOf(doc),
        policy: {
          ignore: DEPLOYER_SERVER_MANAGED,
          sets: ['/tags'],
          // The declared local variables are the deployment's whole set; other maps merge key by key.
          exact: ['/localVariables', '/tags'],
          defaults: { '/disableAutomaticTriggers': false, '/projectFolderId': '' },
          sensitive: sensitiveUnder(doc, '/spec'),
        },
        dependsOn: [],
        // Undeclared ones are assumed to exist; the manifest loader already checked they are declared or external.
        orderAfter: dependenciesOf(doc),
      },
    ];
  },

  async read(ctx, unit) {
    const settings = await ctx.client.getOrAbsent<unknown>(`${deploymentPath(unit.doc.metadata.name)}/settings`);
    if (settings === undefined) return undefined;
    const raw = asObject(settings);
    const view = pick(raw, settingsDesired(unit.desired));
    const status = asObject(await ctx.client.getJson(`${deploymentPath(unit.doc.metadata.name)}/status`));
    view[IN_SYNC] = !NOT_IN_SYNC.has(str(status.health) || 'UNKNOWN');
    const changedBy = changedByOf(raw);
    return { view, raw, ...(changedBy ? { changedBy } : {}) };
  },

  async create(ctx, unit) {
    const id = unit.doc.metadata.name;
    const desired = settingsDesired(unit.desired);
    await ctx.client.postJson('/project-deployer/deployments', { deploymentId: id, ...desired });
    // DSS fills in defaults on creation: lay the declared fields over what it stored before rolling out.
    const created = asObject(await ctx.client.getJson(`${deploymentPath(id)}/settings`));
    const body = overlay(created, desired, unit.policy);
    if (!deepEqual(body, created)) await ctx.client.putJson(`${deploymentPath(id)}/settings`, body);
    return roll(ctx, unit, body);
  },

  async update(ctx, unit, live: LiveState) {
    const id = unit.doc.metadata.name;
    const raw = asObject(live.raw);
    const body = overlay(raw, settingsDesired(unit.desired), unit.policy);
    const saved = !deepEqual(body, raw);
    if (saved) await ctx.client.putJson(`${deploymentPath(id)}/settings`, body);
    const changed = saved && ROLLOUT_FIELDS.some((field) => !deepEqual(body[field], raw[field]));
    if (!changed && live.view[IN_SYNC] !== false) return;
    // Roll back only to a bundle that was running: not after a failed rollout of the same settings.
    const previous = live.view[IN_SYNC] === false ? '' : str(raw.bundleId);
    return roll(ctx, unit, body, previous === '' ? undefined : previous);
  },

  validateChange(unit, live) {
    // DSS refuses these on an existing deployment (the simulator does too): say so at plan time, not mid-apply.
    const moved = FIXED_FIELDS.filter((f) => unit.desired[f] !== undefined && live.view[f] !== undefined && !deepEqual(unit.desired[f], live.view[f]));
    return moved.map(
      (f) =>
        `${unit.address}: the ${f} of an existing deployment cannot be changed ` +
        `(${str(live.view[f])} → ${str(unit.desired[f])}); use a new deployment id`,
    );
  },

  describeUpdate(unit, live) {
    const before = str(live.view.bundleId);
    const after = str(unit.desired.bundleId);
    const infra = str(unit.desired.infraId);
    if (after !== '' && before !== after) return [`bundle ${before} → ${after} (rollout on infra ${infra})`];
    const others = ROLLOUT_FIELDS.filter((f) => unit.desired[f] !== undefined && !deepEqual(unit.desired[f], live.view[f]));
    if (others.length > 0) return [`${others.join(', ')} changed (rollout on infra ${infra})`];
    return live.view[IN_SYNC] === false ? [`bundle ${after || before} is not in sync (rollout on infra ${infra})`] : [];
  },
  // No `delete`: see published-project.ts (deployer objects are left out of prune).
};

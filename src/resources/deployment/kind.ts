// `Deployment`: a deployment of the Project Deployer, `Deployment/ID`, on the deployer node: a published
// project's bundle on an infra. Settings by GET-modify-PUT (`.../deployments/{id}/settings`); the version tags
// are the server's. Whatever the automation node must see (the bundle, local variables, scenarios to activate,
// triggers, container settings, folder) is rolled out after the write: see rollout.ts. `rollout` is
// the tool's own policy and is never sent to DSS.

import { objectAnswer, objectOrAbsent } from '../../dss/answer.js';
import { DssGitopsError } from '../../errors.js';
import { addressOf } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { BUNDLE_KIND, PUBLICATION_BLOCK, publishedProjectReference } from '../bundle/kind.js';
import { changedByOf, DEPLOYER_SERVER_MANAGED } from '../deployer-live.js';
import { deploymentPath, healthMessagesOf, rollOut, rolloutPolicyOf, ROLLOUT_FIELDS, type RollbackSource } from './rollout.js';
import { deploymentSchema } from './schema.js';
import { deploymentExport } from '../deployer-export.js';
import { INFRA_KIND } from '../infra/kind.js';
import { createResolvingLostAnswer } from '../lost-answer.js';
import { deepEqual, type Json } from '../../base/json.js';
import { asObject, freshWrite, overlay, pick, sensitiveUnder } from '../managed-write.js';
import { PUBLISHED_PROJECT_KIND } from '../published-project/kind.js';
import type { DocumentReference, KindContext, LiveState, ResourceKind, ResourceUnit, WriteResult } from '../types.js';

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

/**
 * Whether the automation node runs what the settings say, as a field of its own: `inSync: false → true` plans a
 * rollout even when the settings already match. It is false when
 * - the status health is OUT_OF_SYNC (settings changed without an update), or
 * - the last rollout by this tool failed: DSS keeps no record of that a plan can read (the status documents only
 *   `health`, `healthMessages` and `monitoring`, and the update's future is gone by the next run), so a failed
 *   rollout leaves the ROLLOUT_FAILED_TAG in the deployment's own tags, durable and visible in DSS, and the next
 *   saved settings drop it, or
 * - the deployment was never rolled out (`neverEverDeployed`): created, then the process died or its first update
 *   failed before reaching the node, which DSS reports as UNKNOWN or ERROR, not OUT_OF_SYNC.
 * ERROR (failed scenarios) and UNKNOWN (unreachable automation node) say nothing about the bundle: a redeploy
 * would not fix them, so they are logged as warnings, never planned as a change.
 */
export const IN_SYNC = 'inSync';
export const ROLLOUT_FAILED_TAG = 'dss-gitops:last-rollout-failed';
const WARN_HEALTH = new Set(['ERROR', 'UNKNOWN']);

function tagsOf(raw: Json): string[] {
  return Array.isArray(raw.tags) ? raw.tags.map(String) : [];
}

/** The settings without the tool's rollout marker, which is never compared, exported or declared. */
function withoutMarker(raw: Json): Json {
  if (!tagsOf(raw).includes(ROLLOUT_FAILED_TAG)) return raw;
  return { ...raw, tags: tagsOf(raw).filter((t) => t !== ROLLOUT_FAILED_TAG) };
}

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

/** Its infra, and its published project (or a bundle publishing to it) and then its bundle, declared or external. */
function referencesOf(doc: ManifestDocument): DocumentReference[] {
  const { infraId, publishedProjectKey: key, bundleId } = doc.spec;
  const references: DocumentReference[] = [];
  if (typeof infraId === 'string') {
    references.push({ pointer: '/spec/infraId', address: addressOf(INFRA_KIND, infraId), what: `infra \`${infraId}\`` });
  }
  if (typeof key === 'string') {
    const bundle = typeof bundleId === 'string' ? { pointer: '/spec/bundleId', id: bundleId } : undefined;
    references.push(publishedProjectReference('/spec/publishedProjectKey', key, bundle));
  }
  return references;
}

/** Leaves the marker of a failed rollout in the deployment's tags, so that the next plan rolls it out again. */
async function markFailed(ctx: KindContext, id: string): Promise<void> {
  try {
    await freshWrite(ctx.client, `${deploymentPath(id)}/settings`, (settings) =>
      tagsOf(settings).includes(ROLLOUT_FAILED_TAG) ? undefined : { ...settings, tags: [...tagsOf(settings), ROLLOUT_FAILED_TAG] },
    );
  } catch (error) {
    // The rollout's own error is what the user needs; the next plan then relies on the status alone.
    ctx.log.warn({ deployment: id, err: error instanceof Error ? error.message : String(error) }, 'could not record the failed rollout');
  }
}

/**
 * Whether the deployment was never rolled out (`neverEverDeployed` of `GET .../deployments/{id}`): created, and
 * then the process died or its first update failed before reaching the node. Its health says UNKNOWN or ERROR,
 * which alone would not plan a rollout; this one is pending. Asked only for those healths, to spare the reads.
 */
async function neverDeployed(ctx: KindContext, id: string): Promise<boolean> {
  const deployment = objectOrAbsent(await ctx.client.getOrAbsent(deploymentPath(id)), `GET ${deploymentPath(id)}`) ?? {};
  return deployment.neverEverDeployed === true;
}

async function roll(ctx: KindContext, unit: ResourceUnit, settings: Json, previous: RollbackSource): Promise<{ notes: string[] }> {
  try {
    const notes = await rollOut(ctx, {
      address: unit.address,
      id: unit.doc.metadata.name,
      bundleId: str(settings.bundleId),
      infraId: str(settings.infraId),
      previous,
      policy: rolloutPolicyOf(unit.doc.spec),
    });
    return { notes };
  } catch (error) {
    if (error instanceof DssGitopsError && error.code === 'ROLLOUT_FAILED') await markFailed(ctx, unit.doc.metadata.name);
    throw error;
  }
}

/** Saves the declared settings when they differ, then rolls out when a rollout field changed, or always with `force`. */
async function saveAndRollOut(ctx: KindContext, unit: ResourceUnit, live: LiveState, force: boolean): Promise<WriteResult | void> {
  const id = unit.doc.metadata.name;
  const raw = asObject(live.raw);
  // Read right before the write, so that a change made since the plan to a field not declared is kept. A save
  // before the rollout drops the marker of an earlier failure; a new failure puts it back.
  let current: Json = raw;
  const body = await freshWrite(ctx.client, `${deploymentPath(id)}/settings`, (fresh) => {
    current = fresh;
    return withoutMarker(overlay(withoutMarker(fresh), settingsDesired(unit.desired), unit.policy));
  });
  const saved = !deepEqual(body, current);
  const changed = saved && ROLLOUT_FIELDS.some((field) => !deepEqual(body[field], current[field]));
  if (!changed && !force && live.view[IN_SYNC] !== false) return;
  // Roll back only to settings that were running: not after a failed rollout, nor to settings never rolled out.
  // The previous settings are the ones read at plan time, whole: every rollout field this apply may have changed.
  const previous: RollbackSource =
    live.view[IN_SYNC] === false ? { unavailable: 'the settings before this apply were not running either' } : { settings: raw };
  return roll(ctx, unit, body, previous);
}

export const deploymentKind: ResourceKind = {
  kind: DEPLOYMENT_KIND,
  node: 'deployer',
  schema: deploymentSchema,
  ...deploymentExport,
  references: referencesOf,
  promotes: 'bundle',

  healSkip(changes) {
    const rolloutOnly = changes.length > 0 && changes.every((c) => c.pointer === `/${IN_SYNC}`);
    return rolloutOnly ? 'the deployment does not run its bundle (a failed rollout?); apply rolls it out again' : undefined;
  },

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
          secretNamedKeys: ['/localVariables/*'],
          sensitive: sensitiveUnder(doc, '/spec'),
        },
        dependsOn: [],
        // Undeclared ones are assumed to exist; the manifest loader already checked they are declared or external.
        orderAfter: dependenciesOf(doc),
      },
    ];
  },

  async read(ctx, unit) {
    const route = `${deploymentPath(unit.doc.metadata.name)}/settings`;
    const raw = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(route), `GET ${route}`);
    if (raw === undefined) return undefined;
    const view = pick(withoutMarker(raw), settingsDesired(unit.desired));
    const statusRoute = `${deploymentPath(unit.doc.metadata.name)}/status`;
    const status = objectAnswer(await ctx.client.getJson(statusRoute), `GET ${statusRoute}`);
    const health = str(status.health) || 'UNKNOWN';
    // HEALTHY means the node runs what the settings say: with the declared bundle there, the mark of an earlier
    // failed rollout is history (fixed by hand, or a later rollout), and must not redeploy the bundle again.
    const runsDeclared = health === 'HEALTHY' && raw.bundleId === unit.desired.bundleId;
    const never = WARN_HEALTH.has(health) && (await neverDeployed(ctx, unit.doc.metadata.name));
    view[IN_SYNC] = !never && health !== 'OUT_OF_SYNC' && (runsDeclared || !tagsOf(raw).includes(ROLLOUT_FAILED_TAG));
    const notices =
      WARN_HEALTH.has(health) && !never
        ? [`${unit.address} is ${health}: ${healthMessagesOf(status)} (not a change: no rollout is planned for it)`]
        : [];
    const changedBy = changedByOf(raw);
    return { view, raw, ...(changedBy ? { changedBy } : {}), ...(notices.length > 0 ? { notices } : {}) };
  },

  async create(ctx, unit) {
    const id = unit.doc.metadata.name;
    const desired = settingsDesired(unit.desired);
    await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () => ctx.client.postJson('/project-deployer/deployments', { deploymentId: id, ...desired }),
      readBack: () => ctx.client.getOrAbsent(`${deploymentPath(id)}/settings`),
      mismatch: (found) => {
        const live = asObject(found);
        const differ = (['publishedProjectKey', 'infraId', 'bundleId'] as const).filter(
          (f) => desired[f] !== undefined && !deepEqual(live[f], desired[f]),
        );
        return differ.length === 0 ? undefined : `its ${differ.join(', ')} differ`;
      },
    });
    // DSS fills in defaults on creation: lay the declared fields over what it stored before rolling out.
    const created = objectAnswer(await ctx.client.getJson(`${deploymentPath(id)}/settings`), `GET ${deploymentPath(id)}/settings`);
    const body = overlay(created, desired, unit.policy);
    if (!deepEqual(body, created)) await ctx.client.putJson(`${deploymentPath(id)}/settings`, body);
    return roll(ctx, unit, body, { unavailable: 'the deployment was created by this apply' });
  },

  update(ctx, unit, live: LiveState) {
    return saveAndRollOut(ctx, unit, live, false);
  },

  /** `--replace`: the rollout runs even when the deployment is in sync. */
  replace(ctx, unit, live: LiveState) {
    return saveAndRollOut(ctx, unit, live, true);
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

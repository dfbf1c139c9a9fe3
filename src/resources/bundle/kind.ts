// `Bundle`: a bundle exported from a design-node project, `Bundle/PROJECT/BUNDLE_ID`. Two units:
// - the bundle itself, exported once (`PUT /projects/{key}/bundles/exported/{id}?releaseNotes=`): a snapshot
//   of the project, immutable afterwards. A changed spec for an existing id is a plan error (validateChange):
//   the only way to ship other content is a new bundle id.
// - `#publication`, with `publish`: whether the published project of the Project Deployer holds the bundle
//   (`POST /projects/{key}/bundles/{id}/publish?publishedProjectKey=`), so that a missing publication is
//   planned as a change of its own. It is read on the deployer node.
//
// Bundles are pruned only on request (`--prune-bundles` with `--prune`): deployed bundles are history, and
// `--prune` alone leaves a bundle that left the manifests in DSS and drops it from the inventory.

import { objectAnswer, objectField } from '../../dss/answer.js';
import { pathSegment } from '../../base/dss-path.js';
import { DssGitopsError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { bundleSchema } from './schema.js';
import { createResolvingLostAnswer, deleteIfPresent } from '../lost-answer.js';
import { deepEqual, isObject, type Json } from '../../base/json.js';
import { asObject } from '../managed-write.js';
import { PROJECT_KIND, projectReferences } from '../project/kind.js';
import { PUBLISHED_PROJECT_KIND, publishedProjectPath } from '../published-project/kind.js';
import { SCENARIO_KIND } from '../scenario/kind.js';
import type { DocumentReference, KindContext, LiveState, ResourceKind, ResourceUnit } from '../types.js';

export const BUNDLE_KIND = 'Bundle';
export const PUBLICATION_BLOCK = 'publication';

/** The published project key a bundle is published to, or `undefined` when it is not published. */
export function bundlePublishTarget(doc: ManifestDocument): string | undefined {
  const publish = doc.spec.publish;
  if (publish === true) return doc.metadata.project;
  if (publish !== null && typeof publish === 'object') {
    const key = (publish as Record<string, unknown>).publishedProjectKey;
    return (typeof key === 'string' ? key : undefined) ?? doc.metadata.project;
  }
  return undefined;
}

const publishesTo = (doc: ManifestDocument, key: string): boolean => doc.kind === BUNDLE_KIND && bundlePublishTarget(doc) === key;

/**
 * The reference of a deployer object to a published project (`pointer`: where its key is), which a bundle that
 * publishes to that key also satisfies (the publication creates it); with `bundleId`, the reference to that bundle
 * follows: declared and published to the key, or a bundle of that id listed under `external`.
 */
export function publishedProjectReference(pointer: string, key: string, bundle?: { pointer: string; id: string }): DocumentReference {
  const address = addressOf(PUBLISHED_PROJECT_KIND, key);
  return {
    pointer,
    address,
    what: `published project \`${key}\``,
    satisfiedBy: (_address, doc) => doc !== undefined && publishesTo(doc, key),
    unsatisfied: () => `published project \`${key}\` is not declared (no \`${address}\`, and no ${BUNDLE_KIND} publishes to it)`,
    ...(bundle ? { then: [publishedBundleReference(bundle.pointer, key, bundle.id)] } : {}),
  };
}

function publishedBundleReference(pointer: string, key: string, id: string): DocumentReference {
  return {
    pointer,
    what: `bundle \`${id}\``,
    satisfiedBy: (address, doc) => {
      if (doc !== undefined) return publishesTo(doc, key) && doc.metadata.name === id;
      const parsed = parseAddress(address, true);
      return parsed?.kind === BUNDLE_KIND && parsed.name === id;
    },
    unsatisfied: (declared) => {
      const elsewhere = declared.find((d) => d.kind === BUNDLE_KIND && d.metadata.name === id);
      const detail = elsewhere
        ? `\`${addressOf(BUNDLE_KIND, id, elsewhere.metadata.project)}\` is not published to \`${key}\``
        : `no ${BUNDLE_KIND} \`${id}\` is published to \`${key}\``;
      return `bundle \`${id}\` is not declared: ${detail}`;
    },
  };
}

function idsOf(unit: ResourceUnit): { key: string; id: string } {
  return { key: unit.doc.metadata.project ?? '', id: unit.doc.metadata.name };
}

function exportedPath(key: string, id: string): string {
  return `/projects/${pathSegment(key)}/bundles/exported/${pathSegment(id)}`;
}

/**
 * The release notes an exported bundle was made with, or undefined when DSS does not say: the reference shows
 * `exportManifest` and `changelog` only as empty objects, so the notes may not be returned at all. Unknown notes
 * are not compared (see read): taking them as '' would refuse every plan of a bundle that declares notes.
 */
function releaseNotesOf(exported: Json): string | undefined {
  const manifest = asObject(exported.exportManifest);
  if (typeof manifest.releaseNotes === 'string') return manifest.releaseNotes;
  const changelog = asObject(exported.changelog);
  return typeof changelog.releaseNotes === 'string' ? changelog.releaseNotes : undefined;
}

/**
 * The bundle's entry in the answer of `GET .../bundles/exported/{id}`: the reference wraps the one bundle in a
 * list (`{bundles: [{bundleId, exportManifest, ...}]}`); an unwrapped object is taken as it is.
 */
function exportedEntry(answer: Json, id: string): Json {
  if (!Array.isArray(answer.bundles)) return answer;
  const entry = answer.bundles.find((b) => isObject(b) && b.bundleId === id) ?? answer.bundles[0];
  return asObject(entry);
}

function mainUnit(doc: ManifestDocument): ResourceUnit {
  const project = doc.metadata.project ?? '';
  const desired: Json = {};
  if (doc.spec.releaseNotes !== undefined) desired.releaseNotes = doc.spec.releaseNotes;
  return {
    address: addressOf(BUNDLE_KIND, doc.metadata.name, project),
    kind: BUNDLE_KIND,
    doc,
    desired,
    policy: {},
    dependsOn: [addressOf(PROJECT_KIND, project)],
    // The bundle is a snapshot: take it after the project's blocks and scenarios are written in the same run.
    orderAfterPrefixes: [`${addressOf(PROJECT_KIND, project)}#`, addressOf(SCENARIO_KIND, '', project)],
  };
}

function publicationUnit(doc: ManifestDocument, target: string): ResourceUnit {
  const project = doc.metadata.project ?? '';
  return {
    address: `${addressOf(BUNDLE_KIND, doc.metadata.name, project)}#${PUBLICATION_BLOCK}`,
    kind: BUNDLE_KIND,
    doc,
    block: PUBLICATION_BLOCK,
    desired: { publishedProjectKey: target },
    policy: {},
    dependsOn: [],
    // A declared published project is created with its settings before a publication creates it bare.
    orderAfter: [addressOf(PUBLISHED_PROJECT_KIND, target)],
  };
}

async function readPublication(ctx: KindContext, unit: ResourceUnit): Promise<LiveState | undefined> {
  const target = String(unit.desired.publishedProjectKey);
  const published = await ctx.clients.deployer.getOrAbsent<unknown>(publishedProjectPath(target));
  if (published === undefined) return undefined;
  const route = `GET ${publishedProjectPath(target)}`;
  const info = objectField(objectAnswer(published, route), 'projectBasicInfo', route);
  const bundleIds = Array.isArray(info.bundleIds) ? info.bundleIds : [];
  if (!bundleIds.includes(unit.doc.metadata.name)) return undefined;
  return { view: { publishedProjectKey: target }, raw: published };
}

async function publish(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  const { key, id } = idsOf(unit);
  await createResolvingLostAnswer(ctx, {
    address: unit.address,
    send: () =>
      ctx.client.postJson(`/projects/${pathSegment(key)}/bundles/${pathSegment(id)}/publish`, undefined, {
        query: { publishedProjectKey: String(unit.desired.publishedProjectKey) },
      }),
    readBack: () => readPublication(ctx, unit),
    mismatch: () => undefined,
  });
}

/** How far DSS's clock may be from ours when telling whether a bundle was exported by this very call. */
const CLOCK_SKEW_MS = 120_000;

/**
 * Why an exported bundle found after a lost answer is not provably the one this call exported, or undefined
 * when it is: exported since the call started (within the clock skew) with the declared release notes.
 */
function notOurExport(unit: ResourceUnit, found: unknown, startedAt: number): string | undefined {
  const entry = exportedEntry(asObject(found), unit.doc.metadata.name);
  const notes = releaseNotesOf(entry);
  const declared = typeof unit.desired.releaseNotes === 'string' ? unit.desired.releaseNotes : '';
  if (notes !== undefined && notes !== declared) return 'it has other release notes; bundles are immutable: pick a new bundle id';
  const exportedOn = asObject(entry.exportManifest).exportedOn;
  if (typeof exportedOn !== 'number' || exportedOn < startedAt - CLOCK_SKEW_MS) {
    return 'it was not exported by this apply; bundles are immutable: pick a new bundle id';
  }
  return undefined;
}

function immutable(unit: ResourceUnit): DssGitopsError {
  return new DssGitopsError(
    'BUNDLE_IMMUTABLE',
    `${unit.address} already exists with other release notes; bundles are immutable: pick a new bundle id`,
    { fault: 'user' },
  );
}

export const bundleKind: ResourceKind = {
  kind: BUNDLE_KIND,
  node: 'design',
  schema: bundleSchema,
  projectScoped: true,
  references: projectReferences,

  units(doc) {
    const target = bundlePublishTarget(doc);
    return target === undefined ? [mainUnit(doc)] : [mainUnit(doc), publicationUnit(doc, target)];
  },

  async read(ctx, unit) {
    if (unit.block === PUBLICATION_BLOCK) return readPublication(ctx, unit);
    const { key, id } = idsOf(unit);
    const exported = await ctx.client.getOrAbsent<unknown>(exportedPath(key, id));
    if (exported === undefined) return undefined;
    const raw = exportedEntry(objectAnswer(exported, `GET ${exportedPath(key, id)}`), id);
    const view: Json = {};
    if (unit.desired.releaseNotes !== undefined) {
      // Notes DSS does not return cannot differ: the view takes the declared ones, so only known notes are compared.
      view.releaseNotes = releaseNotesOf(raw) ?? unit.desired.releaseNotes;
    }
    const manifest = asObject(raw.exportManifest);
    const by = isObject(manifest.exportUserInfo) ? manifest.exportUserInfo.login : undefined;
    const at = typeof manifest.exportedOn === 'number' ? new Date(manifest.exportedOn).toISOString() : undefined;
    const changedBy = { ...(typeof by === 'string' ? { by } : {}), ...(at !== undefined ? { at } : {}) };
    return { view, raw, ...(Object.keys(changedBy).length > 0 ? { changedBy } : {}) };
  },

  async create(ctx, unit) {
    if (unit.block === PUBLICATION_BLOCK) return publish(ctx, unit);
    const { key, id } = idsOf(unit);
    const releaseNotes = typeof unit.desired.releaseNotes === 'string' ? unit.desired.releaseNotes : '';
    const startedAt = Date.now();
    // The client sends this PUT again after a lost answer; DSS then refuses the id it has just exported.
    await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () => ctx.client.putJson(exportedPath(key, id), undefined, { query: { releaseNotes } }),
      readBack: () => ctx.client.getOrAbsent(exportedPath(key, id)),
      mismatch: (found) => notOurExport(unit, found, startedAt),
    });
  },

  async update(ctx, unit) {
    // The plan refuses a changed bundle (validateChange); a publication that exists has nothing to update.
    if (unit.block === PUBLICATION_BLOCK) return;
    throw immutable(unit);
  },

  prunedOnRequest: true,

  async delete(ctx, address) {
    // `Bundle/PROJECT/ID`; DSS refuses to delete a bundle a deployment still runs, and says so.
    const [, key = '', id = ''] = address.split('/');
    await deleteIfPresent(ctx, exportedPath(key, id));
  },

  validateChange(unit, live) {
    // Only known notes that differ are a change (read leaves unknown ones equal to the declared ones).
    if (unit.block === PUBLICATION_BLOCK || deepEqual(live.view.releaseNotes, unit.desired.releaseNotes)) return [];
    return [immutable(unit).message];
  },
};

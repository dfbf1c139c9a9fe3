// The separately planned blocks of a Project: `#metadata`, `#variables`, `#permissions`. Each is one DSS
// endpoint read and written whole (GET-modify-PUT); a block the manifest does not declare yields no unit.

import { objectField, UnexpectedAnswerError } from '../../dss/answer.js';
import type { DiffPolicy } from '../../diff/types.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { PROJECT_GRANT_FLAGS, grantPolicy, normalizeGrants } from '../grants.js';
import { isObject, type Json } from '../../base/json.js';
import { asObject, sensitiveUnder } from '../managed-write.js';

/** The key of the ownership record the reconciler keeps in the metadata custom kv; never compared nor dropped. */
export const OWNERSHIP_KEY = 'dss-gitops';

export interface ProjectBlock {
  block: 'metadata' | 'variables' | 'permissions';
  /** The endpoint, relative to `/projects/{key}`. */
  path: string;
  /** The desired block, or undefined when the manifest does not declare it. */
  desired(doc: ManifestDocument): Json | undefined;
  policy(doc: ManifestDocument): DiffPolicy;
  /**
   * Checks the fields of DSS's answer (`route`, e.g. `GET /projects/CHURN/variables/`) that the block reads:
   * present and of another type than it relies on, they are an error naming the route and field.
   */
  check(raw: Json, route: string): void;
  /** The live object in the desired shape, as DSS has it: what a write overlays the desired block on. */
  shape(raw: Json): Json;
  /** The shaped live object normalized for comparing (sets sorted, grants expanded, ownership record left out). */
  view(raw: Json): Json;
  /** The live object with a shaped (and overlaid) block written back into it. */
  unshape(raw: Json, shaped: Json, doc: ManifestDocument): Json;
}

const METADATA_FIELDS = ['description', 'shortDesc', 'tags', 'custom'] as const;
/** What DSS fills in for an absent description; one object for every project, so their policies compile once. */
const METADATA_DEFAULTS: Record<string, unknown> = { '/description': '', '/shortDesc': '' };

function sortedUnique(values: unknown): unknown[] {
  if (!Array.isArray(values)) return [];
  return [...new Set(values.map(String))].sort();
}

/**
 * Metadata: `description`, `shortDesc`, `tags` (an exact set) and `custom`, which DSS keeps as `custom.kv`
 * (merged key by key). The display name is `label` in this object; the main unit owns it, but a write here
 * sets it too when the manifest declares `name`, so a rename and a metadata change in one apply never undo
 * each other.
 */
const metadataBlock: ProjectBlock = {
  block: 'metadata',
  path: '/metadata',
  desired(doc) {
    const desired: Json = {};
    for (const field of METADATA_FIELDS) if (doc.spec[field] !== undefined) desired[field] = doc.spec[field];
    if (desired.tags !== undefined) desired.tags = sortedUnique(desired.tags);
    if (isObject(desired.custom)) {
      const custom = { ...desired.custom };
      delete custom[OWNERSHIP_KEY];
      desired.custom = custom;
    }
    return Object.keys(desired).length > 0 ? desired : undefined;
  },
  check(raw, route) {
    objectField(objectField(raw, 'custom', route), 'kv', route, 'custom.kv');
  },
  policy(doc) {
    return {
      sets: ['/tags'],
      exact: ['/tags'],
      ignore: [`/custom/${OWNERSHIP_KEY}`],
      defaults: METADATA_DEFAULTS,
      sensitive: sensitiveUnder(doc, '/spec'),
    };
  },
  shape(raw) {
    return {
      description: raw.description,
      shortDesc: raw.shortDesc,
      tags: raw.tags,
      custom: { ...asObject(asObject(raw.custom).kv) },
    };
  },
  view(raw) {
    const custom = { ...asObject(asObject(raw.custom).kv) };
    delete custom[OWNERSHIP_KEY];
    return { description: raw.description, shortDesc: raw.shortDesc, tags: sortedUnique(raw.tags), custom };
  },
  unshape(raw, shaped, doc) {
    const out: Json = { ...raw };
    for (const field of ['description', 'shortDesc', 'tags'] as const) {
      if (shaped[field] !== undefined) out[field] = shaped[field];
    }
    const kv = asObject(shaped.custom);
    if (raw.custom !== undefined || Object.keys(kv).length > 0) out.custom = { ...asObject(raw.custom), kv };
    if (typeof doc.spec.name === 'string') out.label = doc.spec.name;
    return out;
  },
};

/** Variables: `standard` and `local`, each exact when declared. */
const variablesBlock: ProjectBlock = {
  block: 'variables',
  path: '/variables/',
  desired(doc) {
    const variables = doc.spec.variables;
    if (!isObject(variables)) return undefined;
    const desired: Json = {};
    if (variables.standard !== undefined) desired.standard = variables.standard;
    if (variables.local !== undefined) desired.local = variables.local;
    return desired;
  },
  policy(doc) {
    return { exact: ['/standard', '/local'], secretNamedKeys: ['/standard/*', '/local/*'], sensitive: sensitiveUnder(doc, '/spec/variables') };
  },
  check(raw, route) {
    objectField(raw, 'standard', route);
    objectField(raw, 'local', route);
  },
  shape(raw) {
    return { standard: asObject(raw.standard), local: asObject(raw.local) };
  },
  view(raw) {
    return { standard: asObject(raw.standard), local: asObject(raw.local) };
  },
  unshape(raw, shaped) {
    return { ...raw, ...shaped };
  },
};

/** Permissions: `owner` and the grants, exact, every flag spelled out. */
const permissionsBlock: ProjectBlock = {
  block: 'permissions',
  path: '/permissions',
  desired(doc) {
    const desired: Json = {};
    if (typeof doc.spec.owner === 'string') desired.owner = doc.spec.owner;
    if (doc.spec.permissions !== undefined) {
      desired.permissions = normalizeGrants(doc.spec.permissions, PROJECT_GRANT_FLAGS);
    }
    return Object.keys(desired).length > 0 ? desired : undefined;
  },
  policy() {
    return grantPolicy('/permissions');
  },
  check(raw, route) {
    if (raw.permissions !== undefined && raw.permissions !== null && !Array.isArray(raw.permissions)) {
      throw new UnexpectedAnswerError(route, 'permissions', raw.permissions, 'a list');
    }
  },
  shape(raw) {
    return { owner: raw.owner, permissions: Array.isArray(raw.permissions) ? raw.permissions : [] };
  },
  view(raw) {
    return { owner: raw.owner, permissions: normalizeGrants(raw.permissions, PROJECT_GRANT_FLAGS) };
  },
  unshape(raw, shaped) {
    const out: Json = { ...raw, permissions: shaped.permissions };
    if (shaped.owner !== undefined) out.owner = shaped.owner;
    return out;
  },
};

export const PROJECT_BLOCKS: readonly ProjectBlock[] = [metadataBlock, variablesBlock, permissionsBlock];

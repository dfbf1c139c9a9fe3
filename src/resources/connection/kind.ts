// `Connection`: a DSS connection, `Connection/NAME`, on the design node, owned in the instance's ownership record.
// Created with `POST /admin/connections/ {name, type, params, usableBy, allowedGroups}`, then its definition
// (`GET|PUT /admin/connections/{name}`) is written by GET-modify-PUT. The type cannot change; `params` are merged
// (only the declared params are compared and written, every other one is kept as DSS has it); the groups granted
// use (`allowedGroups`) and details (`detailsReadability.allowedGroups`) are exact sets, written after those groups
// when the run declares them. Credentials: see secrets.ts.

import { pathSegment } from '../../base/dss-path.js';
import { isObject, type Json } from '../../base/json.js';
import { compareText } from '../../base/order.js';
import { registerSecrets } from '../../base/secrets.js';
import { objectAnswer, objectOrAbsent } from '../../dss/answer.js';
import type { DiffPolicy } from '../../diff/types.js';
import { DssGitopsError, UserError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { createResolvingLostAnswer, deleteIfPresent } from '../lost-answer.js';
import { asObject, freshWrite, overlay, sensitiveUnder } from '../managed-write.js';
import type { DocumentCheck, DocumentReference, KindContext, LiveState, LoadingDocument, ResourceKind, ResourceUnit } from '../types.js';
import { connectionExport } from './export.js';
import { connectionSchema } from './schema.js';
import { sortedGroups, viewOf } from './view.js';
import {
  credentialPath,
  credentialPointers,
  credentialState,
  isRedacted,
  ROTATE_ANNOTATION,
  setAt,
  valueAt,
  withHashes,
} from './secrets.js';

export const CONNECTION_KIND = 'Connection';
const GROUP_KIND = 'Group';

/** The top-level fields a platform team sets, as DSS names them (besides type, params and the group grants). */
const FLAGS = ['usableBy', 'allowWrite', 'allowManagedDatasets', 'allowManagedFolders', 'useGlobalProxy', 'credentialsMode', 'maxActivities'] as const;

export const CONNECTIONS_ROUTE = '/admin/connections/';

export function connectionPath(name: string): string {
  return `/admin/connections/${pathSegment(name)}`;
}

function desiredOf(doc: ManifestDocument): Json {
  const spec = doc.spec;
  const desired: Json = {};
  if (spec.type !== undefined) desired.type = spec.type;
  if (isObject(spec.params)) desired.params = structuredClone(spec.params);
  for (const flag of FLAGS) if (spec[flag] !== undefined) desired[flag] = spec[flag];
  if (spec.allowedGroups !== undefined) desired.allowedGroups = sortedGroups(spec.allowedGroups);
  if (isObject(spec.detailsReadability)) {
    const readability: Json = {};
    if (spec.detailsReadability.readableBy !== undefined) readability.readableBy = spec.detailsReadability.readableBy;
    if (spec.detailsReadability.allowedGroups !== undefined) readability.allowedGroups = sortedGroups(spec.detailsReadability.allowedGroups);
    desired.detailsReadability = readability;
  }
  if (isObject(spec.indexingSettings)) desired.indexingSettings = structuredClone(spec.indexingSettings);
  return desired;
}

function policyOf(doc: ManifestDocument, desired: Json): DiffPolicy {
  const groups = ['/allowedGroups', '/detailsReadability/allowedGroups'];
  const credentials = credentialPointers(desired.params).map((p) => `/params${p}`);
  return {
    sets: groups,
    exact: groups,
    // Credentials are secret whether or not the manifest takes them from `${secret:..}`, and so is any param DSS
    // holds under a secret-looking name that the manifest does not declare.
    sensitive: [...new Set([...credentials, ...sensitiveUnder(doc, '/spec')])].sort(),
    secretNamedKeys: ['/params/*'],
  };
}

/** A problem of a document at a pointer, for the loader to place at its line and column. */
export interface DocumentProblem {
  pointer: string;
  message: string;
  /** The literal credential, for the run to scrub from its output; never part of a message. */
  value: string;
}

/** What `credentialProblems` needs of a document: its spec, its name, the pointers of values from `${secret:..}`. */
export interface CredentialSource {
  metadata: { name: string };
  spec: Readonly<Record<string, unknown>>;
  sensitivePaths: readonly string[];
}

/** Credentials written as literals: each must come from `${secret:..}`. Pure; never quotes a value. */
export function credentialProblems(doc: CredentialSource): DocumentProblem[] {
  const literal = (pointer: string): boolean => !doc.sensitivePaths.some((p) => pointer === p || pointer.startsWith(`${p}/`));
  return credentialPointers(doc.spec.params).flatMap((p) => {
    const value = valueAt(doc.spec.params, p);
    if (typeof value !== 'string' || value === '' || !literal(`/spec/params${p}`)) return [];
    const message =
      `spec.${credentialPath(p)} of ${addressOf(CONNECTION_KIND, doc.metadata.name)} is a literal credential; ` +
      'credentials must come from `${secret:NAME}` (export NAME in the environment), never from the manifest';
    return [{ pointer: `/spec/params${p}`, message, value }];
  });
}

/**
 * `checkDocument`: a literal credential is an error at its value's line and column when the manifests are loaded,
 * so that `validate` refuses it and `plan` sends nothing; the value is a secret of the run all the same.
 */
export function checkCredentials(doc: LoadingDocument): DocumentCheck {
  const found = credentialProblems({ metadata: doc.metadata, spec: doc.spec, sensitivePaths: doc.sensitivePointers }).filter(
    // A value left unresolved has its own error; what it would hold is unknown.
    (p) => !doc.unresolvedPointers.includes(p.pointer),
  );
  if (found.length === 0) return {};
  return {
    problems: found.map(({ pointer, message }) => ({ ...doc.valuePosition(pointer), message })),
    secrets: found.map((p) => p.value),
  };
}

/** `credentialProblems` as `file:line:col: message` lines, for documents not loaded from files. Pure. */
export function literalCredentials(doc: ManifestDocument): string[] {
  return credentialProblems(doc).map(({ pointer, message }) => {
    const at = doc.positionOf(pointer) ?? doc.source;
    return `${at.file}:${at.line}:${at.column}: ${message}`;
  });
}

function groupReferences(doc: ManifestDocument): DocumentReference[] {
  const out: DocumentReference[] = [];
  const add = (list: unknown, pointer: string): void => {
    if (!Array.isArray(list)) return;
    list.forEach((group, i) => {
      if (typeof group === 'string') out.push({ pointer: `${pointer}/${i}`, address: addressOf(GROUP_KIND, group), what: `group \`${group}\`` });
    });
  };
  add(doc.spec.allowedGroups, '/spec/allowedGroups');
  add(isObject(doc.spec.detailsReadability) ? doc.spec.detailsReadability.allowedGroups : undefined, '/spec/detailsReadability/allowedGroups');
  return out;
}

/**
 * GET-modify-PUT of the definition: the managed fields laid over the definition DSS has now; a credential DSS
 * already holds (or that cannot be compared and is not asked for) keeps its encrypted form, so DSS keeps it; a
 * credential written in clear gets its salted hash recorded. `create`: the POST right before wrote every declared
 * credential. `replace` (`--replace`): every declared credential is written again, e.g. to put back one changed
 * in DSS, which no plan can see.
 */
type WriteMode = 'create' | 'update' | 'replace';

async function writeDefinition(ctx: KindContext, unit: ResourceUnit, mode: WriteMode): Promise<void> {
  const rotate = unit.doc.metadata.annotations?.[ROTATE_ANNOTATION] === 'true';
  const declaredParams = unit.desired.params;
  await freshWrite(ctx.client, connectionPath(unit.doc.metadata.name), (live) => {
    const body = overlay(live, unit.desired, unit.policy);
    const written = new Map<string, string>();
    const bodyParams = asObject(body.params);
    for (const pointer of credentialPointers(declaredParams)) {
      const declared = valueAt(declaredParams, pointer);
      if (typeof declared !== 'string') continue;
      const shown = valueAt(live.params, pointer);
      const state = credentialState(live, pointer, declared);
      const created = mode === 'create';
      const keep = created || (mode === 'update' && (state === 'same' || (state === 'unknown' && !rotate)));
      if (keep && shown !== undefined) setAt(bodyParams, pointer, shown);
      // A hash is recorded for what DSS shows encrypted, so that the next plan can compare it.
      if ((!keep || (created && isRedacted(shown))) && declared !== '') written.set(pointer, declared);
    }
    return withHashes(body, written);
  });
}

async function readDefinition(ctx: KindContext, name: string): Promise<Json | undefined> {
  const route = connectionPath(name);
  return objectOrAbsent(await ctx.client.getOrAbsent<unknown>(route), `GET ${route}`);
}

export const connectionKind: ResourceKind = {
  kind: CONNECTION_KIND,
  node: 'design',
  schema: connectionSchema,
  ownership: 'instance',
  ...connectionExport,
  checkDocument: checkCredentials,

  units(doc) {
    const literal = literalCredentials(doc);
    if (literal.length > 0) throw new UserError('LITERAL_CREDENTIAL', literal.join('\n'));
    const desired = desiredOf(doc);
    const unit: ResourceUnit = {
      address: addressOf(CONNECTION_KIND, doc.metadata.name),
      kind: CONNECTION_KIND,
      doc,
      desired,
      policy: policyOf(doc, desired),
      dependsOn: [],
    };
    const groups = [...new Set(groupReferences(doc).flatMap((r) => (r.address === undefined ? [] : [r.address])))].sort(compareText);
    if (groups.length > 0) unit.orderAfter = groups;
    return [unit];
  },

  references: groupReferences,

  async read(ctx, unit) {
    const raw = await readDefinition(ctx, unit.doc.metadata.name);
    if (raw === undefined) return undefined;
    // A credential DSS shows in clear (an access key id) is scrubbed from the run's output from here on, declared or not.
    const shown = credentialPointers(raw.params).map((p) => valueAt(raw.params, p));
    registerSecrets(shown.filter((v): v is string => typeof v === 'string' && v !== '' && !isRedacted(v)));
    const { view, notices, pending } = viewOf(unit, raw);
    return { view, raw, ...(notices.length > 0 ? { notices } : {}), ...(pending.length > 0 ? { pendingPointers: pending } : {}) };
  },

  async create(ctx, unit) {
    const name = unit.doc.metadata.name;
    const desired = unit.desired;
    await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () =>
        ctx.client.postJson(CONNECTIONS_ROUTE, {
          name,
          type: desired.type,
          params: desired.params ?? {},
          usableBy: desired.usableBy ?? 'ALL',
          allowedGroups: desired.allowedGroups ?? [],
        }),
      readBack: () => readDefinition(ctx, name),
      mismatch: (found) => (asObject(found).type === desired.type ? undefined : `its type is ${String(asObject(found).type)}, not ${String(desired.type)}`),
    });
    await writeDefinition(ctx, unit, 'create');
  },

  async update(ctx, unit) {
    await writeDefinition(ctx, unit, 'update');
  },

  async replace(ctx, unit) {
    await writeDefinition(ctx, unit, 'replace');
  },

  validateChange(unit, live: LiveState, changes) {
    if (!changes.some((c) => c.pointer === '/type')) return [];
    return [
      `${unit.address}: the type of a connection cannot change (${String(asObject(live.raw).type)} → ${String(unit.desired.type)}); ` +
        'give the new connection another name, or delete this one in DSS first',
    ];
  },

  async delete(ctx, address) {
    const parsed = parseAddress(address);
    if (!parsed || parsed.kind !== CONNECTION_KIND) throw new DssGitopsError('BAD_ADDRESS', `${address} is not a connection address`);
    await deleteIfPresent(ctx, connectionPath(parsed.name));
  },

  async listOnNode(client) {
    const all = objectAnswer(await client.getJson<unknown>(CONNECTIONS_ROUTE), `GET ${CONNECTIONS_ROUTE}`);
    return Object.keys(all).sort(compareText);
  },
};

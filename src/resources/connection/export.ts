// `export --platform` of `Connection`: every connection of the node, with its type, its params (empty ones and
// credentials left out: a credential becomes a `${secret:..}` reference, never a value, since DSS only shows it
// encrypted anyway), its group grants and the flags that differ from DSS's defaults.

import { isObject, type Json } from '../../base/json.js';
import { compareText } from '../../base/order.js';
import { objectAnswer } from '../../dss/answer.js';
import { escapeInterpolation, exportStub, isEmptyValue, secretName, secretReference, setIfPresent, withoutDefaults } from '../export-common.js';
import { memoPerRun } from '../run-memo.js';
import type { ExportedSecret, ExportedSpec, KindContext, ResourceKind } from '../types.js';
import { credentialPath, credentialPointers, setAt, valueAt } from './secrets.js';

const ROUTE = '/admin/connections/';

/** What DSS stores when a connection is created without these fields. */
const FLAG_DEFAULTS: Readonly<Json> = {
  usableBy: 'ALL',
  allowWrite: true,
  allowManagedDatasets: true,
  allowManagedFolders: false,
  useGlobalProxy: false,
  credentialsMode: 'GLOBAL',
  maxActivities: 0,
};

function names(ctx: KindContext): Promise<string[]> {
  return memoPerRun(ctx, `export:${ROUTE}`, async () => Object.keys(objectAnswer(await ctx.client.getJson<unknown>(ROUTE), `GET ${ROUTE}`)).sort(compareText));
}

function groups(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string').sort(compareText) : [];
}

/** The spec of a connection from its definition as DSS returned it. Pure; never returns a credential's value. */
export function connectionSpecFromLive(name: string, definition: Json): ExportedSpec {
  const spec: Json = { type: definition.type };
  const secrets: ExportedSecret[] = [];
  const params: Json = {};
  for (const [key, value] of Object.entries(isObject(definition.params) ? definition.params : {})) {
    if (!isEmptyValue(value) && value !== '') params[key] = escapeInterpolation(value);
  }
  for (const pointer of credentialPointers(params)) {
    if (valueAt(params, pointer) === '') continue;
    const secret = secretName('CONNECTION', name, ...pointer.slice(1).split('/'));
    setAt(params, pointer, secretReference(secret));
    secrets.push({ name: secret, where: `Connection/${name} spec.${credentialPath(pointer)}` });
  }
  setIfPresent(spec, 'params', params);
  const flags = withoutDefaults(
    Object.fromEntries(Object.keys(FLAG_DEFAULTS).filter((k) => definition[k] !== undefined).map((k) => [k, definition[k]])),
    FLAG_DEFAULTS,
  );
  Object.assign(spec, flags);
  setIfPresent(spec, 'allowedGroups', groups(definition.allowedGroups));
  const readability = isObject(definition.detailsReadability) ? definition.detailsReadability : {};
  const readers = groups(readability.allowedGroups);
  if ((readability.readableBy !== undefined && readability.readableBy !== 'NONE') || readers.length > 0) {
    const out: Json = {};
    setIfPresent(out, 'readableBy', readability.readableBy);
    setIfPresent(out, 'allowedGroups', readers);
    spec.detailsReadability = out;
  }
  return secrets.length > 0 ? { spec, secrets } : { spec };
}

export const connectionExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  async listForExport(ctx, scope) {
    if (!scope.platform) return [];
    return (await names(ctx)).map((name) => exportStub('Connection', { name }, {}));
  },

  exportSpec(doc, live) {
    const raw = live[0]?.live.raw;
    return connectionSpecFromLive(doc.metadata.name, isObject(raw) ? raw : {});
  },
};

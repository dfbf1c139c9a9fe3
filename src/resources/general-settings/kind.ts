// `GeneralSettings`: the general settings of a DSS node (`GET|PUT /admin/general-settings`, administrators only),
// one object per node, `GeneralSettings/instance`. Only the fields the manifest declares are managed: nested
// objects are merged key by key, lists are replaced whole (a list is compared and written as declared, items
// included), and everything else is written back as DSS gave it. Secrets: see secrets.ts. Never pruned: when the
// document leaves the manifests, the settings stay as they are.

import { objectOrAbsent } from '../../dss/answer.js';
import { deepCopy, isObject, type Json } from '../../base/json.js';
import { describePointer, escapeSegment } from '../../base/json-pointer.js';
import { registerSecrets } from '../../base/secrets.js';
import { addressOf } from '../../manifest/address.js';
import type { DiffPolicy } from '../../diff/types.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { singletonExportPath } from '../instance-singleton.js';
import { freshWrite, overlay, sensitiveUnder } from '../managed-write.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit } from '../types.js';
import { generalSettingsExport } from './export.js';
import { generalSettingsSchema } from './schema.js';
import { checkLiteralSecrets, ENCRYPTED_POINTERS, isHiddenSecret, literalSecretProblems, ROTATE_ANNOTATION, secretPointers, setAt, valueAt } from './secrets.js';

export const GENERAL_SETTINGS_KIND = 'GeneralSettings';
export const GENERAL_SETTINGS_PATH = '/admin/general-settings';

/** The pointers of every list in `desired`: lists are replaced whole, so each is exact. */
export function listPointers(desired: unknown, at = ''): string[] {
  if (Array.isArray(desired)) return [at];
  if (!isObject(desired)) return [];
  return Object.entries(desired).flatMap(([key, value]) => listPointers(value, `${at}/${escapeSegment(key)}`));
}

export function settingsPolicy(doc: ManifestDocument, desired: Json): DiffPolicy {
  const secrets = secretPointers(desired);
  return {
    exact: listPointers(desired),
    sensitive: [...new Set([...ENCRYPTED_POINTERS, ...secrets, ...sensitiveUnder(doc, '/spec')])].sort(),
  };
}

/**
 * The live settings reduced to the declared shape: the declared keys of each declared object, and whole values
 * where the manifest declares anything else (a list, a text, `null`).
 */
export function projectLive(live: unknown, desired: unknown): unknown {
  if (!isObject(desired) || !isObject(live)) return deepCopy(live);
  const out: Json = {};
  for (const key of Object.keys(desired)) if (Object.hasOwn(live, key)) out[key] = projectLive(live[key], desired[key]);
  return out;
}

/**
 * Declared secrets DSS gives back only encrypted, by pointer (they cannot be compared). Only those from
 * `${secret:..}`: one written in clear stays a change, which the plan refuses (validateChange) at its line.
 */
function hiddenSecrets(unit: ResourceUnit, raw: Json): string[] {
  return secretPointers(unit.desired).filter(
    (pointer) =>
      unit.doc.sensitivePaths.includes(`/spec${pointer}`) && typeof valueAt(unit.desired, pointer) === 'string' && isHiddenSecret(valueAt(raw, pointer)),
  );
}

export function settingsView(unit: ResourceUnit, raw: Json): LiveState {
  const view = projectLive(raw, unit.desired) as Json;
  const notices: string[] = [];
  const hidden = hiddenSecrets(unit, raw);
  const rotate = unit.doc.metadata.annotations?.[ROTATE_ANNOTATION] === 'true';
  if (hidden.length > 0 && !rotate) {
    // Taken as equal to the declared value: a change on every run would hide real ones.
    for (const pointer of hidden) setAt(view, pointer, valueAt(unit.desired, pointer));
    const fields = hidden.map((p) => describePointer(p)).join(', ');
    notices.push(
      `${unit.address}: ${fields} cannot be compared (DSS gives secrets back encrypted); they are written with the next change, ` +
        `or now with the annotation ${ROTATE_ANNOTATION}: "true"`,
    );
  }
  const unknown = Object.keys(unit.desired).filter((key) => !Object.hasOwn(raw, key));
  if (unknown.length > 0) {
    notices.push(`${unit.address}: DSS's general settings have no field ${unknown.map((k) => `\`${k}\``).join(', ')}: check the name`);
  }
  return { view, raw, ...(notices.length > 0 ? { notices } : {}) };
}

async function writeSettings(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  // Read right before the write: a field changed in DSS since the plan, and not declared, is kept.
  await freshWrite(ctx.client, GENERAL_SETTINGS_PATH, (live) => overlay(live, unit.desired, unit.policy));
}

function secretRefusals(unit: ResourceUnit): string[] {
  return literalSecretProblems(unit.doc).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`);
}

export const generalSettingsKind: ResourceKind = {
  kind: GENERAL_SETTINGS_KIND,
  node: 'design',
  schema: generalSettingsSchema,
  ownership: 'instance',
  exportPath: () => singletonExportPath('general-settings'),
  ...generalSettingsExport,
  checkDocument: checkLiteralSecrets,

  units(doc) {
    const desired = deepCopy(doc.spec);
    return [
      {
        address: addressOf(GENERAL_SETTINGS_KIND, doc.metadata.name),
        kind: GENERAL_SETTINGS_KIND,
        doc,
        desired,
        policy: settingsPolicy(doc, desired),
        dependsOn: [],
      },
    ];
  },

  async read(ctx, unit) {
    const raw = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(GENERAL_SETTINGS_PATH), `GET ${GENERAL_SETTINGS_PATH}`);
    if (raw === undefined) return undefined;
    // A secret written in clear in the manifest is still a secret: scrubbed from the run's output from here on.
    registerSecrets(secretPointers(unit.desired).map((p) => valueAt(unit.desired, p)).filter((v): v is string => typeof v === 'string'));
    return settingsView(unit, raw);
  },

  validateCreate: (unit) => secretRefusals(unit),
  validateChange: (unit) => secretRefusals(unit),

  // A node always has its settings; a read that found none (404) writes them all the same.
  async create(ctx, unit) {
    await writeSettings(ctx, unit);
  },

  async update(ctx, unit) {
    await writeSettings(ctx, unit);
  },
  // No `delete`: the general settings are never pruned. No `listOnNode`: there is nothing else of this kind on a
  // node to call unmanaged.
};

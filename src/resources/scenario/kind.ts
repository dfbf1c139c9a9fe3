// `Scenario`: a scenario of a project, `Scenario/PROJECT/ID`. Its settings object (`GET|PUT .../scenarios/{id}`)
// holds name, type, active, description, params with the steps, and the triggers and reporters at the top level;
// a custom_python scenario's code is the separate `/payload` object.
//
// `active` is managed in the settings object, not through `/light`: the settings object carries it, DSS's own
// client changes it there (`settings.active = ...; settings.save()`), and a settings PUT always sends it back,
// so writing it through `/light` as well would race with our own PUT of a stale value.

import { objectOrAbsent } from '../../dss/answer.js';
import { pathSegment } from '../../base/dss-path.js';
import type { DiffPolicy } from '../../diff/types.js';
import { DssGitopsError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { deepEqual, isObject, type Json } from '../../base/json.js';
import { asObject, freshWrite, overlay, pick, sensitiveUnder } from '../managed-write.js';
import { createResolvingLostAnswer, deleteIfPresent } from '../lost-answer.js';
import { PROJECT_KIND, projectReferences } from '../project/kind.js';
import { scenarioSchema } from './schema.js';
import { scenarioExport } from './export.js';
import { readScriptFile, scenarioScript } from './script.js';
import type { KindContext, ResourceKind, ResourceUnit } from '../types.js';

export const SCENARIO_KIND = 'Scenario';

const SETTINGS_FIELDS = ['name', 'type', 'active', 'description', 'params', 'triggers', 'reporters'] as const;

/**
 * What DSS fills in on steps, triggers and reporters it stores; a manifest that spells one of them out is not
 * reported as a change against a live object that left it implicit.
 */
export const SCENARIO_DEFAULTS: Record<string, unknown> = {
  '/description': '',
  '/triggers/*/active': true,
  '/triggers/*/delay': 0,
  '/reporters/*/active': true,
  '/params/steps/*/runConditionType': 'RUN_IF_STATUS_MATCH',
  '/params/steps/*/runConditionStatuses': ['SUCCESS', 'WARNING'],
  '/params/steps/*/resetScenarioStatus': false,
  '/params/steps/*/maxRetriesOnFail': 0,
  '/params/steps/*/delayBetweenRetries': 10,
  '/params/steps/*/alwaysShowComment': false,
};

/** Server-managed parts of the settings object: never compared, never written. */
const SERVER_MANAGED = ['/versionTag', '/creationTag', '/projectKey', '/id'];

export function scenarioPolicy(doc: ManifestDocument): DiffPolicy {
  return {
    keyedLists: { '/params/steps': ['id'], '/triggers': ['id'], '/reporters': ['id'] },
    // Declared lists are the whole list: a step, trigger or reporter the manifest drops is removed.
    exact: ['/params/steps', '/triggers', '/reporters'],
    // Steps run in list order: a reordering is a change, and a write puts the steps in the declared order.
    ordered: ['/params/steps'],
    ignore: SERVER_MANAGED,
    defaults: SCENARIO_DEFAULTS,
    sensitive: sensitiveUnder(doc, '/spec'),
    // Step params, trigger params and reporter configurations hold credentials under free names (`authToken`).
    secretNamedKeys: ['/params', '/triggers', '/reporters'],
  };
}

interface ScenarioRaw {
  settings: Json;
  payload?: Json;
}

function idsOf(unit: ResourceUnit): { key: string; id: string } {
  return { key: unit.doc.metadata.project ?? '', id: unit.doc.metadata.name };
}

function settingsPath(key: string, id: string): string {
  return `/projects/${pathSegment(key)}/scenarios/${pathSegment(id)}`;
}

/** The parts of the desired object that are fields of the settings object. */
function settingsDesired(desired: Json): Json {
  const out: Json = { ...desired };
  delete out.script;
  return out;
}

/** GET-modify-PUT of the settings object, read right before the write (its versionTag goes back with it). */
async function writeSettings(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  const { key, id } = idsOf(unit);
  await freshWrite(ctx.client, settingsPath(key, id), (live) => overlay(live, settingsDesired(unit.desired), unit.policy));
}

async function writeScript(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  const script = unit.desired.script;
  if (typeof script !== 'string') return;
  const { key, id } = idsOf(unit);
  const path = `${settingsPath(key, id)}/payload`;
  await freshWrite(ctx.client, path, (current) => ({ ...current, script }), () => ctx.client.getOrAbsent(path));
}

export const scenarioKind: ResourceKind = {
  kind: SCENARIO_KIND,
  node: 'design',
  schema: scenarioSchema,
  ...scenarioExport,
  projectScoped: true,
  references: projectReferences,
  checkDocument: readScriptFile,
  keyedLists: [
    { pointer: '/spec/params/steps', item: 'step', keys: ['id'] },
    { pointer: '/spec/triggers', item: 'trigger', keys: ['id'] },
    { pointer: '/spec/reporters', item: 'reporter', keys: ['id'] },
  ],

  async listInProject(client, projectKey) {
    const scenarios = await client.getOrAbsent<unknown>(`/projects/${pathSegment(projectKey)}/scenarios/`);
    if (!Array.isArray(scenarios)) return [];
    return scenarios.map((s) => (isObject(s) && typeof s.id === 'string' ? s.id : undefined)).filter((id): id is string => id !== undefined);
  },

  units(doc) {
    const project = doc.metadata.project ?? '';
    const desired: Json = {};
    for (const field of SETTINGS_FIELDS) if (doc.spec[field] !== undefined) desired[field] = doc.spec[field];
    const script = scenarioScript(doc);
    if (script !== undefined) desired.script = script;
    return [
      {
        address: addressOf(SCENARIO_KIND, doc.metadata.name, project),
        kind: SCENARIO_KIND,
        doc,
        desired,
        policy: scenarioPolicy(doc),
        dependsOn: [addressOf(PROJECT_KIND, project)],
      },
    ];
  },

  async read(ctx, unit) {
    const { key, id } = idsOf(unit);
    const route = settingsPath(key, id);
    const settings = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(route), `GET ${route}`);
    if (settings === undefined) return undefined;
    const raw: ScenarioRaw = { settings };
    const view = pick(raw.settings, settingsDesired(unit.desired));
    // Only a python scenario has code; the settings just read say which one this is.
    if (unit.desired.script !== undefined && raw.settings.type === 'custom_python') {
      const payloadRoute = `${settingsPath(key, id)}/payload`;
      raw.payload = objectOrAbsent(await ctx.client.getOrAbsent(payloadRoute), `GET ${payloadRoute}`) ?? {};
      if (typeof raw.payload.script === 'string') view.script = raw.payload.script;
    }
    return { view, raw };
  },

  async create(ctx, unit) {
    const { key, id } = idsOf(unit);
    const desired = unit.desired;
    // Every declared setting (DSS's creation takes active, description, params, triggers and reporters), and only
    // those: params left out are DSS's own defaults (a python scenario's code env selection), which an empty object
    // sent here would replace.
    const body: Json = { id, name: desired.name ?? id, type: desired.type ?? 'step_based' };
    for (const field of SETTINGS_FIELDS) if (desired[field] !== undefined) body[field] ??= desired[field];
    const created = await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () => ctx.client.postJson(`/projects/${pathSegment(key)}/scenarios/`, body),
      readBack: () => ctx.client.getOrAbsent(settingsPath(key, id)),
      // Everything but the type is written over what DSS stored right below.
      mismatch: (found) => (asObject(found).type === body.type ? undefined : `its type is ${String(asObject(found).type)}, not ${String(body.type)}`),
    });
    // DSS answers the creation with what it stored (or nothing, or the object read back after a lost answer). When
    // that holds the declared settings already, writing them again would change nothing: the GET-modify-PUT is
    // left out. Otherwise (DSS left a field out or stored it otherwise) the settings write starts from what it stored.
    const stored = created.answer ?? created.found;
    if (!isObject(stored) || stored.id !== id || !deepEqual(overlay(stored, settingsDesired(desired), unit.policy), stored)) {
      await writeSettings(ctx, unit);
    }
    await writeScript(ctx, unit);
  },

  async update(ctx, unit) {
    await writeSettings(ctx, unit);
    await writeScript(ctx, unit);
  },

  async delete(ctx, address) {
    const parsed = parseAddress(address, true);
    if (!parsed || parsed.kind !== SCENARIO_KIND || parsed.project === undefined) {
      throw new DssGitopsError('BAD_ADDRESS', `${address} is not a scenario address`);
    }
    await deleteIfPresent(ctx, `${settingsPath(parsed.project, parsed.name)}/`);
  },
};

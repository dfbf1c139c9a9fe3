// `export` of `Scenario`: every scenario of the projects in scope, read through the kind's own unit, without what
// DSS fills in when a field is left out (step and trigger defaults, empty lists, inactive flag...). Undocumented
// fields of steps, triggers and reporters are kept as they are. A python scenario's code goes to `<ID>.py`.
// Secret-looking values anywhere in the spec (under secret-looking names, or URLs carrying credentials, such as a
// webhook reporter's URL) become `${secret:PROJECT_SCENARIO_..}` references.

import { pathSegment } from '../../base/dss-path.js';
import { escapeInterpolation, exportStub, referenceSecrets, setIfPresent, withoutDefaults } from '../export-common.js';
import { isObject, type Json } from '../../base/json.js';
import { asObject } from '../managed-write.js';
import type { ExportedSecret, ExportedSpec, ResourceKind } from '../types.js';

/** The name DSS gives a trigger created without one. */
export function defaultTriggerName(type: unknown): string | undefined {
  switch (type) {
    case 'temporal':
      return 'Time-based';
    case 'ds_modified':
      return 'Dataset changed';
    case 'sql_query':
      return 'SQL query change';
    case 'custom_python':
      return 'Custom trigger';
    default:
      return typeof type === 'string' ? type : undefined;
  }
}

/** What DSS stores on a trigger that leaves these fields out. */
export function triggerDefaults(type: unknown): Json {
  return {
    name: defaultTriggerName(type),
    active: true,
    delay: type === 'temporal' ? 5 : 0,
    graceDelaySettings: { delay: 0, checkAgainAfterGraceDelay: false },
    params: {},
  };
}

/** What DSS stores on the step at `index` that leaves these fields out. */
export function stepDefaults(index: number): Json {
  return {
    name: `Step #${index + 1}`,
    runConditionType: 'RUN_IF_STATUS_MATCH',
    runConditionStatuses: ['SUCCESS', 'WARNING'],
    resetScenarioStatus: false,
    maxRetriesOnFail: 0,
    delayBetweenRetries: 10,
    alwaysShowComment: false,
    params: {},
  };
}

function items(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function exportParams(type: unknown, params: Json): Json {
  // A python scenario's params (its code env) are kept as they are: their defaults are DSS's own and not
  // documented, so none is left out; declared again on a new node, they are what the scenario is created with.
  if (type !== 'step_based') return structuredClone(params);
  const out = withoutDefaults(params, { steps: [] });
  if (out.steps !== undefined) out.steps = items(params.steps).map((step, i) => withoutDefaults(step, stepDefaults(i)));
  return out;
}

/** Keys that only hold other fields: left out of secret names (`CHURN_DAILY_HOOK_URL`, not `..._MESSAGING_CONFIGURATION_URL`). */
const QUIET_KEYS: ReadonlySet<string> = new Set(['params', 'steps', 'triggers', 'reporters', 'messaging', 'configuration']);

/** The spec with its secrets replaced by references named `PROJECT_SCENARIO_..`. Pure. */
export function scrubScenarioSpec(project: string, id: string, spec: Json): { spec: Json; secrets: ExportedSecret[] } {
  const found = { taken: new Set<string>(), found: [] as ExportedSecret[] };
  const at = { name: [project, id], where: `Scenario/${project}/${id} spec` };
  const scrubbed = referenceSecrets(spec, at, found, { urls: true, quietKeys: QUIET_KEYS }) as Json;
  return { spec: scrubbed, secrets: found.found };
}

/**
 * The spec of a scenario from its live view (settings fields, and `script` for python). Pure. The script is not
 * put in the spec but in a file beside it.
 */
export function scenarioSpecFromView(project: string, id: string, raw: Json): ExportedSpec {
  const { script, ...settings } = raw;
  const view = escapeInterpolation(settings) as Json;
  const built: Json = {};
  setIfPresent(built, 'name', view.name);
  built.type = view.type;
  if (view.active === true) built.active = true;
  setIfPresent(built, 'description', view.description);
  setIfPresent(built, 'params', exportParams(view.type, asObject(view.params)));
  setIfPresent(built, 'triggers', items(view.triggers).map((trigger) => withoutDefaults(trigger, triggerDefaults(trigger.type))));
  setIfPresent(built, 'reporters', items(view.reporters).map((reporter) => structuredClone(reporter)));
  const { spec, secrets } = scrubScenarioSpec(project, id, built);
  const exported: ExportedSpec = secrets.length > 0 ? { spec, secrets } : { spec };
  if (view.type !== 'custom_python') return exported;
  const file = `${id}.py`;
  spec.scriptFile = file;
  return { ...exported, files: { [file]: typeof script === 'string' ? script : '' } };
}

/** A row of the scenario list: the reference documents `{id, running, active}` only, not the type. */
interface ScenarioListItem {
  id?: unknown;
}

export const scenarioExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  async listForExport(ctx, scope) {
    const lists = await Promise.all(
      scope.projectKeys.map(async (key) => {
        const list = await ctx.client.getJson<unknown>(`/projects/${pathSegment(key)}/scenarios/`);
        return (Array.isArray(list) ? (list as ScenarioListItem[]) : []).map((item) => ({ key, item }));
      }),
    );
    return lists.flat().flatMap(({ key, item }) => {
      if (typeof item.id !== 'string') return [];
      // The type comes from the settings the unit reads; asking for `script` makes that read fetch the code of a
      // python scenario (and only of one), so that every object is read once.
      const spec: Json = { name: '', type: 'step_based', active: false, description: '', script: '' };
      Object.assign(spec, { params: {}, triggers: [], reporters: [] });
      return [exportStub('Scenario', { name: item.id, project: key }, spec)];
    });
  },

  exportSpec(doc, live) {
    const settings = live[0]?.live.view ?? {};
    return scenarioSpecFromView(doc.metadata.project ?? '', doc.metadata.name, settings);
  },
};

// Scenarios as plain operations on a project record: create, normalize, validate and replace settings the way
// DSS does (defaults added to triggers and steps, undocumented fields kept, immutable ids checked).

import { illegalArgument, notFound } from '../errors.js';
import { isObject } from '../../base/json.js';
import type { Json, ProjectRecord, ScenarioRecord } from './state.js';

const SCENARIO_TYPES = ['step_based', 'custom_python'];
const SCENARIO_ID_PATTERN = /^[A-Za-z0-9_]+$/;

export function getScenario(project: ProjectRecord, scenarioId: string): ScenarioRecord {
  const scenario = project.scenarios[scenarioId];
  if (!scenario) throw notFound(`Scenario ${scenarioId} not found in project ${project.projectKey}`);
  return scenario;
}

/** DSS derives an id from the name when the client gives none: upper case, other characters dropped. */
export function idFromName(name: string): string {
  const id = name.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return id === '' ? 'SCENARIO' : id;
}

export function createScenario(project: ProjectRecord, body: unknown, login: string, now: number): ScenarioRecord {
  if (!isObject(body)) throw illegalArgument('A scenario must be a JSON object');
  if (typeof body.name !== 'string' || body.name.trim() === '') throw illegalArgument('A scenario needs a name');
  const type = body.type ?? 'step_based';
  if (typeof type !== 'string' || !SCENARIO_TYPES.includes(type)) {
    throw illegalArgument(`Invalid scenario type '${String(type)}': use ${SCENARIO_TYPES.join(' or ')}`);
  }
  let id: string;
  if (body.id !== undefined && body.id !== null && body.id !== '') {
    if (typeof body.id !== 'string' || !SCENARIO_ID_PATTERN.test(body.id)) throw illegalArgument(`Invalid scenario id '${String(body.id)}'`);
    if (project.scenarios[body.id]) throw illegalArgument(`Scenario ${body.id} already exists in project ${project.projectKey}`);
    id = body.id;
  } else {
    const base = idFromName(body.name);
    id = base;
    for (let n = 2; project.scenarios[id]; n += 1) id = `${base}_${n}`;
  }
  const stamp = { versionNumber: 0, lastModifiedBy: { login }, lastModifiedOn: now };
  const settings: Json = {
    projectKey: project.projectKey,
    id,
    type,
    name: body.name,
    active: false,
    description: '',
    tags: [],
    // Fields the reference does not document but that live DSS objects carry.
    automationLocal: false,
    delayedTriggersBehavior: { delayWhileRunning: true, squashDelayedTriggers: true, suppressTriggersWhileRunning: true },
    checklists: { checklists: [] },
    customFields: {},
    params: type === 'step_based' ? { steps: [] } : { envSelection: { envMode: 'INHERIT' } },
    triggers: [],
    reporters: [],
    ...structuredClone(body),
    creationTag: stamp,
    versionTag: stamp,
  };
  settings.id = id;
  settings.type = type;
  settings.projectKey = project.projectKey;
  normalizeScenario(settings);
  const scenario: ScenarioRecord = { settings, payload: { script: '' }, runs: [] };
  project.scenarios[id] = scenario;
  return scenario;
}

/** Replaces the settings with what the client sent, after the checks DSS makes; returns the stored object. */
export function putScenario(project: ProjectRecord, scenarioId: string, body: unknown, login: string, now: number): Json {
  const scenario = getScenario(project, scenarioId);
  if (!isObject(body)) throw illegalArgument('Scenario settings must be a JSON object');
  if (body.id !== scenarioId) throw illegalArgument(`The scenario id cannot be changed or omitted (expected '${scenarioId}')`);
  if (body.projectKey !== undefined && body.projectKey !== project.projectKey) {
    throw illegalArgument('The project key of a scenario cannot be changed');
  }
  if (body.type !== scenario.settings.type) throw illegalArgument('The type of a scenario cannot be changed or omitted');
  if (typeof body.name !== 'string' || body.name.trim() === '') throw illegalArgument('A scenario needs a name');
  if (body.active !== undefined && typeof body.active !== 'boolean') throw illegalArgument("'active' must be a boolean");
  const settings = structuredClone(body);
  normalizeScenario(settings);
  const previous = scenario.settings.versionTag as { versionNumber?: number } | undefined;
  settings.versionTag = { versionNumber: (previous?.versionNumber ?? 0) + 1, lastModifiedBy: { login }, lastModifiedOn: now };
  if (scenario.settings.creationTag !== undefined) settings.creationTag = scenario.settings.creationTag;
  scenario.settings = settings;
  return structuredClone(settings);
}

/** `PUT .../light` changes only whether the scenario is active (and its name, when given). */
export function putScenarioLight(project: ProjectRecord, scenarioId: string, body: unknown): void {
  const scenario = getScenario(project, scenarioId);
  if (!isObject(body)) throw illegalArgument('Scenario settings must be a JSON object');
  if (body.id !== undefined && body.id !== scenarioId) throw illegalArgument('The scenario id cannot be changed');
  if (typeof body.active !== 'boolean') throw illegalArgument("'active' must be a boolean");
  scenario.settings.active = body.active;
  if (typeof body.name === 'string' && body.name.trim() !== '') scenario.settings.name = body.name;
}

export function putScenarioPayload(project: ProjectRecord, scenarioId: string, body: unknown): void {
  const scenario = getScenario(project, scenarioId);
  if (!isObject(body) || typeof body.script !== 'string') throw illegalArgument("A scenario payload needs a 'script' string");
  scenario.payload = structuredClone(body);
}

export function deleteScenario(project: ProjectRecord, scenarioId: string): void {
  getScenario(project, scenarioId);
  delete project.scenarios[scenarioId];
}

/** Adds the defaults DSS stores on triggers and steps, and checks their shape. */
export function normalizeScenario(settings: Json): void {
  if (settings.triggers === undefined) settings.triggers = [];
  if (!Array.isArray(settings.triggers)) throw illegalArgument("'triggers' must be a list");
  settings.triggers = settings.triggers.map((trigger: unknown, i: number) => normalizeTrigger(trigger, i));
  if (settings.reporters !== undefined && !Array.isArray(settings.reporters)) throw illegalArgument("'reporters' must be a list");
  if (settings.type === 'step_based') {
    const params = isObject(settings.params) ? settings.params : {};
    if (params.steps === undefined) params.steps = [];
    if (!Array.isArray(params.steps)) throw illegalArgument("'params.steps' must be a list");
    params.steps = params.steps.map((step: unknown, i: number) => normalizeStep(step, i));
    settings.params = params;
  } else if (settings.params !== undefined && !isObject(settings.params)) {
    throw illegalArgument("'params' must be an object");
  }
}

function normalizeTrigger(trigger: unknown, index: number): Json {
  if (!isObject(trigger) || typeof trigger.type !== 'string') throw illegalArgument('Each trigger needs a type');
  return {
    id: `${trigger.type}_${index}`,
    name: defaultTriggerName(trigger.type),
    active: true,
    delay: trigger.type === 'temporal' ? 5 : 0,
    graceDelaySettings: { delay: 0, checkAgainAfterGraceDelay: false },
    params: {},
    ...trigger,
  };
}

function defaultTriggerName(type: string): string {
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
      return type;
  }
}

function normalizeStep(step: unknown, index: number): Json {
  if (!isObject(step) || typeof step.type !== 'string') throw illegalArgument('Each step needs a type');
  return {
    id: `${step.type}_${index}`,
    name: `Step #${index + 1}`,
    runConditionType: 'RUN_IF_STATUS_MATCH',
    runConditionStatuses: ['SUCCESS', 'WARNING'],
    resetScenarioStatus: false,
    maxRetriesOnFail: 0,
    delayBetweenRetries: 10,
    alwaysShowComment: false,
    params: {},
    ...step,
  };
}

// Scenario runs. A run is stored with its start and end times; whether it is still running, and its outcome,
// follow from the clock, so that runs finish "asynchronously" without timers and survive a restart.

import { notFound } from '../errors.js';
import { getScenario } from './scenario-store.js';
import type { Json, ProjectRecord, ScenarioRecord, ScenarioRunRecord } from './state.js';

export const MANUAL_TRIGGER = { id: 'manual', name: 'API run', type: 'manual', active: false, delay: 0 };

/** DSS run ids are timestamps: `2016-04-15-16-57-37-759`. */
export function runIdAt(time: number): string {
  return new Date(time).toISOString().replace(/[T:.]/g, '-').replace(/Z$/, '');
}

export function isRunning(run: ScenarioRunRecord, now: number): boolean {
  return run.abortedAt === undefined && now < run.endTime;
}

export function runningRun(scenario: ScenarioRecord, now: number): ScenarioRunRecord | undefined {
  return scenario.runs.find((run) => isRunning(run, now));
}

export interface TriggerFire {
  fire: Json;
  run: ScenarioRunRecord | undefined;
}

/** Starts a run as the manual trigger does; a scenario that is already running does not start twice. */
export function startRun(project: ProjectRecord, scenarioId: string, params: Json, login: string, now: number, durationMs: number): TriggerFire {
  const scenario = getScenario(project, scenarioId);
  let time = now;
  const taken = new Set(scenario.runs.map((r) => r.runId));
  while (taken.has(runIdAt(time))) time += 1;
  const triggerRunId = runIdAt(time);
  const cancelled = runningRun(scenario, now) !== undefined;
  const fire: Json = {
    projectKey: project.projectKey,
    scenarioId,
    trigger: { ...MANUAL_TRIGGER },
    runId: triggerRunId,
    timestamp: now,
    params,
    cancelled,
  };
  if (cancelled) return { fire, run: undefined };
  const run: ScenarioRunRecord = {
    runId: triggerRunId,
    triggerId: MANUAL_TRIGGER.id,
    triggerRunId,
    startTime: now,
    endTime: now + durationMs,
    runBy: login,
    params,
  };
  scenario.runs.unshift(run);
  return { fire, run };
}

/** Aborts the scenario's running run, if any; returns whether one was aborted. */
export function abortRun(project: ProjectRecord, scenarioId: string, now: number): boolean {
  const run = runningRun(getScenario(project, scenarioId), now);
  if (!run) return false;
  run.abortedAt = now;
  return true;
}

export function findRun(scenario: ScenarioRecord, runId: string): ScenarioRunRecord {
  const run = scenario.runs.find((r) => r.runId === runId);
  if (!run) throw notFound(`Run ${runId} not found`);
  return run;
}

export function findRunForTrigger(scenario: ScenarioRecord, triggerId: string, triggerRunId: string): ScenarioRunRecord | undefined {
  return scenario.runs.find((r) => r.triggerId === triggerId && r.triggerRunId === triggerRunId);
}

/** The `scenarioRun` object of the API: `result` appears only once the run is over. */
export function runView(project: ProjectRecord, scenario: ScenarioRecord, run: ScenarioRunRecord, now: number): Json {
  const settings = scenario.settings;
  const running = isRunning(run, now);
  const end = run.abortedAt ?? run.endTime;
  const view: Json = {
    runId: run.runId,
    start: run.startTime,
    end: running ? 0 : end,
    running,
    runAsUser: { realLogin: run.runBy },
    scenario: {
      projectKey: project.projectKey,
      id: settings.id,
      name: settings.name,
      type: settings.type,
      active: settings.active,
      automationLocal: settings.automationLocal ?? false,
      description: settings.description ?? '',
    },
    trigger: { trigger: { ...MANUAL_TRIGGER }, runId: run.triggerRunId, params: run.params, cancelled: false },
    variables: {},
  };
  if (!running) {
    view.result = {
      type: 'SCENARIO_DONE',
      outcome: run.abortedAt === undefined ? 'SUCCESS' : 'ABORTED',
      start: run.startTime,
      end,
    };
  }
  return view;
}

/** `{scenarioRun, stepRuns}`: one step run per step of a step-based scenario, done when the run is. */
export function runDetails(project: ProjectRecord, scenario: ScenarioRecord, run: ScenarioRunRecord, now: number): Json {
  const scenarioRun = runView(project, scenario, run, now);
  const params = scenario.settings.params as { steps?: Json[] } | undefined;
  const steps = Array.isArray(params?.steps) ? params.steps : [];
  const stepRuns = steps.map((step) => ({
    runId: `${run.runId}-${String(step.id)}`,
    start: run.startTime,
    end: scenarioRun.end,
    step: { id: step.id, name: step.name, type: step.type },
    ...(scenarioRun.result ? { result: scenarioRun.result } : {}),
    additionalReportItems: [],
  }));
  return { scenarioRun, stepRuns };
}

// Scenario routes: list, create, get, put, light get/put, payload get/put, delete.

import type { Router, SimRequest } from '../router.js';
import type { SimContext } from '../context.js';
import { getProject } from './project-store.js';
import { runningRun } from './run-store.js';
import {
  createScenario,
  deleteScenario,
  getScenario,
  putScenario,
  putScenarioLight,
  putScenarioPayload,
} from './scenario-store.js';
import type { Json, ScenarioRecord } from './state.js';

/** The ScenarioWithStatus object of lists and of `/light`. */
export function scenarioLight(scenario: ScenarioRecord, now: number): Json {
  const s = scenario.settings;
  const last = scenario.runs[0];
  return {
    projectKey: s.projectKey,
    id: s.id,
    name: s.name,
    type: s.type,
    active: s.active,
    running: runningRun(scenario, now) !== undefined,
    description: s.description ?? '',
    tags: s.tags ?? [],
    automationLocal: s.automationLocal ?? false,
    ...(last ? { lastRunStart: last.startTime } : {}),
  };
}

function target(req: SimRequest, ctx: SimContext): { project: ReturnType<typeof getProject>; id: string } {
  return { project: getProject(ctx.state.design, req.params.projectKey ?? ''), id: req.params.scenarioId ?? '' };
}

export function registerScenarioRoutes(router: Router): void {
  const read = { privilege: 'READ_CONF' } as const;
  const write = { privilege: 'WRITE_CONF' } as const;

  router.get(
    '/projects/:projectKey/scenarios',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      return { json: Object.values(project.scenarios).map((s) => scenarioLight(s, ctx.now())) };
    },
    read,
  );

  router.post(
    '/projects/:projectKey/scenarios',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      const scenario = createScenario(project, req.body, ctx.userLogin, ctx.now());
      ctx.changed();
      return { json: structuredClone(scenario.settings) };
    },
    write,
  );

  router.get(
    '/projects/:projectKey/scenarios/:scenarioId/light',
    (req, ctx) => {
      const { project, id } = target(req, ctx);
      return { json: scenarioLight(getScenario(project, id), ctx.now()) };
    },
    read,
  );

  router.put(
    '/projects/:projectKey/scenarios/:scenarioId/light',
    (req, ctx) => {
      const { project, id } = target(req, ctx);
      putScenarioLight(project, id, req.body);
      ctx.changed();
      return { status: 204 };
    },
    write,
  );

  router.get(
    '/projects/:projectKey/scenarios/:scenarioId/payload',
    (req, ctx) => {
      const { project, id } = target(req, ctx);
      return { json: structuredClone(getScenario(project, id).payload) };
    },
    read,
  );

  router.put(
    '/projects/:projectKey/scenarios/:scenarioId/payload',
    (req, ctx) => {
      const { project, id } = target(req, ctx);
      putScenarioPayload(project, id, req.body);
      ctx.changed();
      return { status: 204 };
    },
    write,
  );

  router.get(
    '/projects/:projectKey/scenarios/:scenarioId',
    (req, ctx) => {
      const { project, id } = target(req, ctx);
      // Answered at once, so serialized before anything can change it: no copy (see dispatch in server.ts).
      return { json: getScenario(project, id).settings };
    },
    read,
  );

  router.put(
    '/projects/:projectKey/scenarios/:scenarioId',
    (req, ctx) => {
      const { project, id } = target(req, ctx);
      const stored = putScenario(project, id, req.body, ctx.userLogin, ctx.now());
      ctx.changed();
      // Clients read this answer as JSON (the reference says 204): answer the stored object.
      return { json: stored };
    },
    write,
  );

  router.delete(
    '/projects/:projectKey/scenarios/:scenarioId',
    (req, ctx) => {
      const { project, id } = target(req, ctx);
      deleteScenario(project, id);
      ctx.changed();
      return { json: { message: `Deleted scenario ${id} from project ${project.projectKey}` } };
    },
    write,
  );
}

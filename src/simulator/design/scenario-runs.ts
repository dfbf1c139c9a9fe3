// Scenario run routes: run (a trigger fire), abort, get-run-for-trigger, trigger run, run details, last runs.
// Registered after the scenario routes, because `/scenarios/:scenarioId/:runId` would also match `/light`.

import { illegalArgument } from '../errors.js';
import type { Router } from '../router.js';
import { isObject } from '../../base/json.js';
import { getProject } from './project-store.js';
import { abortRun, findRun, findRunForTrigger, runDetails, runView, startRun, MANUAL_TRIGGER } from './run-store.js';
import { getScenario } from './scenario-store.js';

export function registerScenarioRunRoutes(router: Router): void {
  // DSS asks for RUN_JOBS; the simulator maps it to WRITE_CONF, the nearest privilege it models.
  const run = { privilege: 'WRITE_CONF' } as const;
  const read = { privilege: 'READ_CONF' } as const;

  router.post(
    '/projects/:projectKey/scenarios/:scenarioId/run',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      const params = isObject(req.body) ? req.body : {};
      const { fire } = startRun(project, req.params.scenarioId ?? '', params, ctx.userLogin, ctx.now(), ctx.state.design.scenarioRunMs);
      ctx.changed();
      return { json: fire };
    },
    run,
  );

  router.post(
    '/projects/:projectKey/scenarios/:scenarioId/abort',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      const aborted = abortRun(project, req.params.scenarioId ?? '', ctx.now());
      if (aborted) ctx.changed();
      return { json: { aborted } };
    },
    run,
  );

  router.get(
    '/projects/:projectKey/scenarios/:scenarioId/get-last-runs',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      const scenario = getScenario(project, req.params.scenarioId ?? '');
      const limitText = req.query.get('limit');
      const limit = limitText === null ? 10 : Number.parseInt(limitText, 10);
      if (!Number.isInteger(limit) || limit < 0) throw illegalArgument('limit must be a non-negative integer');
      return { json: scenario.runs.slice(0, limit).map((r) => runView(project, scenario, r, ctx.now())) };
    },
    read,
  );

  router.get(
    '/projects/:projectKey/scenarios/:scenarioId/get-run-for-trigger',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      const scenario = getScenario(project, req.params.scenarioId ?? '');
      const triggerId = req.query.get('triggerId');
      const triggerRunId = req.query.get('triggerRunId');
      if (!triggerId || !triggerRunId) throw illegalArgument('triggerId and triggerRunId are required');
      const found = findRunForTrigger(scenario, triggerId, triggerRunId);
      // Before the trigger's run has started DSS answers an empty object, and clients keep polling.
      return { json: found ? runDetails(project, scenario, found, ctx.now()) : {} };
    },
    read,
  );

  router.get(
    '/projects/:projectKey/scenarios/trigger/:scenarioId/:triggerId',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      const scenario = getScenario(project, req.params.scenarioId ?? '');
      const triggerRunId = req.query.get('triggerRunId') ?? '';
      const found = findRunForTrigger(scenario, req.params.triggerId ?? '', triggerRunId);
      if (!found) throw illegalArgument(`No run ${triggerRunId} of trigger ${req.params.triggerId ?? ''}`);
      return {
        json: {
          projectKey: project.projectKey,
          scenarioId: scenario.settings.id,
          trigger: { ...MANUAL_TRIGGER },
          runId: found.triggerRunId,
          timestamp: found.startTime,
          params: found.params,
          cancelled: false,
        },
      };
    },
    read,
  );

  router.get(
    '/projects/:projectKey/scenarios/:scenarioId/:runId',
    (req, ctx) => {
      const project = getProject(ctx.state.design, req.params.projectKey ?? '');
      const scenario = getScenario(project, req.params.scenarioId ?? '');
      return { json: runDetails(project, scenario, findRun(scenario, req.params.runId ?? ''), ctx.now()) };
    },
    read,
  );
}

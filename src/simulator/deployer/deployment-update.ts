// `actions/update` of a deployment: a future that brings the automation node to the bundle the settings name.
// It goes through the node's public API, step by step, as DSS's deployer does: create the project from the bundle
// the first time (or import the bundle into it), preload, activate, then apply the deployment's local variables,
// its automatic-trigger switch and its scenario activations.

import type { SimContext } from '../context.js';
import { conflict } from '../errors.js';
import { buildArchive, type BundleContent } from './archive.js';
import { automationTarget, callAutomation, type AutomationTarget } from './automation-client.js';
import { abortFuture, deployerState, findFuture, FutureStepError, startFuture, type FutureStep } from './futures.js';
import type { Deployment, DeploymentSettings, FutureRecord } from './state.js';
import { isRecord } from './values.js';

const ok = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messages: [],
  anyMessage: false,
  success: true,
  warning: false,
  error: false,
  fatal: false,
  ...extra,
});

interface UpdatePlan {
  settings: DeploymentSettings;
  content: BundleContent | undefined;
  target: () => AutomationTarget;
}

function updateSteps(plan: UpdatePlan): FutureStep[] {
  const { settings } = plan;
  const key = settings.deployedProjectKey;
  const bundleId = settings.bundleId;
  const enc = encodeURIComponent;
  let projectExists = false;
  let archive: Uint8Array | undefined;
  return [
    {
      name: 'Preparing the update',
      run: async (signal) => {
        if (!plan.content) {
          throw new FutureStepError(`Bundle ${bundleId} is not in published project ${settings.publishedProjectKey}`, 400);
        }
        archive = buildArchive(plan.content);
        const projects = await callAutomation(plan.target(), 'GET', '/projects/', { signal });
        projectExists = Array.isArray(projects) && projects.some((p) => isRecord(p) && p.projectKey === key);
        return ok({ projectExists });
      },
    },
    {
      name: `Uploading bundle ${bundleId}`,
      run: async (signal) => {
        const target = plan.target();
        if (!projectExists) {
          await callAutomation(target, 'POST', '/projectsFromBundle', {
            query: { projectKey: key, projectFolderId: settings.projectFolderId },
            archive: archive as Uint8Array,
            signal,
          });
          return ok({ createdProject: key, imported: bundleId });
        }
        const list = await callAutomation(target, 'GET', `/projects/${enc(key)}/bundles/imported`, { signal });
        const bundles = isRecord(list) && Array.isArray(list.bundles) ? list.bundles : [];
        if (bundles.some((b) => isRecord(b) && b.bundleId === bundleId)) return ok({ alreadyImported: bundleId });
        await callAutomation(target, 'POST', `/projects/${enc(key)}/bundles/imported/actions/importFromStream`, {
          archive: archive as Uint8Array,
          signal,
        });
        return ok({ imported: bundleId });
      },
    },
    {
      name: `Preloading bundle ${bundleId}`,
      run: async (signal) =>
        ok({ node: await callAutomation(plan.target(), 'POST', `/projects/${enc(key)}/bundles/imported/${enc(bundleId)}/actions/preload`, { signal }) }),
    },
    {
      name: `Activating bundle ${bundleId}`,
      run: async (signal) =>
        ok({ bundleId, node: await callAutomation(plan.target(), 'POST', `/projects/${enc(key)}/bundles/imported/${enc(bundleId)}/actions/activate`, { signal }) }),
    },
    {
      name: 'Applying the deployment settings',
      run: async (signal) => applyDeploymentSettings(plan.target(), settings, signal),
    },
  ];
}

async function applyDeploymentSettings(
  target: AutomationTarget,
  settings: DeploymentSettings,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const key = encodeURIComponent(settings.deployedProjectKey);
  const messages: string[] = [];
  if (Object.keys(settings.localVariables).length > 0) {
    const variables = await callAutomation(target, 'GET', `/projects/${key}/variables/`, { signal });
    const current = isRecord(variables) ? variables : {};
    const local = isRecord(current.local) ? current.local : {};
    await callAutomation(target, 'PUT', `/projects/${key}/variables/`, {
      json: { ...current, standard: isRecord(current.standard) ? current.standard : {}, local: { ...local, ...settings.localVariables } },
      signal,
    });
  }
  const projectSettings = await callAutomation(target, 'GET', `/projects/${key}/settings`, { signal });
  if (isRecord(projectSettings) && isRecord(projectSettings.settings)) {
    const disable = settings.disableAutomaticTriggers === true;
    if (projectSettings.settings.disableAutomaticTriggers !== disable) {
      await callAutomation(target, 'PUT', `/projects/${key}/settings`, {
        json: { ...projectSettings, settings: { ...projectSettings.settings, disableAutomaticTriggers: disable } },
        signal,
      });
    }
  }
  const activated: Record<string, boolean> = {};
  for (const [scenarioId, active] of Object.entries(settings.scenariosToActivate)) {
    const path = `/projects/${key}/scenarios/${encodeURIComponent(scenarioId)}`;
    let scenario: unknown;
    try {
      scenario = await callAutomation(target, 'GET', path, { signal });
    } catch (error) {
      if ((error as { nodeStatus?: number }).nodeStatus !== 404) throw error;
      messages.push(`Scenario ${scenarioId} is not in the bundle: its activation setting was ignored`);
      continue;
    }
    if (isRecord(scenario) && scenario.active !== active) {
      await callAutomation(target, 'PUT', path, { json: { ...scenario, active }, signal });
    }
    activated[scenarioId] = active;
  }
  return { ...ok({ scenariosActivated: activated }), messages, anyMessage: messages.length > 0, warning: messages.length > 0 };
}

/**
 * The future's result as the reference shows it: a one-item list of reports, the bundle id in the activation
 * check. `settingsReport` (scenario activation, triggers) is this simulator's own addition.
 */
function updateResult(steps: FutureRecord['steps'], bundleId: string): unknown[] {
  const reportOf = (prefix: string): Record<string, unknown> => {
    const report = steps.find((s) => s.name.startsWith(prefix))?.report;
    return isRecord(report) ? report : ok();
  };
  return [
    {
      prepareSyncReport: reportOf('Preparing'),
      preloadReport: reportOf('Preloading'),
      activateCheckReport: { bundleId, ...reportOf('Uploading') },
      activateReport: { neededAMigration: false, ...reportOf('Activating') },
      settingsReport: reportOf('Applying'),
    },
  ];
}

/**
 * Brings the record of a deployment's last update up to date with its future: a job interrupted by a restart of
 * the node (or whose record is gone) failed.
 */
export function refreshLastUpdate(ctx: SimContext, deployment: Deployment): void {
  const last = deployment.lastUpdate;
  if (last?.outcome !== 'RUNNING') return;
  let record: FutureRecord | undefined;
  try {
    record = findFuture(ctx, last.jobId);
  } catch {
    record = undefined;
  }
  if (record?.alive) return;
  deployment.lastUpdate = {
    ...last,
    outcome: record?.aborted ? 'ABORTED' : 'FAILED',
    finishedOn: record?.endTime ?? ctx.now(),
    message: record?.failure?.message ?? 'the update job is gone',
  };
  ctx.changed();
}

/** Starts the update future of a deployment and records it as the deployment's last update. */
export function startDeploymentUpdate(ctx: SimContext, deployment: Deployment): FutureRecord {
  const state = deployerState(ctx);
  const id = deployment.settings.id;
  refreshLastUpdate(ctx, deployment);
  if (deployment.lastUpdate?.outcome === 'RUNNING') {
    throw conflict(`Deployment ${id} is already being updated (future ${deployment.lastUpdate.jobId})`);
  }
  const settings = structuredClone(deployment.settings);
  const content = state.publishedProjects[settings.publishedProjectKey]?.packages[settings.bundleId]?.content;
  const plan: UpdatePlan = {
    settings,
    content,
    target: () => {
      const infra = deployerState(ctx).infras[settings.infraId];
      if (!infra) throw new FutureStepError(`Infra ${settings.infraId} no longer exists`, 400);
      return automationTarget(infra);
    },
  };
  const settle = (record: FutureRecord): void => {
    const current = deployerState(ctx).deployments[id];
    if (!current || current.lastUpdate?.jobId !== record.jobId) return;
    const finishedOn = record.endTime ?? ctx.now();
    if (record.hasResult) {
      current.lastUpdate = { ...current.lastUpdate, outcome: 'SUCCESS', finishedOn };
      current.deployedBundleId = settings.bundleId;
      current.deployedOn = finishedOn;
    } else {
      const outcome = record.aborted ? 'ABORTED' : 'FAILED';
      current.lastUpdate = { ...current.lastUpdate, outcome, finishedOn, message: record.failure?.message ?? 'aborted' };
    }
    ctx.changed();
  };
  const record = startFuture(ctx, {
    kind: 'deployment-update',
    target: id,
    steps: updateSteps(plan),
    result: (steps) => updateResult(steps, settings.bundleId),
    onSettled: settle,
  });
  deployment.lastUpdate = { jobId: record.jobId, bundleId: settings.bundleId, startedOn: record.startTime, outcome: 'RUNNING' };
  ctx.changed();
  return record;
}

/** Aborts the running update of a deployment, if any (deleting a deployment does). */
export function abortDeploymentUpdate(ctx: SimContext, deployment: Deployment): void {
  const jobId = deployment.lastUpdate?.outcome === 'RUNNING' ? deployment.lastUpdate.jobId : undefined;
  if (jobId && deployerState(ctx).futures[jobId]) abortFuture(ctx, jobId);
}

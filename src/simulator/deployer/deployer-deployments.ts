// Deployments of the Project Deployer: create, list, get, settings (refusing a bundle the published project does
// not hold), status (asking the automation node), update (a future), delete.

import { illegalArgument, notFound } from '../errors.js';
import type { SimContext } from '../context.js';
import type { Router } from '../router.js';
import { automationTarget, callAutomation } from './automation-client.js';
import { getInfra } from './deployer-infras.js';
import { abortDeploymentUpdate, refreshLastUpdate, startDeploymentUpdate } from './deployment-update.js';
import { deployerState, futureView, readFuture, settledFuture } from './futures.js';
import { getPublishedProject } from './published-projects-store.js';
import { newVersionTag, nextVersionTag, type Deployment, type DeployerState, type DeploymentSettings } from './state.js';
import { deploymentHealth, type NodeObservation } from './status.js';
import { checkId, isRecord, param, requireBody, requireString } from './values.js';
import { deploymentView } from './views.js';

export function getDeployment(state: DeployerState, id: string): Deployment {
  const deployment = state.deployments[id];
  if (!deployment) throw notFound(`Deployment ${id} not found`);
  return deployment;
}

function checkBundle(state: DeployerState, publishedProjectKey: string, bundleId: unknown): string {
  if (typeof bundleId !== 'string' || bundleId === '') throw illegalArgument('A deployment needs a bundleId');
  const project = getPublishedProject(state, publishedProjectKey);
  if (!project.packages[bundleId]) {
    const held = Object.keys(project.packages).sort().join(', ') || 'none';
    throw illegalArgument(`Published project ${publishedProjectKey} holds no bundle ${bundleId} (it holds: ${held})`);
  }
  return bundleId;
}

function checkSettingsShape(body: Record<string, unknown>): void {
  if (body.localVariables !== undefined && !isRecord(body.localVariables)) throw illegalArgument('localVariables must be an object');
  if (body.scenariosToActivate !== undefined) {
    if (!isRecord(body.scenariosToActivate) || Object.values(body.scenariosToActivate).some((v) => typeof v !== 'boolean')) {
      throw illegalArgument('scenariosToActivate must map scenario ids to booleans');
    }
  }
  if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string'))) {
    throw illegalArgument('tags must be a list of strings');
  }
}

function createDeployment(ctx: SimContext, body: Record<string, unknown>): DeploymentSettings {
  const state = deployerState(ctx);
  const id = checkId(requireString(body, 'deploymentId', 'A deployment'), 'deployment id');
  if (state.deployments[id]) throw illegalArgument(`Deployment ${id} already exists`);
  const publishedProjectKey = requireString(body, 'publishedProjectKey', 'A deployment');
  const infraId = requireString(body, 'infraId', 'A deployment');
  getPublishedProject(state, publishedProjectKey);
  getInfra(state, infraId);
  const bundleId = checkBundle(state, publishedProjectKey, body.bundleId);
  checkSettingsShape(body);
  const { deploymentId: _id, ...rest } = body;
  const tag = newVersionTag(ctx.userLogin, ctx.now());
  const settings: DeploymentSettings = {
    disableAutomaticTriggers: false,
    localVariables: {},
    scenariosToActivate: {},
    bundleContainerSettings: {},
    tags: [],
    ...structuredClone(rest),
    id,
    publishedProjectKey,
    infraId,
    bundleId,
    deployedProjectKey: typeof body.deployedProjectKey === 'string' && body.deployedProjectKey !== '' ? body.deployedProjectKey : publishedProjectKey,
    versionTag: tag,
    creationTag: structuredClone(tag),
  };
  state.deployments[id] = { settings };
  ctx.changed();
  return settings;
}

function saveSettings(ctx: SimContext, deployment: Deployment, body: Record<string, unknown>): DeploymentSettings {
  const state = deployerState(ctx);
  const previous = deployment.settings;
  for (const field of ['id', 'publishedProjectKey', 'infraId', 'deployedProjectKey'] as const) {
    if (body[field] !== undefined && body[field] !== previous[field]) {
      throw illegalArgument(`The ${field} of deployment ${previous.id} cannot be changed`);
    }
  }
  const bundleId = checkBundle(state, previous.publishedProjectKey, body.bundleId ?? previous.bundleId);
  checkSettingsShape(body);
  deployment.settings = {
    disableAutomaticTriggers: false,
    localVariables: {},
    scenariosToActivate: {},
    bundleContainerSettings: {},
    tags: [],
    ...structuredClone(body),
    id: previous.id,
    publishedProjectKey: previous.publishedProjectKey,
    infraId: previous.infraId,
    deployedProjectKey: previous.deployedProjectKey,
    bundleId,
    creationTag: previous.creationTag,
    versionTag: nextVersionTag(previous.versionTag, ctx.userLogin, ctx.now()),
  };
  ctx.changed();
  return deployment.settings;
}

/** Asks the automation node which bundle its project runs. */
async function observeNode(ctx: SimContext, deployment: Deployment): Promise<NodeObservation | undefined> {
  if (deployment.deployedBundleId === undefined) return undefined;
  const infra = deployerState(ctx).infras[deployment.settings.infraId];
  if (!infra) return { reachable: false, message: `infra ${deployment.settings.infraId} no longer exists` };
  const key = encodeURIComponent(deployment.settings.deployedProjectKey);
  try {
    const list = await callAutomation(automationTarget(infra), 'GET', `/projects/${key}/bundles/imported`, { timeoutMs: 5_000 });
    const bundles = isRecord(list) && Array.isArray(list.bundles) ? list.bundles : [];
    const active = bundles.find((b) => isRecord(b) && b.active === true);
    const activeBundleId = isRecord(active) && typeof active.bundleId === 'string' ? active.bundleId : undefined;
    return { reachable: true, projectExists: true, ...(activeBundleId === undefined ? {} : { activeBundleId }) };
  } catch (error) {
    if ((error as { nodeStatus?: number }).nodeStatus === 404) return { reachable: true, projectExists: false };
    return { reachable: false, message: (error as Error).message };
  }
}

export function registerDeploymentRoutes(router: Router): void {
  const admin = { adminOnly: true };

  router.get('/project-deployer/deployments', (_req, ctx) => {
    const state = deployerState(ctx);
    const all = Object.values(state.deployments).sort((a, b) => a.settings.id.localeCompare(b.settings.id));
    return { json: all.map((d) => deploymentView(state, d)) };
  });

  router.post(
    '/project-deployer/deployments',
    (req, ctx) => ({ json: structuredClone(createDeployment(ctx, requireBody(req, 'a deployment {deploymentId, ...}'))) }),
    admin,
  );

  router.get('/project-deployer/deployments/:deploymentId', (req, ctx) => {
    const state = deployerState(ctx);
    return { json: deploymentView(state, getDeployment(state, param(req, 'deploymentId'))) };
  });

  router.delete(
    '/project-deployer/deployments/:deploymentId',
    (req, ctx) => {
      const state = deployerState(ctx);
      const deployment = getDeployment(state, param(req, 'deploymentId'));
      abortDeploymentUpdate(ctx, deployment);
      delete state.deployments[deployment.settings.id];
      ctx.changed();
      return { json: { msg: `Deployment ${deployment.settings.id} deleted` } };
    },
    admin,
  );

  router.get('/project-deployer/deployments/:deploymentId/settings', (req, ctx) => ({
    json: structuredClone(getDeployment(deployerState(ctx), param(req, 'deploymentId')).settings),
  }));

  router.put(
    '/project-deployer/deployments/:deploymentId/settings',
    (req, ctx) => {
      const deployment = getDeployment(deployerState(ctx), param(req, 'deploymentId'));
      return { json: structuredClone(saveSettings(ctx, deployment, requireBody(req, 'the deployment settings'))) };
    },
    admin,
  );

  router.get('/project-deployer/deployments/:deploymentId/status', async (req, ctx) => {
    const deployment = getDeployment(deployerState(ctx), param(req, 'deploymentId'));
    refreshLastUpdate(ctx, deployment);
    const node = await observeNode(ctx, deployment);
    const s = deployment.settings;
    const status = deploymentHealth({
      deploymentId: s.id,
      infraId: s.infraId,
      deployedProjectKey: s.deployedProjectKey,
      settingsBundleId: s.bundleId,
      ...(deployment.deployedBundleId === undefined ? {} : { deployedBundleId: deployment.deployedBundleId }),
      ...(deployment.lastUpdate === undefined ? {} : { lastUpdate: deployment.lastUpdate }),
      ...(node === undefined ? {} : { node }),
    });
    // The reference's fields only: what was deployed and the last update are on the test control
    // (`GET /__sim/deployer/deployments/{id}`), so that no client comes to rely on them.
    return {
      json: {
        deploymentId: s.id,
        ...status,
        hasScenarios: (deployerState(ctx).publishedProjects[s.publishedProjectKey]?.packages[s.bundleId]?.content.scenarios.length ?? 0) > 0,
        hasActiveScenarios: Object.values(s.scenariosToActivate).some(Boolean),
        monitoring: { failed: [], warning: [], successful: [], aborted: [], running: [] },
      },
    };
  });

  router.post(
    '/project-deployer/deployments/:deploymentId/actions/update',
    async (req, ctx) => {
      const deployment = getDeployment(deployerState(ctx), param(req, 'deploymentId'));
      const record = startDeploymentUpdate(ctx, deployment);
      // `{"synchronous": true}` waits for the job, as the reference describes.
      if (isRecord(req.body) && req.body.synchronous === true) {
        await settledFuture(record.jobId);
        return { json: readFuture(ctx, record.jobId, false) };
      }
      return { json: futureView(ctx, record, true) };
    },
    admin,
  );
}

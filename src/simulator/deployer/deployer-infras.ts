// Automation infras of the Project Deployer: create (at both paths clients use), list, get, settings with
// server-incremented version tags, delete refused while a deployment uses the infra.

import { conflict, illegalArgument, notFound } from '../errors.js';
import type { SimContext } from '../context.js';
import { INFRA_GRANT_FLAGS, grantsWithEveryFlag } from '../design/grants.js';
import type { Router, SimHandler } from '../router.js';
import { deployerState } from './futures.js';
import { newVersionTag, nextVersionTag, type DeployerState, type InfraSettings } from './state.js';
import { deploymentBasicInfo, infraBasicInfo } from './views.js';
import { checkId, param, requireBody, requireString } from './values.js';

export function getInfra(state: DeployerState, infraId: string): InfraSettings {
  const infra = state.infras[infraId];
  if (!infra) throw notFound(`Infra ${infraId} not found`);
  return infra;
}

function checkStage(state: DeployerState, stage: unknown): string {
  if (typeof stage !== 'string' || !state.stages.some((s) => s.id === stage)) {
    throw illegalArgument(`Unknown stage '${String(stage)}': expected one of ${state.stages.map((s) => s.id).join(', ')}`);
  }
  return stage;
}

function checkUrl(value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'string') throw illegalArgument('automationNodeUrl must be a string');
  try {
    new URL(value);
  } catch {
    throw illegalArgument(`automationNodeUrl is not a valid URL: ${value}`);
  }
}

function infraView(state: DeployerState, infra: InfraSettings): Record<string, unknown> {
  return {
    infraBasicInfo: infraBasicInfo(infra),
    deployments: Object.values(state.deployments)
      .filter((d) => d.settings.infraId === infra.id)
      .map(deploymentBasicInfo),
    isAdmin: true,
    canDeploy: true,
  };
}

const createInfra: SimHandler = (req, ctx: SimContext) => {
  const state = deployerState(ctx);
  const body = requireBody(req, 'an infra {id, stage}');
  const id = checkId(requireString(body, 'id', 'An infra'), 'infra id');
  if (state.infras[id]) throw illegalArgument(`Infra ${id} already exists`);
  const stage = checkStage(state, body.stage);
  checkUrl(body.automationNodeUrl);
  const { apiKey, ...rest } = body;
  const tag = newVersionTag(ctx.userLogin, ctx.now());
  const infra: InfraSettings = {
    autoconfigureFromNodesDirectory: false,
    trustAllSSLCertificates: false,
    ...structuredClone(rest),
    permissions: rest.permissions === undefined ? [] : grantsWithEveryFlag(rest.permissions, INFRA_GRANT_FLAGS),
    id,
    stage,
    versionTag: tag,
    creationTag: structuredClone(tag),
  };
  // The reference's create example names the key `apiKey`; the settings name it `adminApiKey`.
  if (typeof apiKey === 'string' && infra.adminApiKey === undefined) infra.adminApiKey = apiKey;
  state.infras[id] = infra;
  ctx.changed();
  return { json: structuredClone(infra) };
};

const saveSettings: SimHandler = (req, ctx) => {
  const state = deployerState(ctx);
  const infra = getInfra(state, param(req, 'infraId'));
  const body = requireBody(req, 'the infra settings');
  if (body.id !== undefined && body.id !== infra.id) throw illegalArgument('The id of an infra cannot be changed');
  const stage = checkStage(state, body.stage ?? infra.stage);
  checkUrl(body.automationNodeUrl);
  const permissions = body.permissions === undefined ? [] : grantsWithEveryFlag(body.permissions, INFRA_GRANT_FLAGS);
  state.infras[infra.id] = {
    trustAllSSLCertificates: false,
    ...structuredClone(body),
    permissions,
    id: infra.id,
    stage,
    creationTag: infra.creationTag,
    versionTag: nextVersionTag(infra.versionTag, ctx.userLogin, ctx.now()),
  };
  ctx.changed();
  return { json: structuredClone(state.infras[infra.id]) };
};

export function registerInfraRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.get('/project-deployer/infras', (_req, ctx) => {
    const state = deployerState(ctx);
    return { json: Object.values(state.infras).sort((a, b) => a.id.localeCompare(b.id)).map((i) => infraView(state, i)) };
  });
  router.post('/project-deployer/infras', createInfra, admin);
  router.post('/project-deployer/projects/infras', createInfra, admin);

  router.get('/project-deployer/infras/:infraId', (req, ctx) => {
    const state = deployerState(ctx);
    return { json: infraView(state, getInfra(state, param(req, 'infraId'))) };
  });
  router.get(
    '/project-deployer/infras/:infraId/settings',
    (req, ctx) => ({ json: structuredClone(getInfra(deployerState(ctx), param(req, 'infraId'))) }),
    admin,
  );
  router.put('/project-deployer/infras/:infraId/settings', saveSettings, admin);
  // The reference saves the settings on the infra's own path.
  router.put('/project-deployer/infras/:infraId', saveSettings, admin);

  router.delete(
    '/project-deployer/infras/:infraId',
    (req, ctx) => {
      const state = deployerState(ctx);
      const infra = getInfra(state, param(req, 'infraId'));
      const users = Object.values(state.deployments).filter((d) => d.settings.infraId === infra.id);
      if (users.length > 0) {
        const ids = users.map((d) => d.settings.id).sort().join(', ');
        throw conflict(`Infra ${infra.id} cannot be deleted: deployments use it (${ids})`);
      }
      delete state.infras[infra.id];
      ctx.changed();
      return { json: { msg: `Infra ${infra.id} deleted` } };
    },
    admin,
  );
}

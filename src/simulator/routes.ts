// The explicit list of route families. Adding a family: write a registrar `(router) => void`, add it here.
// Order matters where patterns overlap (routes are tried in registration order): the scenario routes come
// before the scenario-run routes, whose `/scenarios/:scenarioId/:runId` would also match `/light`.

import { registerGroupRoutes } from './admin/groups.js';
import { registerUserRoutes } from './admin/users.js';
import { registerConnectionRoutes } from './admin/connections.js';
import { registerCodeEnvRoutes } from './admin/code-envs.js';
import { registerPluginRoutes } from './admin/plugins.js';
import { registerGeneralSettingsRoutes } from './admin/general-settings.js';
import { registerDeployerRoutes } from './deployer/routes.js';
import { registerAdminVariableRoutes } from './design/admin-variables.js';
import { registerFolderRoutes } from './design/folders.js';
import { registerProjectRoutes } from './design/projects.js';
import { registerScenarioRunRoutes } from './design/scenario-runs.js';
import { registerScenarioRoutes } from './design/scenarios.js';
import type { Router } from './router.js';

export type RouteRegistrar = (router: Router) => void;

export const ROUTE_REGISTRARS: RouteRegistrar[] = [
  registerFolderRoutes,
  registerProjectRoutes,
  registerScenarioRoutes,
  registerScenarioRunRoutes,
  registerDeployerRoutes,
  registerAdminVariableRoutes,
  registerGroupRoutes,
  registerUserRoutes,
  registerConnectionRoutes,
  registerCodeEnvRoutes,
  registerPluginRoutes,
  registerGeneralSettingsRoutes,
];

export function registerAllRoutes(router: Router): void {
  for (const register of ROUTE_REGISTRARS) register(router);
}

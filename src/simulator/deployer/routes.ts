// The deployer family's routes, registered by `src/simulator/routes.ts`: design-side bundles, the Project
// Deployer, the automation-node bundle endpoints, and futures. Its `/__sim/deployer` controls are registered
// with the other controls, in `src/simulator/controls.ts`. Static paths come before the parameterised ones they overlap (`/project-deployer/infras/stages` before `/project-deployer/infras/:id`).

import type { Router } from '../router.js';
import { registerExportedBundleRoutes } from './bundles-exported.js';
import { registerImportedBundleRoutes } from './bundles-imported.js';
import { registerDeploymentRoutes } from './deployer-deployments.js';
import { registerInfraRoutes } from './deployer-infras.js';
import { registerPublishedProjectRoutes } from './deployer-projects.js';
import { registerStageRoutes } from './deployer-stages.js';
import { registerFutureRoutes } from './futures-routes.js';

export function registerDeployerRoutes(router: Router): void {
  registerImportedBundleRoutes(router);
  registerExportedBundleRoutes(router);
  registerStageRoutes(router);
  registerInfraRoutes(router);
  registerPublishedProjectRoutes(router);
  registerDeploymentRoutes(router);
  registerFutureRoutes(router);
}

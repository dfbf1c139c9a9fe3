// Project Deployer stages, at both paths clients use (`/project-deployer/stages` in the Python client,
// `/project-deployer/infras/stages` in the reference).

import type { Router } from '../router.js';
import { deployerState } from './futures.js';

export function registerStageRoutes(router: Router): void {
  for (const path of ['/project-deployer/stages', '/project-deployer/infras/stages']) {
    router.get(path, (_req, ctx) => ({ json: deployerState(ctx).stages.map((s) => ({ ...s })) }));
  }
}

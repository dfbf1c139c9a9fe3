// The explicit list of route families. Adding a family: write a registrar `(router) => void`, add it here.
// Order matters where patterns overlap: a family's more specific routes are registered before generic ones.

import { registerFolderRoutes } from './design/folders.js';
import { registerProjectRoutes } from './design/projects.js';
import type { Router } from './router.js';

export type RouteRegistrar = (router: Router) => void;

export const ROUTE_REGISTRARS: RouteRegistrar[] = [registerFolderRoutes, registerProjectRoutes];

export function registerAllRoutes(router: Router): void {
  for (const register of ROUTE_REGISTRARS) register(router);
}

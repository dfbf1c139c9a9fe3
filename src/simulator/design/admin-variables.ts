// Instance variables (`GET|PUT /admin/variables/`, what Dataiku's official client calls for global variables):
// one JSON object, replaced as a whole by a PUT and given back as it was stored, keys DSS knows nothing about
// included. Administrators only, as in DSS.

import { illegalArgument } from '../errors.js';
import type { Router } from '../router.js';
import { isObject } from '../../base/json.js';
import type { DesignState, Json } from './state.js';

/** The variables of the node; a state saved before they existed has none yet. */
function variablesOf(state: DesignState): Json {
  state.instanceVariables ??= {};
  return state.instanceVariables;
}

export function registerAdminVariableRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.get('/admin/variables', (_req, ctx) => ({ json: structuredClone(variablesOf(ctx.state.design)) }), admin);
  router.put(
    '/admin/variables',
    (req, ctx) => {
      if (!isObject(req.body)) throw illegalArgument('Expected a JSON object of variables');
      ctx.state.design.instanceVariables = structuredClone(req.body);
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
}

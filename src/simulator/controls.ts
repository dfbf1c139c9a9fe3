// The `/__sim/...` endpoints: the same controls as the programmatic handle, for tests and tools written in
// other languages. They need the admin key (they hand out every secret: state dumps) and are never counted.
//
// Extension point: like the API's route families (`routes.ts`), each family of controls is a registrar
// `(router) => void` listed in CONTROL_REGISTRARS. Patterns are relative to `/__sim` (`/deployer/config` serves
// `/__sim/deployer/config`), trailing slash optional, and handlers get the node's context plus the controls.

import { isObject } from '../base/json.js';
import { registerDeployerControls } from './deployer/test-hooks.js';
import type { SimContext } from './context.js';
import { illegalArgument, notFound, SimHttpError, ERROR_TYPES } from './errors.js';
import { validateFaultRule, type FaultRule } from './faults.js';
import { queryBool } from './http.js';
import { Router, type SimRequest, type SimResponse } from './router.js';
import { withTiming, type SimStats } from './stats.js';
import type { SimState } from './state.js';

export interface SimControls {
  stats(): SimStats;
  reset(what?: ResetOptions): void;
  faults(): FaultRule[];
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): void;
  latency(): number;
  setLatency(ms: number): void;
  state(): SimState;
  replaceState(state: SimState): void;
}

export interface ResetOptions {
  /** Reset the request counts (default true). */
  stats?: boolean;
  /** Reset the objects to an empty node (default true). */
  state?: boolean;
  /** Remove every fault rule (default false). */
  faults?: boolean;
}

/** What a control handler gets: the node's context (state, `changed()`, clock) and the node's controls. */
export interface ControlContext extends SimContext {
  readonly controls: SimControls;
}

export type ControlRouter = Router<ControlContext>;
export type ControlRegistrar = (router: ControlRouter) => void;

export const CONTROL_REGISTRARS: ControlRegistrar[] = [registerCoreControls, registerDeployerControls];

export function createControlRouter(registrars: readonly ControlRegistrar[] = CONTROL_REGISTRARS): ControlRouter {
  const router: ControlRouter = new Router<ControlContext>();
  for (const register of registrars) register(router);
  return router;
}

/** Answers one control request; `req.path` is what follows `/__sim`, without trailing slash. */
export async function handleControl(
  router: ControlRouter,
  req: Omit<SimRequest, 'params'>,
  ctx: ControlContext,
): Promise<SimResponse> {
  const match = router.match(req.method, req.path);
  if (match === undefined) throw notFound(`No simulator control ${req.method} ${req.path}`);
  if (match === 'methodNotAllowed') {
    throw new SimHttpError(405, ERROR_TYPES.illegalArgument, `Method ${req.method} not allowed on /__sim${req.path}`);
  }
  return match.route.handler({ ...req, params: match.params }, ctx);
}

/**
 * Request counts, reset, latency, faults and the whole state. `GET /stats?timing=true` adds when the counted
 * requests arrived; a reset of the counts answers with the counts it cleared and their timing, taken at once, so
 * that a caller measuring one run after another loses no request between reading and clearing.
 */
export function registerCoreControls(router: ControlRouter): void {
  router.get('/stats', (req, { controls }) => ({
    json: queryBool(req.query, 'timing') ? withTiming(controls.stats()) : controls.stats(),
  }));

  router.post('/reset', (req, { controls }) => {
    const options = (isObject(req.body) ? req.body : {}) as ResetOptions;
    const flag = (name: keyof ResetOptions, fallback: boolean): boolean =>
      req.query.has(name) ? queryBool(req.query, name) : typeof options[name] === 'boolean' ? Boolean(options[name]) : fallback;
    const stats = flag('stats', true);
    const cleared = stats ? controls.stats() : undefined;
    controls.reset({ stats, state: flag('state', true), faults: flag('faults', false) });
    return { json: cleared === undefined ? { msg: 'reset' } : { msg: 'reset', stats: withTiming(cleared) } };
  });

  router.get('/latency', (_req, { controls }) => ({ json: { latencyMs: controls.latency() } }));
  router.put('/latency', (req, { controls }) => {
    const ms = isObject(req.body) ? req.body.latencyMs : undefined;
    if (typeof ms !== 'number' || ms < 0) throw illegalArgument('latencyMs must be a number >= 0');
    controls.setLatency(ms);
    return { json: { latencyMs: ms } };
  });

  router.get('/faults', (_req, { controls }) => ({ json: controls.faults() }));
  router.put('/faults', (req, { controls }) => {
    if (!Array.isArray(req.body)) throw illegalArgument('expected a list of fault rules');
    controls.setFaults(req.body.map(rule));
    return { json: controls.faults() };
  });
  router.post('/faults', (req, { controls }) => {
    controls.addFault(rule(req.body));
    return { json: controls.faults() };
  });
  router.delete('/faults', (_req, { controls }) => {
    controls.setFaults([]);
    return { json: [] };
  });

  router.get('/state', (_req, { controls }) => ({ json: controls.state() }));
  router.put('/state', (req, { controls }) => {
    const body = req.body;
    if (!isObject(body) || body.formatVersion !== 1) throw illegalArgument('expected a state dump (formatVersion 1)');
    controls.replaceState(body as unknown as SimState);
    return { json: { msg: 'state replaced' } };
  });
}

function rule(input: unknown): FaultRule {
  try {
    return validateFaultRule(input);
  } catch (error) {
    throw new SimHttpError(400, ERROR_TYPES.illegalArgument, (error as Error).message);
  }
}


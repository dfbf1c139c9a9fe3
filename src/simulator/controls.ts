// The `/__sim/...` endpoints: the same controls as the programmatic handle, for tests and tools written in
// other languages. They need no API key and are never counted in the stats.

import { illegalArgument, notFound, SimHttpError, ERROR_TYPES } from './errors.js';
import { validateFaultRule, type FaultRule } from './faults.js';
import { queryBool } from './http.js';
import type { SimStats } from './stats.js';
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

export interface ControlResult {
  status: number;
  json: unknown;
}

/** Answers one control request; `path` is what follows `/__sim`, without trailing slash. */
export function handleControl(
  controls: SimControls,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): ControlResult {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /stats':
      return ok(controls.stats());
    case 'POST /reset': {
      const options = (isObject(body) ? body : {}) as ResetOptions;
      const flag = (name: keyof ResetOptions, fallback: boolean): boolean =>
        query.has(name) ? queryBool(query, name) : typeof options[name] === 'boolean' ? Boolean(options[name]) : fallback;
      controls.reset({ stats: flag('stats', true), state: flag('state', true), faults: flag('faults', false) });
      return ok({ msg: 'reset' });
    }
    case 'GET /latency':
      return ok({ latencyMs: controls.latency() });
    case 'PUT /latency': {
      const ms = isObject(body) ? body.latencyMs : undefined;
      if (typeof ms !== 'number' || ms < 0) throw illegalArgument('latencyMs must be a number >= 0');
      controls.setLatency(ms);
      return ok({ latencyMs: ms });
    }
    case 'GET /faults':
      return ok(controls.faults());
    case 'PUT /faults':
      if (!Array.isArray(body)) throw illegalArgument('expected a list of fault rules');
      controls.setFaults(body.map(rule));
      return ok(controls.faults());
    case 'POST /faults':
      controls.addFault(rule(body));
      return ok(controls.faults());
    case 'DELETE /faults':
      controls.setFaults([]);
      return ok([]);
    case 'GET /state':
      return ok(controls.state());
    case 'PUT /state':
      if (!isObject(body) || body.formatVersion !== 1) throw illegalArgument('expected a state dump (formatVersion 1)');
      controls.replaceState(body as unknown as SimState);
      return ok({ msg: 'state replaced' });
    default:
      throw notFound(`No simulator control ${route}`);
  }
}

function rule(input: unknown): FaultRule {
  try {
    return validateFaultRule(input);
  } catch (error) {
    throw new SimHttpError(400, ERROR_TYPES.illegalArgument, (error as Error).message);
  }
}

function ok(json: unknown): ControlResult {
  return { status: 200, json };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

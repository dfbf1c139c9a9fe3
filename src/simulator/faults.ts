// Fault injection: errors, throttling and dropped connections on all routes or on a chosen method, route
// pattern or exact path, with a rate and an optional count, so that tests can fail exactly one object's call.
// Two kinds tell apart what a client cannot: `reset-before` breaks the connection before the request is handled
// (nothing happened), `lost-response` after it was handled (the write took effect, its answer never came).

export type FaultKind = 'status' | 'throttle' | 'drop' | 'reset-before' | 'lost-response';

export interface FaultRule {
  /**
   * `status`: answer an error status; `throttle`: 429 with Retry-After; `drop` or `reset-before`: destroy the
   * socket before handling the request; `lost-response`: handle the request, then destroy the socket unanswered.
   */
  kind: FaultKind;
  /** For `status`: the status, or a list to pick from at random (default 503). */
  status?: number | number[];
  /** For `throttle`: the Retry-After header, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Probability in [0, 1] that a matching request fails (default 1). */
  rate?: number;
  /** Only requests with this method (e.g. `PUT`). */
  method?: string;
  /** Only requests whose matched route pattern is this (e.g. `/projects/:projectKey/metadata`). */
  route?: string;
  /** Only requests to exactly this path, relative to the base path, without trailing slash. */
  path?: string;
  /** Only the next N matching requests fail; the rule is then removed. */
  times?: number;
}

export interface FaultTarget {
  method: string;
  route: string | undefined;
  path: string;
}

export type FaultDecision =
  | { kind: 'status'; status: number }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'drop' | 'reset-before' }
  | { kind: 'lost-response' };

const KINDS: readonly FaultKind[] = ['status', 'throttle', 'drop', 'reset-before', 'lost-response'];

/** A short name of a decision for the fault counts, e.g. `status 503`, `lost-response`. */
export function faultLabel(decision: FaultDecision): string {
  return decision.kind === 'status' ? `status ${decision.status}` : decision.kind;
}

/** Checks a rule that came over HTTP or from the command line; throws a message for a 400. */
export function validateFaultRule(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('a fault rule must be an object');
  const rule = input as Record<string, unknown>;
  if (!KINDS.includes(rule.kind as FaultKind)) throw new Error(`fault kind must be one of ${KINDS.join(', ')}`);
  if (rule.rate !== undefined && (typeof rule.rate !== 'number' || rule.rate < 0 || rule.rate > 1)) {
    throw new Error('fault rate must be a number between 0 and 1');
  }
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || (rule.times as number) < 1)) {
    throw new Error('fault times must be a positive integer');
  }
  const statuses = rule.status === undefined ? [] : Array.isArray(rule.status) ? rule.status : [rule.status];
  if (statuses.some((s) => !Number.isInteger(s) || (s as number) < 400 || (s as number) > 599)) {
    throw new Error('fault status must be an HTTP error status (400-599)');
  }
  return structuredClone(rule) as unknown as FaultRule;
}

export class FaultInjector {
  private rules: FaultRule[];

  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.rules = rules.map((r) => validateFaultRule(r));
  }

  list(): FaultRule[] {
    return structuredClone(this.rules);
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => validateFaultRule(r));
  }

  add(rule: FaultRule): void {
    this.rules.push(validateFaultRule(rule));
  }

  /**
   * The fault for this request, if any. Rules are drawn in order, each at its own rate; the first that fires
   * decides, and a rule with `times` is used up.
   */
  decide(target: FaultTarget): FaultDecision | undefined {
    for (const [index, rule] of this.rules.entries()) {
      if (!matches(rule, target)) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) this.rules.splice(index, 1);
      }
      return this.toDecision(rule);
    }
    return undefined;
  }

  private toDecision(rule: FaultRule): FaultDecision {
    switch (rule.kind) {
      case 'drop':
      case 'reset-before':
        return { kind: rule.kind };
      case 'lost-response':
        return { kind: 'lost-response' };
      case 'throttle':
        return { kind: 'throttle', retryAfterSeconds: rule.retryAfterSeconds ?? 1 };
      case 'status': {
        const statuses = Array.isArray(rule.status) ? rule.status : [rule.status ?? 503];
        const status = statuses[Math.floor(this.random() * statuses.length)] ?? 503;
        return { kind: 'status', status };
      }
    }
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== target.method) return false;
  if (rule.route !== undefined && rule.route !== target.route) return false;
  if (rule.path !== undefined && rule.path.replace(/\/+$/, '') !== target.path) return false;
  return true;
}

/** The faults of `dss-gitops sim --fault-rate P`: 500, 502 or 503 on any route with probability P. */
export function randomErrorFaults(rate: number): FaultRule[] {
  return rate > 0 ? [{ kind: 'status', status: [500, 502, 503], rate }] : [];
}

// Interpolation of `${env:NAME}`, `${var:NAME}` and `${secret:NAME}` in manifest and configuration values.
// Only these three prefixes are ours: any other `${...}` (DSS's own variable syntax) is left as it is, and `$${`
// writes a literal `${`. Values that came from a secret are remembered by pointer and by value, so that output
// can mask them and logs can redact them. Which variables `${env:..}` and `${secret:..}` may read at all is the
// policy's to say (see env-policy.ts): a refused reference is an issue, and its value is never substituted.

import { setOwn } from '../base/json.js';
import { joinPointer } from '../base/json-pointer.js';
import type { ReferencePolicy } from './env-policy.js';

export interface InterpolationSources {
  env: Record<string, string | undefined>;
  vars: Readonly<Record<string, string>>;
  /** Refuses some environment reads; without one, every variable may be read. */
  policy?: ReferencePolicy;
  /**
   * Offline checks (validate): a `${secret:..}` whose variable is not set is left as it is, sensitive and
   * unresolved, without an issue. A run that talks to DSS needs every secret.
   */
  secretsOptional?: boolean;
}

export interface InterpolationIssue {
  /** Pointer of the string value holding the reference. */
  pointer: string;
  message: string;
  hint?: string;
}

export interface Interpolated {
  value: unknown;
  issues: InterpolationIssue[];
  /** Pointers of values built from at least one secret. */
  sensitivePointers: string[];
  /** Pointers of values left unresolved: checks on them would only repeat the issue. */
  unresolvedPointers: string[];
  secrets: string[];
}

const REFERENCE = /\$\$\{|\$\{(env|var|secret):([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Interpolates every string value (never keys) of a plain JSON-like value. Does not modify its input. Parts of it
 * that hold no reference are shared with the result rather than copied (a manifest mostly has none): only the
 * objects and arrays on the way to a changed string are new. No object or array appears twice in the result, even
 * where the input held one twice (a YAML alias): each further occurrence is a copy.
 */
export function interpolate(value: unknown, sources: InterpolationSources, pointer = ''): Interpolated {
  const result: Interpolated = { value: undefined, issues: [], sensitivePointers: [], unresolvedPointers: [], secrets: [] };
  result.value = new Walk(sources, result, pointer).value(value, false);
  return result;
}

/**
 * One walk over a value. The pointer of a value is built only for a string that holds a reference: `path` is the
 * walk's position, one array extended and shortened along the way.
 */
class Walk {
  private readonly path: Array<string | number> = [];
  private readonly seen = new Set<object>();

  constructor(
    private readonly sources: InterpolationSources,
    private readonly out: Interpolated,
    private readonly base: string,
  ) {}

  private pointer(): string {
    let pointer = this.base;
    for (const segment of this.path) pointer = joinPointer(pointer, segment);
    return pointer;
  }

  /** `copy`: a new object or array even where nothing changes (under a second occurrence of a shared one). */
  value(value: unknown, copy: boolean): unknown {
    if (typeof value === 'string') return value.includes('${') ? interpolateString(value, this.pointer(), this.sources, this.out) : value;
    if (value === null || typeof value !== 'object') return value;
    if (!copy) {
      if (this.seen.has(value)) copy = true;
      else this.seen.add(value);
    }
    return Array.isArray(value) ? this.array(value as unknown[], copy) : this.record(value as Record<string, unknown>, copy);
  }

  private array(value: unknown[], copy: boolean): unknown[] {
    let out: unknown[] | undefined = copy ? value.slice() : undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      this.path.push(i);
      const next = this.value(item, copy);
      this.path.pop();
      if (next !== item) {
        out ??= value.slice();
        out[i] = next;
      }
    }
    return out ?? value;
  }

  private record(value: Record<string, unknown>, copy: boolean): Record<string, unknown> {
    // What is not a plain object (the YAML readers give none) becomes one, as a copy would make it.
    if (!copy && Object.getPrototypeOf(value) !== Object.prototype) copy = true;
    const keys = Object.keys(value);
    let out: Record<string, unknown> | undefined = copy ? {} : undefined;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      const item = value[key];
      this.path.push(key);
      const next = this.value(item, copy);
      this.path.pop();
      if (out === undefined && next !== item) {
        out = {};
        for (let j = 0; j < k; j++) setOwn(out, keys[j] as string, value[keys[j] as string]);
      }
      // A `__proto__` key is an own property, as the YAML reader gives it: assigned, it would become the copy's prototype.
      if (out !== undefined) setOwn(out, key, next);
    }
    return out ?? value;
  }
}

function interpolateString(text: string, pointer: string, sources: InterpolationSources, out: Interpolated): string {
  let sensitive = false;
  let unresolved = false;
  const replaced = text.replace(REFERENCE, (match: string, source?: string, name?: string) => {
    if (source === undefined || name === undefined) return '${';
    if (
      source === 'secret' &&
      sources.secretsOptional === true &&
      NAME.test(name) &&
      own(sources.env, name) === undefined &&
      sources.policy?.refuse(source, name, pointer) === undefined
    ) {
      sensitive = true;
      unresolved = true;
      return match;
    }
    const resolved = resolve(source, name, pointer, sources);
    if (typeof resolved === 'string') {
      if (source === 'secret' || (source === 'env' && sources.policy?.secretPlace(pointer) === true)) {
        sensitive = true;
        if (resolved !== '') out.secrets.push(resolved);
      }
      return resolved;
    }
    unresolved = true;
    out.issues.push({ pointer, ...resolved });
    return match;
  });
  if (sensitive) out.sensitivePointers.push(pointer);
  if (unresolved) out.unresolvedPointers.push(pointer);
  return replaced;
}

/** A variable by name, never one inherited: `constructor` or `__proto__` name no variable unless given. */
function own(values: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

function resolve(source: string, name: string, pointer: string, sources: InterpolationSources): string | Omit<InterpolationIssue, 'pointer'> {
  const reference = `\${${source}:${name}}`;
  if (!NAME.test(name)) {
    return { message: `invalid reference \`${reference}\`: a name is letters, digits, \`_\`, \`.\` or \`-\`` };
  }
  if (source === 'env' || source === 'secret') {
    const refusal = sources.policy?.refuse(source, name, pointer);
    if (refusal) return refusal;
  }
  if (source === 'var') {
    const value = own(sources.vars, name);
    if (value !== undefined) return value;
    return {
      message: `unresolved \`${reference}\`: no variable \`${name}\` was given`,
      hint: `pass --var ${name}=VALUE or define it in a --var-file`,
    };
  }
  const value = own(sources.env, name);
  if (value !== undefined) return value;
  return {
    message: `unresolved \`${reference}\`: the environment variable ${name} is not set`,
    ...(source === 'secret' ? { hint: `export ${name} in the environment that runs dss-gitops` } : {}),
  };
}

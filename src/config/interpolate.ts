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

/** Interpolates every string value (never keys) of a plain JSON-like value. Does not modify its input. */
export function interpolate(value: unknown, sources: InterpolationSources, pointer = ''): Interpolated {
  const result: Interpolated = { value: undefined, issues: [], sensitivePointers: [], unresolvedPointers: [], secrets: [] };
  result.value = walk(value, pointer, sources, result);
  return result;
}

function walk(value: unknown, pointer: string, sources: InterpolationSources, out: Interpolated): unknown {
  if (typeof value === 'string') return interpolateString(value, pointer, sources, out);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, joinPointer(pointer, i), sources, out));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    // A `__proto__` key is an own property, as the YAML reader gives it: assigned, it would become the copy's prototype.
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, walk(item, joinPointer(pointer, key), sources, out));
    return copy;
  }
  return value;
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

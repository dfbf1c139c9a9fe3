// The one scrubber of dss-gitops: the secret values known to a run (API keys, infra admin keys, `${secret:..}`
// values, the webhook URL) and how they are removed from text and data before anything leaves the process.
// A CLI run has one registry for the whole run (`withRunSecrets`): the configuration and manifest loaders add what
// they resolve, and every output goes through it: stdout and stderr (plans, show, drift, progress lines, errors,
// logs), plan files, webhook payloads. DSS errors may echo a value sent to it, so they are scrubbed like the rest.

import { AsyncLocalStorage } from 'node:async_hooks';
import { looksSecret } from './secret-names.js';

/**
 * Values at least this long are removed wherever they appear, inside any text. A shorter value (`ab`, `1`, `yes`)
 * would mangle every line that happens to contain those characters while protecting little, so it is removed only
 * where it is a whole value: a string equal to it in data, a JSON string literal equal to it in text (`"ab"`, how
 * plans, JSON output and log lines show values), or a text that is nothing else.
 */
export const MIN_SECRET_LENGTH = 4;

export const REDACTED = '[redacted]';

/** The forms a value takes in output: as is, JSON-escaped, URL-encoded (both ways), base64 (and as Basic auth). */
function encodedForms(value: string): string[] {
  const forms = [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%20/g, '+'),
    Buffer.from(value).toString('base64'),
    Buffer.from(`${value}:`).toString('base64'),
  ];
  return [...new Set(forms)];
}

export class SecretRegistry {
  /** Every value as given, short ones included. */
  readonly #values = new Set<string>();
  /** Forms removed anywhere in a text, longest first. */
  #anywhere: string[] = [];
  /** Short values, removed only as whole values. */
  readonly #whole = new Set<string>();

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (value === undefined || value === '' || this.#values.has(value)) return;
    this.#values.add(value);
    if (value.length < MIN_SECRET_LENGTH) {
      this.#whole.add(value);
      return;
    }
    // Longest first, so that a secret containing another is replaced whole.
    this.#anywhere = [...new Set([...this.#anywhere, ...encodedForms(value)])].sort((a, b) => b.length - a.length);
  }

  /** How many distinct values are known. */
  get size(): number {
    return this.#values.size;
  }

  /** Whether `text` shows a known value (anywhere for long values, as the whole text for short ones). */
  reveals(text: string): boolean {
    return this.#whole.has(text) || this.#anywhere.some((form) => text.includes(form));
  }

  /** `text` with every known value replaced by REDACTED. */
  redact(text: string): string {
    if (this.#values.size === 0) return text;
    if (this.#whole.has(text)) return REDACTED;
    let out = text;
    for (const form of this.#anywhere) if (out.includes(form)) out = out.split(form).join(REDACTED);
    for (const value of this.#whole) {
      const literal = JSON.stringify(value);
      if (out.includes(literal)) out = out.split(literal).join(`"${REDACTED}"`);
    }
    return out;
  }

  /** A copy of `value` whose strings (keys included) are redacted; the input is not modified. */
  redactValue<T>(value: T): T {
    return this.#values.size === 0 ? value : (this.#redactDeep(value) as T);
  }

  #redactDeep(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.#redactDeep(item));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[this.redact(key)] = this.#redactDeep(item);
      return out;
    }
    return value;
  }

  toJSON(): string {
    return `SecretRegistry(${this.#values.size})`;
  }
}

/**
 * The values of the environment variables whose names look secret (`WAREHOUSE_PASSWORD`, `SLACK_TOKEN`, by the
 * rule the diff masks fields with), for a run to know from its start. A variable counts whatever reads it: a pull
 * request that stops reading `${secret:X}` cannot make X's value printable. Values shorter than MIN_SECRET_LENGTH
 * are left out: a flag such as `USE_KEY=1` is no secret, and as a whole value it would hide every `"1"` of a plan.
 */
export function environmentSecretValues(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && value.length >= MIN_SECRET_LENGTH && !isSetting(value) && looksSecret(name))
    .map(([, value]) => value as string);
}

/**
 * A switch or a number (`USE_SSH_KEY=true`, `TOKEN_TTL=3600`): no secret, and masking it would hide every `true` or
 * `3600` in a plan.
 */
function isSetting(value: string): boolean {
  return /^(true|false|yes|no|on|off|enabled|disabled)$/i.test(value.trim()) || /^\d+$/.test(value.trim());
}

/**
 * Which run a call belongs to. Node 20's AsyncLocalStorage runs hooks on every promise of the process once it is
 * used (a plan of 800 objects makes tens of thousands), so the common case, one run at a time, takes none: the
 * first run to start while no other holds it is the base run, kept in a plain variable. A run that starts while
 * another is active is kept in AsyncLocalStorage, and a call whose context holds no store belongs to the base run:
 * its promises predate the storage or descend from a base-run context, whose store is empty. The storage, once made,
 * stays (a run's late callbacks keep their store), so the hooks cost only in a process where runs have overlapped
 * (tests, an embedding program); the CLI runs one.
 */
let baseRun: SecretRegistry | undefined;
let overlapping: AsyncLocalStorage<SecretRegistry> | undefined;

function currentRegistry(): SecretRegistry | undefined {
  return overlapping?.getStore() ?? baseRun;
}

/** Calls `end` when `result` settles (at once for a plain value), and returns what `fn` returned. */
function afterSettled<T>(result: T, end: () => void): T {
  if (result instanceof Promise) return result.finally(end) as T;
  end();
  return result;
}

/** Runs `fn` with `registry` as the run's secrets: what `registerSecrets` adds and `scrubSecrets` removes. */
export function withRunSecrets<T>(registry: SecretRegistry, fn: () => T): T {
  if (baseRun === undefined && overlapping?.getStore() === undefined) {
    baseRun = registry;
    const end = (): void => {
      if (baseRun === registry) baseRun = undefined;
    };
    try {
      return afterSettled(fn(), end);
    } catch (error) {
      end();
      throw error;
    }
  }
  overlapping ??= new AsyncLocalStorage<SecretRegistry>();
  return overlapping.run(registry, fn);
}

/** The current run's registry; undefined outside a run. */
export function runSecretRegistry(): SecretRegistry | undefined {
  return currentRegistry();
}

/** Adds values to the current run's secrets; outside a run, does nothing. */
export function registerSecrets(values: Iterable<string | undefined>): void {
  const registry = currentRegistry();
  if (registry) for (const value of values) registry.add(value);
}

/** `text` with every secret of the current run replaced by REDACTED (unchanged outside a run). */
export function scrubSecrets(text: string): string {
  const registry = currentRegistry();
  return registry ? registry.redact(text) : text;
}

/** A copy of `value` with every secret of the current run redacted in its strings (the same value outside a run). */
export function scrubValue<T>(value: T): T {
  const registry = currentRegistry();
  return registry ? registry.redactValue(value) : value;
}

/** Whether `text` shows a secret of the current run (false outside a run). */
export function revealsSecret(text: string): boolean {
  return currentRegistry()?.reveals(text) ?? false;
}

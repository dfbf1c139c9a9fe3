// The secret values known to a run (API keys, `${secret:..}` values). Every log line passes through `redact`
// before it is written, so a secret that slips into a message, an error or a nested field never reaches output.
// A CLI run also has one registry for the whole run (`withRunSecrets`): the manifest loader adds what it resolves,
// and every error text the CLI prints goes through `scrubSecrets`, since DSS errors may echo a value sent to it.

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Values shorter than this are not treated as secrets: replacing a one- or two-character string everywhere
 * would mangle every line (and the JSON around it) while protecting nothing worth protecting.
 */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = '[redacted]';

export class SecretRegistry {
  readonly #values = new Set<string>();

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    this.#values.add(value);
    // In a JSON line the value appears escaped; in an Authorization header, as Basic credentials.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.#values.add(escaped);
    this.#values.add(Buffer.from(`${value}:`).toString('base64'));
  }

  get size(): number {
    return this.#values.size;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so that a secret containing another is replaced whole.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
    return out;
  }

  toJSON(): string {
    return `SecretRegistry(${this.#values.size})`;
  }
}

const runSecrets = new AsyncLocalStorage<SecretRegistry>();

/** Runs `fn` with `registry` as the run's secrets: what `registerSecrets` adds and `scrubSecrets` removes. */
export function withRunSecrets<T>(registry: SecretRegistry, fn: () => T): T {
  return runSecrets.run(registry, fn);
}

/** Adds values to the current run's secrets; outside a run, does nothing. */
export function registerSecrets(values: Iterable<string>): void {
  const registry = runSecrets.getStore();
  if (registry) for (const value of values) registry.add(value);
}

/** `text` with every secret of the current run replaced by REDACTED (unchanged outside a run). */
export function scrubSecrets(text: string): string {
  const registry = runSecrets.getStore();
  return registry && registry.size > 0 ? registry.redact(text) : text;
}

// The secret values known to a run (API keys, `${secret:..}` values). Every log line passes through `redact`
// before it is written, so a secret that slips into a message, an error or a nested field never reaches output.

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

// Which key names usually hold a secret (`dbPassword`, `API_KEY`, `oauth-token`). Shared by the diff, which masks
// values under such names where a kind opts in (`secretNamedKeys`), and by export, which replaces them with
// `${secret:..}` references: one rule, so that what export hides is what plans mask. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'pw', 'secret', 'token', 'key', 'apikey', 'credential', 'credentials', 'private']);

/** `warehousePassword` → `['warehouse', 'password']`; `API_KEY` → `['api', 'key']`. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** `dbPassword`, `API_KEY`, `oauth-token`... : names whose words include one that usually holds a secret. */
export function looksSecret(name: string): boolean {
  return nameWords(name).some((word) => SECRET_WORDS.has(word) || word.endsWith('password') || word.endsWith('secret'));
}

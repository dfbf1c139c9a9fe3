// Which key names usually hold a secret (`dbPassword`, `API_KEY`, `oauth-token`). Shared by the diff, which masks
// values under such names where a kind opts in (`secretNamedKeys`), and by export, which replaces them with
// `${secret:..}` references: one rule, so that what export hides is what plans mask. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

/** Words that make a name secret wherever they stand in it: `keyPassphrase`, `gcsKeyJson`, `clientSecret`. */
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'pw', 'passphrase', 'secret', 'key', 'apikey', 'credential', 'credentials', 'private']);

/**
 * Words after `token` that still name the token itself (`tokenValue`, `TOKEN_B64`). Any other word after it makes
 * the name about something else (`maxTokenCount`, `tokenUrl`), so `token` counts only as the last word or before
 * these.
 */
const TOKEN_PAYLOAD = new Set(['value', 'json', 'b64', 'base64', 'pem', 'raw', 'text', 'string', 'str', 'data']);

/**
 * Names of DSS identifiers that contain `key` and are no secret: the project keys of steps, triggers and
 * deployments, partition and column keys. Compared by their words, so `partition_key` is `partitionKey`. An exact
 * list, not a rule: any other name with `key` in it (`gcsKeyJson`, `sshKeyFile`, `KEY_B64`) is taken for a secret.
 * `key` alone is a secret too: DSS calls an API key's value `key`.
 */
const IDENTIFIER_NAMES = new Set(
  [
    'projectKey',
    'projectKeys',
    'publishedProjectKey',
    'deployedProjectKey',
    'targetProjectKey',
    'sourceProjectKey',
    'partitionKey',
    'keyColumns',
    'keys',
    'primaryKey',
    'foreignKey',
    'sortKey',
  ].map((name) => nameWords(name).join(' ')),
);

/** `warehousePassword` → `['warehouse', 'password']`; `API_KEY` → `['api', 'key']`. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** Whether a name is one of the DSS identifiers on the allowlist (`projectKey`, `partition_key`, `keyColumns`). */
export function isIdentifierName(name: string): boolean {
  return IDENTIFIER_NAMES.has(nameWords(name).join(' '));
}

function secretWord(words: readonly string[], i: number): boolean {
  const word = words[i] as string;
  if (SECRET_WORDS.has(word) || word.endsWith('password') || word.endsWith('secret')) return true;
  return word === 'token' && words.slice(i + 1).every((w) => TOKEN_PAYLOAD.has(w));
}

/**
 * `dbPassword`, `API_KEY`, `oauth-token`, `gcsKeyJson`... : names with a word that usually holds a secret, except
 * the DSS identifiers of the allowlist. `token` counts as the last word only (`authToken`, `SLACK_TOKEN`, not
 * `maxTokenCount`).
 */
export function looksSecret(name: string): boolean {
  let secret = decided.get(name);
  if (secret === undefined) {
    // Manifests repeat the same few key names at every depth of every object: decide each name once.
    if (decided.size >= MAX_DECIDED) decided.clear();
    secret = decideLooksSecret(name);
    decided.set(name, secret);
  }
  return secret;
}

const MAX_DECIDED = 10_000;
const decided = new Map<string, boolean>();

function decideLooksSecret(name: string): boolean {
  const words = nameWords(name);
  if (IDENTIFIER_NAMES.has(words.join(' '))) return false;
  return words.some((_, i) => secretWord(words, i));
}

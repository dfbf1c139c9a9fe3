// The JSON Schema files editors read (`# yaml-language-server: $schema=...`): `npm run schemas` writes those of the
// registry's kinds to `schemas/`, and `export` writes the file of a kind the package does not ship (one given to
// `runCli`) from the kind itself, in the same form.

/** A reference the tool interpolates before it checks the value (`${env:DSS_URL}`, `https://${var:host}`). */
const REFERENCE = '\\$\\{(?:env|var|secret):[^}]+\\}';

/**
 * The schema as an editor sees it: the manifests hold `${env:..}`, `${var:..}` and `${secret:..}` where the tool
 * checks the interpolated value, so a string pattern (a URL, an id) also accepts a value holding a reference.
 * A deep copy: the tool's own schemas are untouched.
 */
export function forEditors(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forEditors);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'pattern' && typeof value === 'string' ? `(?:${value})|${REFERENCE}` : key === 'properties' || key === 'patternProperties' ? mapValues(value) : forEditors(value);
  }
  return out;
}

/** `properties` maps names to schemas: a property named `pattern` is a schema, not a pattern. */
function mapValues(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, forEditors(child)]));
}

/** The content of a schema file. */
export function renderSchemaFile(schema: unknown): string {
  return `${JSON.stringify(forEditors(schema), null, 2)}\n`;
}

/** `ProjectFolder` → `project-folder.schema.json`: the file of a kind's schema. */
export function schemaFileOf(kind: string): string {
  return `${kind.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.schema.json`;
}

// Writes the JSON Schemas of every kind, of a whole manifest file, and of dss-gitops.yaml to `schemas/`, for
// editors (`# yaml-language-server: $schema=...`). The files are checked in; a test keeps them up to date.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/input/config-schema.js';
import { KIND_NAMES, kindFileName, kindSchema, manifestSchema } from '../src/resources/registry.js';

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

/** File name → content of every generated schema. */
export function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const render = (schema: unknown): string => `${JSON.stringify(forEditors(schema), null, 2)}\n`;
  for (const kind of KIND_NAMES) files.set(`${kindFileName(kind)}.schema.json`, render(kindSchema(kind)));
  files.set('manifest.schema.json', render(manifestSchema()));
  files.set('config.schema.json', render(configSchema));
  return files;
}

export const SCHEMAS_DIRECTORY = fileURLToPath(new URL('../schemas/', import.meta.url));

function main(): void {
  mkdirSync(SCHEMAS_DIRECTORY, { recursive: true });
  for (const [name, content] of schemaFiles()) {
    writeFileSync(path.join(SCHEMAS_DIRECTORY, name), content);
    console.log(`wrote schemas/${name}`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

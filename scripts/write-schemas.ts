// Writes the JSON Schemas of every kind, of a whole manifest file, and of dss-gitops.yaml to `schemas/`, for
// editors (`# yaml-language-server: $schema=...`). The files are checked in; a test keeps them up to date.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/input/config-schema.js';
import { KIND_NAMES, kindFileName, kindSchema, manifestSchema } from '../src/resources/registry.js';
import { renderSchemaFile as render } from '../src/resources/schema-files.js';

export { forEditors } from '../src/resources/schema-files.js';

/** File name → content of every generated schema. */
export function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
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

// Run by `npm run build` after tsc: writes ajv's standalone code of every shipped schema (each kind's, and the
// configuration file's) to dist/schemas/KEY.cjs, so that `validate` and every command reading manifests load
// neither ajv's compiler nor spend its compile time. The checker finds a validator by the hash of its schema and
// compiles any schema that has none (a plugin's kind, or a source run without a build).

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = `${path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist')}/`;
const { newAjv, schemaKey } = await import(`${dist}base/schema-check.js`);
const { kindRegistry } = await import(`${dist}resources/registry.js`);
const { configSchema, configSchemaFor } = await import(`${dist}input/config-schema.js`);
const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone').default;

const registry = kindRegistry();
const schemas = [configSchema, configSchemaFor([...registry.keys()]), ...[...registry.values()].map((kind) => kind.schema)];
const out = `${dist}schemas/`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const schema of schemas) {
  const ajv = newAjv({ code: { source: true } });
  writeFileSync(`${out}${schemaKey(schema)}.cjs`, standaloneCode(ajv, ajv.compile(schema)));
}

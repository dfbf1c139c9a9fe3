// Run by `npm run build` after the bundle (scripts/build.ts): writes ajv's standalone code of every shipped schema
// (each kind's, and the configuration file's) to dist/schemas/KEY.cjs, so that `validate` and every command reading
// manifests load neither ajv's compiler nor spend its compile time. The checker finds a validator by the hash of its
// schema and compiles any schema that has none (a plugin's kind, or a source run without a build).

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/**
 * The schemas and the checker's ajv configuration, from the sources: the bundle exports neither. They are bundled
 * into a module of their own, written into dist/ so that the packages it imports resolve, and removed once read.
 */
async function loadSources() {
  const entry = path.join(dist, `.precompile-schemas-${process.pid}.mjs`);
  await build({
    absWorkingDir: root,
    stdin: {
      contents: [
        "export { newAjv, schemaKey } from './src/base/schema-check.ts';",
        "export { kindRegistry } from './src/resources/registry.ts';",
        "export { configSchema, configSchemaFor } from './src/input/config-schema.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile: entry,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(entry).href);
  } finally {
    rmSync(entry, { force: true });
  }
}

const { newAjv, schemaKey, kindRegistry, configSchema, configSchemaFor } = await loadSources();
const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone').default;

const registry = kindRegistry();
const schemas = [configSchema, configSchemaFor([...registry.keys()]), ...[...registry.values()].map((kind) => kind.schema)];
const out = path.join(dist, 'schemas');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const schema of schemas) {
  const ajv = newAjv({ code: { source: true } });
  writeFileSync(path.join(out, `${schemaKey(schema)}.cjs`), standaloneCode(ajv, ajv.compile(schema)));
}

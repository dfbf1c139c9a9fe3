// The JSON Schemas: checked-in files equal the generated ones, and the combined manifest schema accepts the
// valid example and rejects a typo, as an editor would.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { KINDS, KIND_NAMES, isKindName, kindFileName, kindSchema, manifestSchema } from '../../src/resources/registry.js';
import { SCHEMAS_DIRECTORY, schemaFiles } from '../../scripts/write-schemas.js';
import { configSchema } from '../../src/input/config-schema.js';

describe('schemas', () => {
  it('are checked in exactly as `npm run schemas` writes them', () => {
    const generated = schemaFiles();
    const onDisk = readdirSync(SCHEMAS_DIRECTORY).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual([...generated.keys()].sort());
    for (const [name, content] of generated) {
      expect(readFileSync(path.join(SCHEMAS_DIRECTORY, name), 'utf8'), name).toBe(content);
    }
  });

  it('cover the kinds, by explicit name', () => {
    expect(KIND_NAMES).toEqual(['ProjectFolder', 'Project', 'Scenario', 'Bundle', 'PublishedProject', 'Infra', 'Deployment', 'Group', 'User', 'Connection', 'CodeEnv', 'Plugin', 'InstanceVariables', 'GeneralSettings']);
    expect(KIND_NAMES.map(kindFileName)).toEqual([
      'project-folder',
      'project',
      'scenario',
      'bundle',
      'published-project',
      'infra',
      'deployment',
      'group',
      'user',
      'connection',
      'code-env',
      'plugin',
      'instance-variables',
      'general-settings',
    ]);
    expect(isKindName('Project')).toBe(true);
    expect(isKindName('toString')).toBe(false);
  });

  it('let an editor validate a mixed file with the combined schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(manifestSchema());
    const text = readFileSync(new URL('../fixtures/valid/full/deployer/deployer.yaml', import.meta.url), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      expect(validate(doc.toJS()), JSON.stringify(validate.errors)).toBe(true);
    }
    const typo = { apiVersion: 'dss-gitops/v1', kind: 'Infra', metadata: { name: 'x' }, spec: { stage: 'P', stag: 'x' } };
    expect(validate(typo)).toBe(false);
  });

  it('let an editor accept ${env:..}, ${var:..} and ${secret:..} where the tool checks the interpolated value', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const config = ajv.compile(JSON.parse(schemaFiles().get('config.schema.json')!));
    for (const url of ['${env:DSS_URL}', 'https://${var:host}:11200', 'https://dss.example.com']) {
      expect(config({ nodes: { design: { url } } }), `${url}: ${JSON.stringify(config.errors)}`).toBe(true);
    }
    expect(config({ nodes: { design: { url: 'ftp://dss.example.com' } } })).toBe(false);
    // The tool's own schema is unchanged: it checks the value after interpolation.
    expect(ajv.compile(configSchema)({ nodes: { design: { url: '${env:DSS_URL}' } } })).toBe(false);
  });

  it('let an editor validate every example manifest against the schema its first line names', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    let checked = 0;
    for (const tree of ['manifests-example', 'manifests-example-deployer', 'manifests-example-platform']) {
      const root = path.resolve(SCHEMAS_DIRECTORY, '..', tree);
      for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f))) {
        const text = readFileSync(path.join(root, file), 'utf8');
        const schemaPath = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
        if (schemaPath === undefined) continue;
        const validate = ajv.compile(JSON.parse(readFileSync(path.resolve(root, path.dirname(file), schemaPath), 'utf8')));
        for (const doc of parseAllDocuments(text)) {
          expect(validate(doc.toJS() ?? {}), `${tree}/${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
          checked += 1;
        }
        ajv.removeSchema();
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('keep the tool structures strict and DSS objects open', () => {
    const scenario = kindSchema('Scenario') as { properties: { spec: { additionalProperties: boolean; properties: Record<string, { items?: object }> } } };
    expect(scenario.properties.spec.additionalProperties).toBe(false);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(kindSchema('Scenario'));
    const doc = {
      apiVersion: 'dss-gitops/v1',
      kind: 'Scenario',
      metadata: { name: 'S', project: 'P' },
      spec: { type: 'step_based', params: { anything: 1, steps: [{ id: 'a', undocumented: { x: 1 } }] }, triggers: [{ id: 't', params: { y: 2 } }] },
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('project-scoped kinds', () => {
  it('say so as their schema does: metadata.project is required exactly for them', () => {
    for (const kind of KINDS) {
      const metadata = (kind.schema as { properties: { metadata: { required: string[] } } }).properties.metadata;
      expect({ kind: kind.kind, scoped: metadata.required.includes('project') }).toEqual({ kind: kind.kind, scoped: kind.projectScoped === true });
    }
    expect(KINDS.filter((k) => k.projectScoped).map((k) => k.kind)).toEqual(['Scenario', 'Bundle']);
  });
});

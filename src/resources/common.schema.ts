// Pieces shared by the JSON Schemas of the kinds: the document envelope, metadata, permission grants.
// `errorMessage` is an annotation read by the validator to word a problem (editors show it too); `description`
// feeds editor hovers.

import { DEPENDENCY_PATTERN } from '../manifest/dependencies.js';
import type { JsonSchema } from './types.js';

export const API_VERSION = 'dss-gitops/v1';

export const PROJECT_KEY: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_]+$',
  errorMessage: 'must be a project key: letters, digits and underscores only',
};

/** Ids of scenarios, bundles, infras, deployments: no spaces or slashes. */
export const OBJECT_ID: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$',
  errorMessage: 'must be an id: letters, digits, `_`, `.` and `-`, not starting with `.` or `-`',
};

/** Group names and user logins: letters, digits and `_ . - @`. */
export const SECURITY_NAME: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_][A-Za-z0-9_.@-]*$',
  errorMessage: 'must be a DSS name: letters, digits, `_`, `.`, `-` and `@`, not starting with `.`, `-` or `@`',
};

/** Segments joined by single `/`s; `.` and `..` are refused too, so that a path always names one folder. */
export const FOLDER_PATH: JsonSchema = {
  type: 'string',
  pattern: '^[^/]+(/[^/]+)*$',
  errorMessage: 'must be a folder path such as `Analytics/Churn`, without a leading or trailing `/`',
  allOf: [{ pattern: '^(?!(.*/)?\\.\\.?(/|$))', errorMessage: 'must not have a `.` or `..` segment' }],
};

export const STRING_LIST: JsonSchema = { type: 'array', items: { type: 'string' } };
export const STRING_SET: JsonSchema = { type: 'array', items: { type: 'string' }, uniqueItems: true };
/** A DSS object we do not model: any fields. */
export const FREE_FORM: JsonSchema = { type: 'object' };

/** `[{group|user, <flag>: bool, ...}]`: the flags are DSS's own (`read`, `writeContents`, `admin`...). */
export const PERMISSIONS: JsonSchema = {
  type: 'array',
  description: 'Permission grants; exact: a group or user not listed loses its grant, a flag not listed is false.',
  items: {
    type: 'object',
    properties: { group: { type: 'string' }, user: { type: 'string' } },
    additionalProperties: { type: 'boolean' },
    oneOf: [{ required: ['group'] }, { required: ['user'] }],
    errorMessage: 'a permission grant names exactly one of `group` or `user`',
  },
};

export function metadataSchema(name: JsonSchema, projectScoped: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    name: { ...name, description: 'The DSS id of the object.' },
    annotations: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Tool-side options, e.g. `dss-gitops/prune: "false"`.',
    },
    dependsOn: {
      type: 'array',
      items: {
        type: 'string',
        pattern: DEPENDENCY_PATTERN,
        errorMessage: 'must be the address of an object, `Kind/name` or `Kind/PROJECT/name`, without a `#block`',
      },
      uniqueItems: true,
      description:
        'Addresses of objects this one is written after, as Terraform has `depends_on`: each is declared in the manifests ' +
        'or listed under `external` in dss-gitops.yaml; when one fails to apply, this object is skipped.',
    },
  };
  if (projectScoped) properties.project = { ...PROJECT_KEY, description: 'The key of the project the object is in.' };
  return {
    type: 'object',
    properties,
    required: projectScoped ? ['name', 'project'] : ['name'],
    additionalProperties: false,
  };
}

export interface KindSchemaParts {
  kind: string;
  description: string;
  name: JsonSchema;
  projectScoped?: boolean;
  spec: JsonSchema;
  specRequired?: boolean;
}

/** The whole document schema of a kind: apiVersion, kind, metadata and spec, strict at the top. */
export function kindSchema(parts: KindSchemaParts): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `dss-gitops ${parts.kind}`,
    description: parts.description,
    type: 'object',
    properties: {
      apiVersion: { const: API_VERSION },
      kind: { const: parts.kind },
      metadata: metadataSchema(parts.name, parts.projectScoped ?? false),
      spec: parts.spec,
    },
    required: parts.specRequired ? ['apiVersion', 'kind', 'metadata', 'spec'] : ['apiVersion', 'kind', 'metadata'],
    additionalProperties: false,
  };
}

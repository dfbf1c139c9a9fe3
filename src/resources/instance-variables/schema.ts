// JSON Schema of an InstanceVariables document: the node's global variables, exact when declared. Keys starting
// with `dss-gitops.` are dss-gitops's own records kept among them (the run lock, the instance ownership record):
// declaring one is an error at its line and column.

import { FREE_FORM, kindSchema } from '../common.schema.js';
import { SINGLETON_NAME_SCHEMA } from '../instance-singleton.js';
import { RESERVED_PATTERN } from './reserved.js';

export const instanceVariablesSchema = kindSchema({
  kind: 'InstanceVariables',
  description: "The DSS node's global variables (instance variables); one document per node, named `instance`.",
  name: SINGLETON_NAME_SCHEMA,
  spec: {
    type: 'object',
    properties: {
      variables: {
        ...FREE_FORM,
        description:
          'The global variables, exact when declared: a variable not listed is removed (`dss-gitops.*` keys aside, which dss-gitops keeps for itself).',
        patternProperties: {
          [RESERVED_PATTERN]: {
            not: {},
            errorMessage: 'variables whose name starts with `dss-gitops.` are reserved for dss-gitops (its run lock and ownership record) and cannot be declared',
          },
        },
      },
    },
    additionalProperties: false,
  },
});

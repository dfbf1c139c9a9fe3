// `export --platform` of `InstanceVariables`: the node's global variables, whole (dss-gitops's own keys left out),
// with every text under a secret-looking name replaced by a `${secret:INSTANCE_NAME}` reference.

import { isObject, type Json } from '../../base/json.js';
import { escapeInterpolation, exportStub, hideSecrets } from '../export-common.js';
import { SINGLETON_NAME } from '../instance-singleton.js';
import type { ExportedSecret, ExportedSpec, ResourceKind } from '../types.js';

/** The spec of the instance variables from their live view. Pure. */
export function instanceVariablesSpec(view: Json): ExportedSpec {
  const variables = escapeInterpolation(isObject(view.variables) ? view.variables : {}) as Json;
  const secrets: ExportedSecret[] = [];
  const spec = { variables: hideSecrets(variables, ['instance'], 'InstanceVariables/instance spec.variables', new Set(), secrets) };
  return secrets.length > 0 ? { spec, secrets } : { spec };
}

export const instanceVariablesExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  listForExport(_ctx, scope) {
    return Promise.resolve(scope.platform ? [exportStub('InstanceVariables', { name: SINGLETON_NAME }, { variables: {} })] : []);
  },

  exportSpec(_doc, live) {
    return instanceVariablesSpec(live[0]?.live.view ?? {});
  },
};

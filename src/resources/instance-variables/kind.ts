// `InstanceVariables`: the global variables of a DSS node (`GET|PUT /admin/variables/`, administrators only), one
// object per node, `InstanceVariables/instance`. `spec.variables` is exact like a project's variables: a variable
// the manifest does not list is removed. The `dss-gitops.*` keys among them are dss-gitops's own (see reserved.ts):
// the view leaves them out, so no plan shows them, and every write puts back the ones DSS holds at that moment.
// Never pruned: when the document leaves the manifests, the variables stay as they are.

import { objectOrAbsent } from '../../dss/answer.js';
import { INSTANCE_VARIABLES_PATH, serializeInstanceVariables } from '../../dss/instance-variables.js';

export { INSTANCE_VARIABLES_PATH };
import { isObject, type Json } from '../../base/json.js';
import { addressOf } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { singletonExportPath } from '../instance-singleton.js';
import { freshWrite, overlay, sensitiveUnder } from '../managed-write.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit } from '../types.js';
import { instanceVariablesExport } from './export.js';
import { withoutReserved, withReservedOf } from './reserved.js';
import { instanceVariablesSchema } from './schema.js';

export const INSTANCE_VARIABLES_KIND = 'InstanceVariables';

function desiredOf(doc: ManifestDocument): Json {
  const variables = doc.spec.variables;
  return isObject(variables) ? { variables: withoutReserved(variables) } : {};
}

/** The variables DSS holds now, with the declared ones written over them and dss-gitops's own kept. */
export function variablesToWrite(live: Json, unit: ResourceUnit): Json {
  if (!isObject(unit.desired.variables)) return live;
  const next = overlay({ variables: withoutReserved(live) }, unit.desired, unit.policy).variables;
  return withReservedOf(live, isObject(next) ? next : {});
}

async function writeVariables(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  // Read right before the write: a variable changed since the plan, and the run lock refreshed meanwhile, are kept.
  // Queued with the lock's own refreshes of the variables, so that neither write undoes the other.
  await serializeInstanceVariables(ctx.client, () => freshWrite(ctx.client, INSTANCE_VARIABLES_PATH, (live) => variablesToWrite(live, unit)));
}

export const instanceVariablesKind: ResourceKind = {
  kind: INSTANCE_VARIABLES_KIND,
  node: 'design',
  schema: instanceVariablesSchema,
  ownership: 'instance',
  exportPath: () => singletonExportPath('instance-variables'),
  ...instanceVariablesExport,

  units(doc) {
    return [
      {
        address: addressOf(INSTANCE_VARIABLES_KIND, doc.metadata.name),
        kind: INSTANCE_VARIABLES_KIND,
        doc,
        desired: desiredOf(doc),
        policy: { exact: ['/variables'], secretNamedKeys: ['/variables/*'], sensitive: sensitiveUnder(doc, '/spec') },
        dependsOn: [],
      },
    ];
  },

  async read(ctx, unit): Promise<LiveState | undefined> {
    const answer = objectOrAbsent(await ctx.client.getOrAbsent<unknown>(INSTANCE_VARIABLES_PATH), `GET ${INSTANCE_VARIABLES_PATH}`);
    if (answer === undefined) return undefined;
    // dss-gitops's own keys are left out of `raw` too: the run lock changes between a saved plan and its apply (the
    // apply takes it), which must not make the plan stale. Writes start from a fresh read, never from `raw`.
    const raw = withoutReserved(answer);
    const view: Json = unit.desired.variables === undefined ? {} : { variables: raw };
    return { view, raw };
  },

  // A node always has its variables; a read that found none (404) writes them all the same.
  async create(ctx, unit) {
    await writeVariables(ctx, unit);
  },

  async update(ctx, unit) {
    await writeVariables(ctx, unit);
  },
  // No `delete`: the instance variables are never pruned. No `listOnNode`: there is nothing else of this kind on a
  // node to call unmanaged.
};

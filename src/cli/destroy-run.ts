// The destroy plan of a run, shared by `destroy` and `plan --destroy`: the records of this source read from DSS
// (GET requests only), the manifests' protection annotations, and the pure plan of src/reconciler/destroy.ts.

import { documentAddress } from '../manifest/address.js';
import { planDestroy } from '../reconciler/destroy.js';
import { isProtectedByAnnotation, type ProjectOwnership } from '../reconciler/ownership.js';
import { unitsOf } from '../reconciler/reconcile.js';
import { mainAddressOf } from '../reconciler/select.js';
import { ownershipId, ownershipScopes } from '../reconciler/ownership/scopes.js';
import { readSourceRecords, scopeRefOfAddress } from '../reconciler/state.js';
import type { Plan } from '../reconciler/types.js';
import type { RunContext } from './run-context.js';

export interface DestroyPlanned {
  plan: Plan;
  projects: Map<string, ProjectOwnership>;
}

export async function planDestroyRun(run: RunContext, targets: readonly string[]): Promise<DestroyPlanned> {
  const scopes = ownershipScopes(run.setup.registry);
  const owned = await readSourceRecords(run.clients.design, run.setup.source, run.setup.parallelism, { clients: run.clients, scopes });
  const units = unitsOf(run.set.documents, run.setup.registry);
  const protectedInManifests = new Set(units.filter(isProtectedByAnnotation).map((u) => mainAddressOf(u.address)));
  const unrecorded = run.set.documents.map(documentAddress).filter((address) => scopeRefOfAddress(address, scopes) === undefined);
  const plan = planDestroy({
    owned,
    targets,
    protectedInManifests,
    unrecorded,
    canDelete: (kind) => run.setup.registry.get(kind)?.delete !== undefined,
    nodeOf: (kind) => run.setup.registry.get(kind)?.node ?? 'design',
    pruneNeedsOptIn: (kind) => run.setup.registry.get(kind)?.pruneNeedsOptIn,
    canSoftDelete: (kind) => run.setup.registry.get(kind)?.softDelete !== undefined,
    instanceKinds: [...run.setup.registry.values()].filter((k) => k.ownership === 'instance').map((k) => k.kind),
  });
  return { plan, projects: new Map(owned.map((p) => [ownershipId(p), p])) };
}

// One drift detection run: plan the whole manifests (GET requests only), list the objects of the managed
// projects and the platform objects of the nodes to find the undeclared ones, and classify. Shared by the `drift`
// command and the watch controller.

import type { KindRegistry } from '../resources/registry.js';
import pLimit from 'p-limit';
import type { DssClient } from '../dss/types.js';
import type { ManifestDocument } from '../manifest/types.js';
import { addressOf } from '../manifest/address.js';
import { classifyDrift, managedProjects, type DriftReport, type ListedObject } from './drift.js';
import { contextFactory, planRun, type PlannedRun, type RunSetup } from './reconcile.js';
import type { KindContext, NodeName, ResourceKind, ResourceUnit } from '../resources/types.js';
import type { ProjectOwnership } from './ownership.js';
import { ownershipScopes, scopeId } from './ownership/scopes.js';

export interface DriftRun {
  report: DriftReport;
  /** The plan behind the report, for `watch --self-heal`. */
  planned: PlannedRun;
}

/**
 * The live objects of every managed project that exists, by address: each kind that lists its objects per
 * project (`listInProject`) is asked; the project blocks are part of the project itself.
 */
export async function listManagedObjects(client: DssClient, projectKeys: string[], parallelism: number, registry: KindRegistry): Promise<ListedObject[]> {
  const limit = pLimit(Math.max(1, parallelism));
  const listers = [...registry.values()].filter((k) => k.listInProject !== undefined && k.node === client.nodeName);
  const lists = await Promise.all(
    projectKeys.flatMap((projectKey) =>
      listers.map((kind) =>
        limit(async () =>
          (await kind.listInProject!(client, projectKey)).map((id) => ({
            address: addressOf(kind.kind, id, projectKey),
            kind: kind.kind,
            node: client.nodeName,
            projectKey,
          })),
        ),
      ),
    ),
  );
  return lists.flat();
}

/**
 * The live objects of the instance-scoped kinds that list them (`listOnNode`) and that this run manages: a kind the
 * manifests declare an object of, or whose objects this source's instance record lists. A group made by hand is
 * unmanaged when the manifests manage groups, not when they manage projects only.
 */
export async function listNodeObjects(
  clients: Partial<Record<NodeName, DssClient>>,
  units: readonly ResourceUnit[],
  records: ReadonlyMap<string, ProjectOwnership>,
  source: string,
  registry: KindRegistry,
  parallelism: number,
  contextOf?: (kind: ResourceKind) => KindContext,
): Promise<ListedObject[]> {
  const declaredKinds = new Set(units.map((u) => u.kind));
  const managed = (kind: string, node: NodeName): boolean => {
    if (declaredKinds.has(kind)) return true;
    const record = records.get(scopeId({ store: 'instance', node }))?.record;
    return record?.source === source && Object.keys(record.inventory).some((a) => a.startsWith(`${kind}/`));
  };
  const listers = [...registry.values()].filter(
    (k) => k.ownership === 'instance' && k.listOnNode !== undefined && clients[k.node] !== undefined && managed(k.kind, k.node),
  );
  const limit = pLimit(Math.max(1, parallelism));
  const lists = await Promise.all(
    listers.map((kind) =>
      limit(async () =>
        (await kind.listOnNode!(clients[kind.node] as DssClient, contextOf?.(kind))).map(
          (name): ListedObject => ({ address: addressOf(kind.kind, name), kind: kind.kind, node: kind.node, projectKey: kind.node, store: 'instance' }),
        ),
      ),
    ),
  );
  return lists.flat();
}

/**
 * Reads and classifies. Sends GET requests only. `contextFor`: the kinds' contexts of the plan (by default fresh
 * ones; the caller's may start from the preflight's answers).
 */
export async function driftRun(setup: RunSetup, documents: ManifestDocument[], contextFor = contextFactory(setup)): Promise<DriftRun> {
  // Drift covers the whole manifests: a `--target` would hide the objects it leaves out.
  const planned = await planRun({ ...setup, options: { ...setup.options, targets: [] } }, documents, contextFor);
  const existing = managedProjects(planned.allUnits, ownershipScopes(setup.registry)).filter((key) => planned.projects.get(key)?.exists === true);
  const listed = await listManagedObjects(setup.clients.design, existing, setup.parallelism, setup.registry);
  listed.push(
    ...(await listNodeObjects(setup.clients, planned.allUnits, planned.projects, setup.source, setup.registry, setup.parallelism, planned.contextFor)),
  );
  // With prune planned, the owned objects that left the manifests are pending deletions too (whole projects...).
  const seen = new Set(listed.map((l) => l.address));
  for (const d of planned.plan.deletions) {
    if (!seen.has(d.address)) {
      listed.push({ address: d.address, kind: d.kind, node: d.node, projectKey: d.projectKey, ...(d.store ? { store: d.store } : {}) });
    }
  }
  const report = classifyDrift({
    units: planned.plan.units,
    projects: planned.projects,
    scopes: ownershipScopes(setup.registry),
    source: setup.source,
    listed,
    ...(setup.commit === undefined ? {} : { commit: setup.commit }),
    warnings: planned.plan.report.warnings,
  });
  return { report, planned };
}

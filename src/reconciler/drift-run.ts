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
import { getOncePerRun } from '../resources/run-memo.js';
import { isObject } from '../base/json.js';

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

/** The instance-scoped kinds that list their objects on a node of the run (`listOnNode`). */
function nodeListers(registry: KindRegistry, clients: Partial<Record<NodeName, DssClient>>): ResourceKind[] {
  return [...registry.values()].filter((k) => k.ownership === 'instance' && k.listOnNode !== undefined && clients[k.node] !== undefined);
}

/**
 * The live objects of the instance-scoped kinds that list them (`listOnNode`) and that this run manages: a kind the
 * manifests declare an object of, or whose objects this source's instance record lists. A group made by hand is
 * unmanaged when the manifests manage groups, not when they manage projects only. `listed`: kinds listed already.
 */
export async function listNodeObjects(
  clients: Partial<Record<NodeName, DssClient>>,
  units: readonly ResourceUnit[],
  records: ReadonlyMap<string, ProjectOwnership>,
  source: string,
  registry: KindRegistry,
  parallelism: number,
  contextOf?: (kind: ResourceKind) => KindContext,
  listed: ReadonlySet<string> = new Set(),
): Promise<ListedObject[]> {
  const declaredKinds = new Set(units.map((u) => u.kind));
  const managed = (kind: string, node: NodeName): boolean => {
    if (declaredKinds.has(kind)) return true;
    const record = records.get(scopeId({ store: 'instance', node }))?.record;
    return record?.source === source && Object.keys(record.inventory).some((a) => a.startsWith(`${kind}/`));
  };
  const listers = nodeListers(registry, clients).filter((k) => !listed.has(k.kind) && managed(k.kind, k.node));
  return listKindsOnNodes(listers, clients, parallelism, contextOf);
}

async function listKindsOnNodes(
  listers: readonly ResourceKind[],
  clients: Partial<Record<NodeName, DssClient>>,
  parallelism: number,
  contextOf?: (kind: ResourceKind) => KindContext,
): Promise<ListedObject[]> {
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

/** The keys in the design node's project list, as the run reads it once (the preflight's answer, or the plan's). */
async function projectsListed(ctx: KindContext): Promise<Set<string>> {
  const list = await getOncePerRun<unknown>(ctx, '/projects/');
  if (!Array.isArray(list)) return new Set();
  return new Set(list.flatMap((p) => (isObject(p) && typeof p.projectKey === 'string' ? [p.projectKey] : [])));
}

/**
 * The objects drift lists to find the unmanaged ones, listed while the plan reads rather than after it. Of the
 * managed projects, those the project list names are listed at once; what the plan's reads say of them is known
 * only later, so the lists of projects the plan finds absent are dropped, and a project it finds that the list did
 * not name is listed then. Of the platform kinds, those the manifests declare are listed at once; those managed only
 * through this source's instance record, known from the plan's read of it, are listed then.
 */
async function listWhilePlanning(
  setup: RunSetup,
  documents: ManifestDocument[],
  contextFor: (kind: ResourceKind) => KindContext,
  planning: Promise<PlannedRun>,
): Promise<ListedObject[]> {
  const design = setup.clients.design;
  const lister = [...setup.registry.values()].find((k) => k.listInProject !== undefined && k.node === design.nodeName);
  const scopes = ownershipScopes(setup.registry);
  // The documents that are projects, as a guess made before the plan splits them into units (which takes time at
  // scale): the exact set of managed projects is known from the plan, and settles what is kept and listed late.
  const projectKinds = new Set([...setup.registry.values()].filter((k) => k.definesScope === 'project').map((k) => k.kind));
  const declared = documents.filter((d) => projectKinds.has(d.kind) && d.metadata.project === undefined).map((d) => d.metadata.name);
  const inProjects = (async () => {
    if (lister === undefined) return { keys: new Set<string>(), objects: [] };
    const named = await projectsListed(contextFor(lister));
    const keys = [...new Set(declared)].filter((key) => named.has(key)).sort();
    return { keys: new Set(keys), objects: await listManagedObjects(design, keys, setup.parallelism, setup.registry) };
  })();
  const declaredKinds = new Set(documents.map((d) => d.kind));
  const onNodes = nodeListers(setup.registry, setup.clients).filter((k) => declaredKinds.has(k.kind));
  const nodeObjects = listKindsOnNodes(onNodes, setup.clients, setup.parallelism, contextFor);
  // The plan's error (every object that could not be read) is the one to report, not a list's.
  const [planned, listed, onNode] = await Promise.allSettled([planning, inProjects, nodeObjects]);
  if (planned.status === 'rejected') throw planned.reason;
  if (listed.status === 'rejected') throw listed.reason;
  if (onNode.status === 'rejected') throw onNode.reason;
  const plan = planned.value;
  const existing = managedProjects(plan.allUnits, scopes).filter((key) => plan.projects.get(key)?.exists === true);
  const exists = new Set(existing);
  const late = existing.filter((key) => !listed.value.keys.has(key));
  const listedKinds = new Set(onNodes.map((k) => k.kind));
  const [lateInProjects, lateOnNodes] = await Promise.all([
    listManagedObjects(design, late, setup.parallelism, setup.registry),
    listNodeObjects(setup.clients, plan.allUnits, plan.projects, setup.source, setup.registry, setup.parallelism, contextFor, listedKinds),
  ]);
  return [...listed.value.objects.filter((o) => exists.has(o.projectKey)), ...lateInProjects, ...onNode.value, ...lateOnNodes];
}

/**
 * Reads and classifies. Sends GET requests only, none before `connected` settles (see planRun). `contextFor`: the
 * kinds' contexts of the plan (by default fresh ones; the caller's may start from the preflight's answers).
 */
export async function driftRun(
  setup: RunSetup,
  documents: ManifestDocument[],
  contextFor = contextFactory(setup),
  connected: Promise<unknown> = Promise.resolve(),
): Promise<DriftRun> {
  // Drift covers the whole manifests: a `--target` would hide the objects it leaves out.
  const planning = planRun({ ...setup, options: { ...setup.options, targets: [] } }, documents, contextFor, connected);
  // The plan's error when the preflight failed (it waits for it too).
  planning.catch(() => undefined);
  await connected;
  const listed = await listWhilePlanning(setup, documents, contextFor, planning);
  const planned = await planning;
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

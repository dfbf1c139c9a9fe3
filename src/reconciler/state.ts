// What a manifests tree manages, as its ownership records on DSS say (`state list`, `state rm`, `import`,
// `destroy`): the records of one source (its projects' and its nodes' instance records), the scope an address
// belongs to, and the one way those commands edit a record (GET-modify-PUT through the scope's ownership store).
// Reading and editing do I/O; the edits themselves are pure.

import { PROJECT_SCOPE_KIND, projectAddress } from './scope.js';
import { byText } from '../base/order.js';
import { pathSegment } from '../base/dss-path.js';
import pLimit from 'p-limit';
import type { DssClient } from '../dss/types.js';
import { UserError } from '../errors.js';
import { parseAddress } from '../manifest/address.js';
import type { NodeName } from '../resources/types.js';
import { listProjectKeys, readOwnership, recordOf, writeOwnership, type OwnershipRecord, type ProjectOwnership } from './ownership.js';
import { defaultScopes, type OwnershipScopes, type ScopeRef } from './ownership/scopes.js';
import { instanceStore, recordClient, storeOf } from './ownership/stores.js';

/** The project whose record holds `address` (`Project/CHURN#variables` → CHURN), or undefined outside projects. */
export function scopeOfAddress(address: string): string | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  if (parsed.kind === PROJECT_SCOPE_KIND) return parsed.name;
  return parsed.project;
}

/** The scope whose record would hold `address`, projects and nodes' instance records alike; undefined for neither. */
export function scopeRefOfAddress(address: string, scopes: OwnershipScopes = defaultScopes()): ScopeRef | undefined {
  return scopes.scopeOfAddress(address);
}

/** Where the instance records of a source are: each node's client and the run's scopes. */
export interface InstanceRecordsAccess {
  clients: Partial<Record<NodeName, DssClient>>;
  scopes: OwnershipScopes;
}

/**
 * Every project of the design node whose record names `source`, sorted by key, then, with `instances`, the
 * instance record of each node that has instance-scoped kinds when it names `source`, in node order.
 */
export async function readSourceRecords(
  client: DssClient,
  source: string,
  parallelism: number,
  instances?: InstanceRecordsAccess,
): Promise<ProjectOwnership[]> {
  const keys = await listProjectKeys(client);
  const limit = pLimit(Math.max(1, parallelism));
  const all = await Promise.all(keys.map((key) => limit(() => readOwnership(client, key))));
  const projects = all.filter((p) => p.record?.source === source).sort(byText((p) => p.key));
  if (instances === undefined) return projects;
  const nodes = instances.scopes.instanceNodes().filter((node) => instances.clients[node] !== undefined);
  const records = await Promise.all(
    nodes.map((node) => instanceStore.read(instances.clients[node] as DssClient, { store: 'instance', node }, instances.scopes)),
  );
  return [...projects, ...records.filter((r) => r.record?.source === source)];
}

/**
 * The inventory addresses `address` stands for: itself, and for an object its blocks (`Project/CHURN` covers
 * `Project/CHURN#variables`), as `--target` reads an address.
 */
export function coveredAddresses(record: OwnershipRecord, address: string): string[] {
  return Object.keys(record.inventory)
    .filter((a) => a === address || (!address.includes('#') && a.startsWith(`${address}#`)))
    .sort();
}

/** The record without `addresses`; pure. */
export function withoutAddresses(record: OwnershipRecord, addresses: Iterable<string>): OwnershipRecord {
  const drop = new Set(addresses);
  const inventory = Object.fromEntries(Object.entries(record.inventory).filter(([a]) => !drop.has(a)));
  return { ...record, inventory };
}

/**
 * How a command that edits records is kept from writing at the same time as another writer. Today it runs the
 * work as is; once apply's lock on DSS exists, `state rm`, `import` and `destroy` take it here, in one place.
 */
export type RecordWriteGuard = <T>(client: DssClient, projectKey: string, reason: string, work: () => Promise<T>) => Promise<T>;

export const unguarded: RecordWriteGuard = (_client, _key, _reason, work) => work();

/**
 * Edits one project's record with GET-modify-PUT: the metadata is read right before the write, the edit sees the
 * record as it is then, and the object is written back whole. `edit` returning undefined writes nothing.
 */
export async function editScopeRecord(
  clients: Partial<Record<NodeName, DssClient>>,
  ref: ScopeRef,
  edit: (record: OwnershipRecord | undefined) => OwnershipRecord | undefined,
  scopes: OwnershipScopes,
  guard: RecordWriteGuard = unguarded,
  reason = 'edit the ownership record',
): Promise<OwnershipRecord | undefined> {
  if (ref.store === 'project') return editRecord(recordClient(clients, ref), ref.key, edit, guard, reason);
  const client = recordClient(clients, ref);
  return guard(client, ref.node, reason, () => storeOf(ref).edit(client, ref, edit, scopes));
}

export async function editRecord(
  client: DssClient,
  projectKey: string,
  edit: (record: OwnershipRecord | undefined) => OwnershipRecord | undefined,
  guard: RecordWriteGuard = unguarded,
  reason = 'edit the ownership record',
): Promise<OwnershipRecord | undefined> {
  return guard(client, projectKey, reason, async () => {
    const path = `/projects/${pathSegment(projectKey)}/metadata`;
    const metadata = await client.getOrAbsent<Record<string, unknown>>(path);
    if (metadata === undefined) throw new UserError('NO_SUCH_PROJECT', `${projectAddress(projectKey)} does not exist in DSS`);
    const after = edit(recordOf(projectKey, metadata).record);
    if (after === undefined) return undefined;
    await writeOwnership(client, projectKey, after, metadata);
    return after;
  });
}

// The ownership stores behind one interface, one per kind of scope: a project's record (the `dss-gitops` entry of
// its metadata's `custom.kv`, on the design node) and a node's instance record (its instance variable
// `dss-gitops.ownership`). Each says how its scope and record are named, which addresses its records may list (the
// scope rule of record-check.ts), and how its record is read, written and edited. A deployer store would be a third.

import type { DssClient } from '../../dss/types.js';
import type { NodeName } from '../../resources/types.js';
import { readOwnership, writeOwnership, recordOf, withRecord, type OwnershipRecord, type ProjectOwnership } from '../ownership.js';
import { entryInScope, instanceEntryInScope } from '../record-check.js';
import { instanceAddress, instanceRecordAddress, metadataAddress, projectAddress, recordAddress } from '../scope.js';
import { pathSegment } from '../../base/dss-path.js';
import { UserError } from '../../errors.js';
import { DssApiError } from '../../dss/errors.js';
import { editInstanceRecord, readInstanceOwnership, writeInstanceRecord } from './instance-store.js';
import type { OwnershipScopes, ScopeRef } from './scopes.js';

export interface OwnershipStore<R extends ScopeRef = ScopeRef> {
  /** How plans and warnings name the scope (`Project/CHURN`, `instance/design`). */
  scopeAddress(ref: R): string;
  /** How plans and warnings name the scope's record (`Project/CHURN#ownership`). */
  recordAddress(ref: R): string;
  /** The node the record is kept on. */
  nodeOf(ref: R): NodeName;
  /** The scope rule: whether the record of `ref` may list `address`. */
  inScope(ref: R, address: string, scopes: OwnershipScopes): boolean;
  read(client: DssClient, ref: R, scopes: OwnershipScopes): Promise<ProjectOwnership>;
  /**
   * Writes `record` with GET-modify-PUT of what holds it, read right before the write; or over `base`, what holds
   * it as this run last wrote it, when the caller knows nothing else wrote it since (read again if DSS refuses the
   * save as concurrent).
   */
  write(client: DssClient, ref: R, record: OwnershipRecord, scopes: OwnershipScopes, base?: Record<string, unknown>): Promise<void>;
  /**
   * Where the record is kept in the object a unit of the scope writes: that unit's address (a project's
   * `#metadata`), and the object with `record` laid in it, for that unit's write to carry the record (one
   * GET-modify-PUT for both). Absent for a store whose record has an object of its own.
   */
  holder?(ref: R): { address: string; carry: (record: OwnershipRecord) => (object: Record<string, unknown>) => Record<string, unknown> };
  /**
   * GET-modify-PUT of the record, read right before the write; `edit` returning undefined writes nothing. Throws
   * when the scope does not exist.
   */
  edit(
    client: DssClient,
    ref: R,
    edit: (record: OwnershipRecord | undefined) => OwnershipRecord | undefined,
    scopes: OwnershipScopes,
  ): Promise<OwnershipRecord | undefined>;
}

type ProjectRef = Extract<ScopeRef, { store: 'project' }>;
type InstanceRef = Extract<ScopeRef, { store: 'instance' }>;

export const projectStore: OwnershipStore<ProjectRef> = {
  scopeAddress: (ref) => projectAddress(ref.key),
  recordAddress: (ref) => recordAddress(ref.key),
  nodeOf: () => 'design',
  inScope: (ref, address) => entryInScope(ref.key, address),
  read: (client, ref) => readOwnership(client, ref.key),
  holder: (ref) => ({ address: metadataAddress(ref.key), carry: (record) => (metadata) => withRecord(metadata, record) }),
  async write(client, ref, record, _scopes, base) {
    try {
      await writeOwnership(client, ref.key, record, base);
    } catch (error) {
      if (base === undefined || !(error instanceof DssApiError && error.status === 409)) throw error;
      await writeOwnership(client, ref.key, record, undefined);
    }
  },
  async edit(client, ref, edit) {
    const path = `/projects/${pathSegment(ref.key)}/metadata`;
    const metadata = await client.getOrAbsent<Record<string, unknown>>(path);
    if (metadata === undefined) throw new UserError('NO_SUCH_PROJECT', `${projectAddress(ref.key)} does not exist in DSS`);
    const after = edit(recordOf(ref.key, metadata).record);
    if (after === undefined) return undefined;
    await writeOwnership(client, ref.key, after, metadata);
    return after;
  },
};

export const instanceStore: OwnershipStore<InstanceRef> = {
  scopeAddress: (ref) => instanceAddress(ref.node),
  recordAddress: (ref) => instanceRecordAddress(ref.node),
  nodeOf: (ref) => ref.node,
  inScope: (ref, address, scopes) => instanceEntryInScope(scopes.instanceKinds(ref.node), address),
  read: (client, ref, scopes) => readInstanceOwnership(client, ref.node, scopes.instanceKinds(ref.node)),
  write: (client, ref, record, scopes) => writeInstanceRecord(client, ref.node, scopes.instanceKinds(ref.node), record),
  edit: (client, ref, edit, scopes) => editInstanceRecord(client, ref.node, scopes.instanceKinds(ref.node), edit),
};

/** The store of a scope, typed for the scope it is called with. */
export function storeOf(ref: ScopeRef): OwnershipStore {
  return (ref.store === 'project' ? projectStore : instanceStore) as OwnershipStore;
}

export const scopeAddressOf = (ref: ScopeRef): string => storeOf(ref).scopeAddress(ref);
export const recordAddressOf = (ref: ScopeRef): string => storeOf(ref).recordAddress(ref);

/** The client of the node that keeps the record of `ref`. */
export function recordClient(clients: Partial<Record<NodeName, DssClient>>, ref: ScopeRef): DssClient {
  const node = storeOf(ref).nodeOf(ref);
  const client = clients[node];
  if (client === undefined) throw new Error(`no client for node ${node}, which keeps ${recordAddressOf(ref)}`);
  return client;
}

// The instance store: the ownership record of a node's platform objects (kinds with `ownership: 'instance'`:
// groups, users, connections...), which belong to no project and so have no project metadata to be recorded in.
// It is the instance variable `dss-gitops.ownership` of the node (`GET|PUT /admin/variables/`, administrators
// only), beside the run lock's `dss-gitops.lock`; a write is GET-modify-PUT of the variables that changes that key
// and no other, queued behind every other edit of the same client's variables. The deployer node's record is
// `dss-gitops.ownership.deployer`: when the deployer is the design node itself (DSS's local deployer), the two
// records share one set of variables and must not overwrite each other.

import { setOwn } from '../../base/json.js';
import { DssApiError } from '../../dss/errors.js';
import { editInstanceVariables, INSTANCE_VARIABLES_PATH, readInstanceVariables } from '../../dss/instance-variables.js';
import { UserError } from '../../errors.js';
import type { DssClient } from '../../dss/types.js';
import type { OwnershipRecord, ProjectOwnership } from '../ownership.js';
import { checkInstanceRecord } from '../record-check.js';
import { instanceRecordAddress } from '../scope.js';

/** The instance variable that holds the design node's instance record. */
export const INSTANCE_RECORD_VARIABLE = 'dss-gitops.ownership';

/** The instance variable that holds the instance record of `node`. */
export function instanceRecordVariable(node: string): string {
  return node === 'design' ? INSTANCE_RECORD_VARIABLE : `${INSTANCE_RECORD_VARIABLE}.${node}`;
}

/** The instance record held in a node's variables, checked against the node's instance-scoped kinds. */
export function instanceOwnershipFrom(node: string, kinds: ReadonlySet<string>, variables: Record<string, unknown>): ProjectOwnership {
  const name = instanceRecordVariable(node);
  const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
  const { record, warnings } = checkInstanceRecord(node, kinds, value);
  return {
    key: node,
    store: 'instance',
    exists: true,
    tags: [],
    ...(value === undefined ? {} : { recordValue: value }),
    ...(record ? { record } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** DSS refused the variables to this key: only administrators may read them. */
export class InstanceRecordNotPermitted extends UserError {
  constructor(node: string, error: DssApiError) {
    super(
      'OWNERSHIP_NOT_PERMITTED',
      `cannot read the instance ownership record of node ${node}: its API key may not read DSS instance variables ` +
        `(GET ${INSTANCE_VARIABLES_PATH}, administrators only; DSS answered ${error.status}), where dss-gitops records the ` +
        'platform objects it manages (groups, users, connections...); use an administrator key',
      { cause: error },
    );
  }
}

export async function readInstanceOwnership(client: DssClient, node: string, kinds: ReadonlySet<string>): Promise<ProjectOwnership> {
  try {
    return instanceOwnershipFrom(node, kinds, await readInstanceVariables(client));
  } catch (error) {
    if (error instanceof DssApiError && (error.status === 401 || error.status === 403 || error.status === 404)) throw new InstanceRecordNotPermitted(node, error);
    throw error;
  }
}

/**
 * The instance record of a node the manifests declare no platform object of, read for prune: a key that may not read
 * it gets a record-less scope and a warning (nothing of it is pruned) rather than an error, so that trees of
 * projects only still plan with a key that is no administrator.
 */
export async function readInstanceOwnershipForPrune(client: DssClient, node: string, kinds: ReadonlySet<string>): Promise<ProjectOwnership> {
  try {
    return await readInstanceOwnership(client, node, kinds);
  } catch (error) {
    if (!(error instanceof InstanceRecordNotPermitted)) throw error;
    return {
      key: node,
      store: 'instance',
      exists: true,
      tags: [],
      warnings: [`${instanceRecordAddress(node)}: ${error.message.replace(/; use an administrator key$/, '')}: no platform object of node ${node} is pruned`],
    };
  }
}

/**
 * Edits the record with GET-modify-PUT of the variables, read right before the write: `edit` sees the record as it
 * is then (checked), and returns the record to write or undefined to write nothing. Every other variable is written
 * back as read.
 */
export async function editInstanceRecord(
  client: DssClient,
  node: string,
  kinds: ReadonlySet<string>,
  edit: (record: OwnershipRecord | undefined) => OwnershipRecord | undefined,
): Promise<OwnershipRecord | undefined> {
  let written: OwnershipRecord | undefined;
  await editInstanceVariables(client, (variables) => {
    const current = instanceOwnershipFrom(node, kinds, variables).record;
    written = edit(current);
    if (written === undefined) return undefined;
    setOwn(variables, instanceRecordVariable(node), written);
    return variables;
  });
  return written;
}

/** Writes the record as it is (the run's planned record), every other variable kept. */
export async function writeInstanceRecord(client: DssClient, node: string, kinds: ReadonlySet<string>, record: OwnershipRecord): Promise<void> {
  await editInstanceRecord(client, node, kinds, () => record);
}

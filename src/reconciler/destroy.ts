// The destroy plan (`dss-gitops destroy`, `plan --destroy`): every object the ownership records of this source
// list, or the `--target` ones, to delete in reverse dependency order. Pure: it decides from the records read,
// and sends nothing. Protected objects are never deleted, and neither is a project that holds one. Objects of a
// kind deleted only on an opt-in (`pruneNeedsOptIn`) are treated as prune treats them: disabled, or left.

import { projectAddress } from './scope.js';
import { compareText } from '../base/order.js';
import { FORMAT_VERSION, type ResourceChange } from '../diff/types.js';
import { UserError } from '../errors.js';
import { PROTECTED_TAG, type ProjectOwnership } from './ownership.js';
import { mainAddressOf } from './select.js';
import type { Plan, PlannedDeletion, PlannedRecord } from './types.js';

export interface DestroyInput {
  /** The projects whose record names this source (readSourceRecords). */
  owned: readonly ProjectOwnership[];
  /** `--target` addresses; empty means everything recorded. */
  targets: readonly string[];
  /** Addresses the manifests annotate as protected today (`dss-gitops/protected`, `dss-gitops/prune: "false"`). */
  protectedInManifests: ReadonlySet<string>;
  /** Declared objects no record holds (folders, deployer objects): named in a warning, never deleted. */
  unrecorded: readonly string[];
  canDelete: (kind: string) => boolean;
  nodeOf: (kind: string) => string;
  /** The kind's `pruneNeedsOptIn`; absent: every kind is deleted. */
  pruneNeedsOptIn?: (kind: string) => 'soft' | 'keep' | undefined;
  canSoftDelete?: (kind: string) => boolean;
  /** The kinds with an instance record (`ownership: 'instance'`), named where the plan says what is recorded. */
  instanceKinds?: readonly string[];
}

/** What the records hold, as the warning about unrecorded objects says it. */
function recordedWhat(input: DestroyInput): string {
  const kinds = input.instanceKinds ?? [];
  if (kinds.length === 0) return 'only the objects of projects are recorded';
  return `only the objects of projects and the platform objects (${[...kinds].sort(compareText).join(', ')}) are recorded`;
}

function kindOfAddress(address: string): string {
  return address.slice(0, address.indexOf('/'));
}

/** Why an object of a project may not be deleted, or undefined when it may. */
function protection(project: ProjectOwnership, address: string, input: DestroyInput): string | undefined {
  if (project.tags.includes(PROTECTED_TAG)) return `its project is tagged ${PROTECTED_TAG} in DSS`;
  if (project.record?.inventory[address]?.protected === true) return 'it was applied with the protected annotation';
  if (input.protectedInManifests.has(address)) return 'its manifest annotates it as protected';
  return undefined;
}

/** The recorded objects (blocks fold into their object) of a project, sorted. */
function objectsOf(project: ProjectOwnership): string[] {
  return [...new Set(Object.keys(project.record?.inventory ?? {}).map(mainAddressOf))].sort(compareText);
}

/** What destroy does to an object of a kind deleted only on an opt-in, when its record holds none. */
function optIn(project: ProjectOwnership, address: string, input: DestroyInput): 'soft' | 'keep' | undefined {
  const kind = kindOfAddress(address);
  const needed = input.pruneNeedsOptIn?.(kind);
  if (needed === undefined || project.record?.inventory[address]?.pruneDelete === true) return undefined;
  return needed === 'soft' && input.canSoftDelete?.(kind) === true ? 'soft' : 'keep';
}

function softCount(deletions: readonly PlannedDeletion[]): number {
  return deletions.filter((d) => d.soft === true).length;
}

export function planDestroy(input: DestroyInput): Plan {
  const warnings: string[] = [];
  const byAddress = new Map<string, ProjectOwnership>();
  for (const project of input.owned) for (const address of objectsOf(project)) byAddress.set(address, project);

  const unknown = input.targets.filter((t) => !byAddress.has(t));
  if (unknown.length > 0) {
    throw new UserError(
      'UNKNOWN_TARGET',
      `--target names no object this source manages (see \`dss-gitops state list\`): ${[...new Set(unknown)].sort(compareText).join(', ')}`,
    );
  }
  const refused = input.targets.flatMap((t) => {
    const why = protection(byAddress.get(t) as ProjectOwnership, t, input);
    return why === undefined ? [] : [`${t} is protected (${why})`];
  });
  if (refused.length > 0) throw new UserError('PROTECTED', `destroy never deletes a protected object: ${[...new Set(refused)].sort(compareText).join('; ')}`);

  // A targeted project goes whole, with everything recorded in it.
  const wanted = new Set(input.targets.length === 0 ? byAddress.keys() : input.targets);
  for (const target of input.targets) {
    const project = byAddress.get(target) as ProjectOwnership;
    if (target === projectAddress(project.key)) for (const address of objectsOf(project)) wanted.add(address);
  }

  const deletions: PlannedDeletion[] = [];
  const records: PlannedRecord[] = [];
  for (const project of [...input.owned].sort((a, b) => compareText(a.key, b.key))) {
    // A node's instance record has no object that holds the others: nothing is deleted "with" anything.
    const main = project.store === 'instance' ? '' : projectAddress(project.key);
    const objects = objectsOf(project).filter((a) => wanted.has(a));
    if (objects.length === 0) continue;
    const guarded: string[] = [];
    const undeletable: string[] = [];
    const deleted: string[] = [];
    const softened: string[] = [];
    for (const address of objects) {
      const why = protection(project, address, input);
      if (why !== undefined) {
        warnings.push(`${address} is protected (${why}): it is not deleted`);
        guarded.push(address);
      } else if (address !== main && optIn(project, address, input) === 'keep') {
        warnings.push(
          `${address} is not deleted: ${kindOfAddress(address)} objects are deleted only when their manifest was applied with ` +
            'the annotation dss-gitops/prune: "delete"; it stays, and stays recorded',
        );
      } else if (address !== main && optIn(project, address, input) === 'soft') {
        softened.push(address);
      } else if (address !== main && !input.canDelete(kindOfAddress(address))) {
        undeletable.push(address);
      } else {
        deleted.push(address);
      }
    }
    // Deleting a project deletes everything in it: a protected object keeps its project.
    if (deleted.includes(main) && guarded.length > 0) {
      warnings.push(`${main} is not deleted: deleting it would delete ${guarded.join(', ')} with it`);
      deleted.splice(deleted.indexOf(main), 1);
    }
    if (!deleted.includes(main) && undeletable.length > 0) {
      warnings.push(`${undeletable.join(', ')} cannot be deleted on their own: they stay, and stay recorded, with their project`);
    }
    const wholeProject = deleted.includes(main);
    const scope = project.store === 'instance' ? { projectKey: project.key, store: 'instance' as const } : { projectKey: project.key };
    for (const address of deleted) {
      const kind = kindOfAddress(address);
      deletions.push({ address, kind, node: input.nodeOf(kind), ...scope, wholeProject: address === main });
    }
    for (const address of softened) {
      const kind = kindOfAddress(address);
      deletions.push({ address, kind, node: input.nodeOf(kind), ...scope, wholeProject: false, soft: true });
    }
    // A project that stays keeps its record, less what is deleted (execute drops each address once it is gone).
    if (!wholeProject && deleted.length + softened.length > 0 && project.record) records.push({ ...scope, before: project.record, after: project.record });
  }
  if (input.targets.length === 0 && input.unrecorded.length > 0) {
    warnings.push(
      `${input.unrecorded.length} declared object(s) are in no ownership record and are not destroyed: ` +
        `${[...input.unrecorded].sort(compareText).join(', ')} (${recordedWhat(input)})`,
    );
  }
  const resourceChanges: ResourceChange[] = deletions
    .map((d): ResourceChange => ({
      address: d.address,
      kind: d.kind,
      node: d.node,
      action: d.soft === true ? 'update' : 'delete',
      changes: [],
      reason: d.wholeProject
        ? 'destroy; deletes the project and everything in it'
        : d.soft === true
          ? 'destroy; disabled, not deleted (its manifest did not opt in with the annotation dss-gitops/prune: "delete")'
          : 'destroy',
    }))
    .sort((a, b) => compareText(a.address, b.address));
  return {
    report: {
      formatVersion: FORMAT_VERSION,
      resourceChanges,
      summary: { add: 0, change: softCount(deletions), destroy: deletions.length - softCount(deletions) },
      warnings,
    },
    units: [],
    deletions,
    records,
  };
}

// The execute step: the only part of the reconciler that writes. Creates and updates run on the work graph in
// dependency order with the run's concurrency; prune deletions run last on the reversed graph; then each scope's
// ownership record (a project's, a node's instance record) is written when what it owns changed. A failed object
// skips its dependents only.

import { PROJECT_SCOPE_KIND, projectAddress } from './scope.js';
import { summarize } from '../diff/impact.js';
import { byText } from '../base/order.js';
import pLimit from 'p-limit';
import { FORMAT_VERSION, type ApplyReport, type ApplyResult } from '../diff/types.js';
import type { DssClient } from '../dss/types.js';
import type { Logger } from '../base/logger.js';
import type { KindContext, NodeName, ResourceKind } from '../resources/types.js';
import { defaultScopes, refOf, scopeId, type OwnershipScopes } from './ownership/scopes.js';
import { recordAddressOf, recordClient, storeOf } from './ownership/stores.js';
import { runGraph, WorkGraph, type NodeState, type RunOutcome } from './graph.js';
import { sameOwnership, type OwnershipRecord, type ProjectOwnership } from './ownership.js';
import { graphOfUnits } from './select.js';
import type { Plan } from './types.js';

export interface ExecuteInput {
  plan: Plan;
  kindOf: (kind: string) => ResourceKind;
  contextFor: (kind: ResourceKind) => KindContext;
  designClient: DssClient;
  /** The ownership read of the plan phase, by scope id. */
  projects: ReadonlyMap<string, ProjectOwnership>;
  /** Every node's client, for the instance records; absent: the design client for each. */
  clients?: Partial<Record<NodeName, DssClient>>;
  /** The run's ownership scopes (from its registry); absent: the shipped kinds'. */
  scopes?: OwnershipScopes;
  parallelism: number;
  log: Logger;
  onProgress?: (address: string, state: NodeState) => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function resultOf(address: string, action: ApplyResult['action'], outcome: RunOutcome | undefined): ApplyResult {
  if (!outcome || outcome.state === 'skipped') {
    const by = outcome?.blockedBy;
    return { address, action, status: 'skipped', error: by ? `skipped: ${by} was not applied` : 'skipped' };
  }
  if (outcome.state === 'failed') return { address, action, status: 'failed', error: messageOf(outcome.error) };
  return { address, action, status: action === 'no-op' ? 'unchanged' : 'applied' };
}

function quiet(report: (address: string, state: NodeState) => void, skip: (address: string) => boolean): (address: string, state: NodeState) => void {
  return (address, state) => {
    if (!skip(address)) report(address, state);
  };
}

export async function executePlan(input: ExecuteInput): Promise<ApplyReport> {
  const { plan, log } = input;
  const byAddress = new Map(plan.units.map((p) => [p.unit.address, p]));
  const notes = new Map<string, string[]>();
  // The metadata each project's `#metadata` unit left in DSS, by project key: the base of its record's write.
  const metadataWritten = new Map<string, Record<string, unknown>>();
  const writes = await runGraph(
    graphOfUnits(plan.units.map((p) => p.unit)),
    async (address) => {
      const planned = byAddress.get(address);
      if (!planned || planned.action === 'no-op') return;
      const kind = input.kindOf(planned.unit.kind);
      const ctx = input.contextFor(kind);
      const live = planned.live as NonNullable<typeof planned.live>;
      const result =
        planned.action === 'create'
          ? await kind.create(ctx, planned.unit)
          : planned.replace && kind.replace
            ? await kind.replace(ctx, planned.unit, live)
            : await kind.update(ctx, planned.unit, live);
      if (result?.notes?.length) notes.set(address, result.notes);
      if (result?.written && planned.unit.kind === PROJECT_SCOPE_KIND && planned.unit.block === 'metadata') {
        metadataWritten.set(planned.unit.doc.metadata.name, result.written);
      }
      log.info({ address, action: planned.action }, 'applied');
    },
    {
      concurrency: input.parallelism,
      // An object with nothing to write is checked, not applied: its progress is not news.
      ...(input.onProgress ? { onState: quiet(input.onProgress, (address) => byAddress.get(address)?.action === 'no-op') } : {}),
    },
  );
  for (const [address, outcome] of writes) {
    if (outcome.state === 'failed') log.error({ address, err: messageOf(outcome.error) }, 'failed');
  }

  // Deletions: a project's objects go before the project itself (the reversed graph of "belongs to").
  const deletionOf = new Map(plan.deletions.map((d) => [d.address, d]));
  const forward = new WorkGraph(
    plan.deletions.map((d) => ({
      id: d.address,
      dependsOn: d.store === 'instance' || d.kind === PROJECT_SCOPE_KIND ? [] : [projectAddress(d.projectKey)],
    })),
  );
  const deletes = await runGraph(
    forward.reversed(),
    async (address) => {
      const deletion = deletionOf.get(address);
      if (!deletion) return;
      const kind = input.kindOf(deletion.kind);
      if (deletion.soft === true) {
        if (!kind.softDelete) throw new Error(`${deletion.kind} objects cannot be soft-deleted`);
        await kind.softDelete(input.contextFor(kind), address);
        log.info({ address, action: 'soft-delete' }, 'disabled');
        return;
      }
      if (!kind.delete) throw new Error(`${deletion.kind} objects cannot be deleted`);
      await kind.delete(input.contextFor(kind), address);
      log.info({ address, action: 'delete' }, 'deleted');
    },
    { concurrency: input.parallelism, ...(input.onProgress ? { onState: input.onProgress } : {}) },
  );

  const results: ApplyResult[] = [
    ...plan.units.map((p) => {
      const result = resultOf(p.unit.address, p.action, writes.get(p.unit.address));
      const extra = notes.get(p.unit.address);
      return extra ? { ...result, notes: extra } : result;
    }),
    ...plan.deletions.map((d) => resultOf(d.address, d.soft === true ? 'update' : 'delete', deletes.get(d.address))),
  ];
  results.push(...(await writeRecords(input, writes, deletes, metadataWritten)));
  results.sort(byText((r) => r.address));

  return {
    formatVersion: FORMAT_VERSION,
    results,
    summary: summarize(results.filter((r) => r.status === 'applied')),
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
  };
}

/**
 * Writes each project's record when what it owns changed. Units that failed or were skipped keep their previous
 * entry (or none); pruned objects leave it once deleted. A record write failure is reported like any object's.
 */
async function writeRecords(
  input: ExecuteInput,
  writes: Map<string, RunOutcome>,
  deletes: Map<string, RunOutcome>,
  metadataWritten: ReadonlyMap<string, Record<string, unknown>>,
): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  const limit = pLimit(Math.max(1, input.parallelism));
  const scopes = input.scopes ?? defaultScopes();
  // Each record looks at its own scope's units and deletions: group them once, not scan the plan per record.
  const unitsOf = groupBy(input.plan.units, (p) => {
    const ref = scopes.scopeOf(p.unit);
    return ref === undefined ? undefined : scopeId(ref);
  });
  const deletionsOf = groupBy(input.plan.deletions, (d) => scopeId(refOf(d)));
  await Promise.all(
    input.plan.records.map((planned) => limit(async () => {
      const ref = refOf(planned);
      const key = scopeId(ref);
      // A node's instance record always has somewhere to go; a project's needs its project.
      const main = ref.store === 'project' ? writes.get(projectAddress(ref.key)) : undefined;
      const scopeExists = ref.store === 'instance' || input.projects.get(key)?.exists === true || main?.state === 'done';
      if (!scopeExists) return;
      const inventory = { ...planned.after.inventory };
      for (const p of unitsOf.get(key) ?? []) {
        const state = writes.get(p.unit.address)?.state;
        if (state === 'done') continue;
        const previous = planned.before?.inventory[p.unit.address];
        if (previous) inventory[p.unit.address] = previous;
        else delete inventory[p.unit.address];
      }
      for (const d of deletionsOf.get(key) ?? []) {
        if (deletes.get(d.address)?.state === 'done') delete inventory[d.address];
      }
      const after: OwnershipRecord = { ...planned.after, inventory };
      if (sameOwnership(planned.before, after)) return;
      const address = recordAddressOf(ref);
      try {
        // Read right before the write, as every GET-modify-PUT: the metadata (or variables) read at plan time may
        // have been changed in DSS since (a description, a custom key, the run lock), and writing it back would
        // revert that. A project this run created is the exception: nobody else has had it, and its metadata is
        // what its `#metadata` unit wrote (DSS's own answer to that PUT is empty), so the record is laid over that.
        const client = recordClient({ design: input.designClient, ...input.clients }, ref);
        const created = main?.state === 'done' && input.projects.get(key)?.exists !== true;
        const base = ref.store === 'project' && created ? metadataWritten.get(ref.key) : undefined;
        await storeOf(ref).write(client, ref, after, scopes, base);
        input.log.debug({ address }, 'ownership record written');
      } catch (error) {
        input.log.error({ address, err: messageOf(error) }, 'failed');
        results.push({ address, action: 'update', status: 'failed', error: messageOf(error) });
      }
    })),
  );
  return results;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string | undefined, T[]> {
  const groups = new Map<string | undefined, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

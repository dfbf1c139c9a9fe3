// The execute step: the only part of the reconciler that writes. Creates and updates run on the work graph in
// dependency order with the run's concurrency; prune deletions run last on the reversed graph. Each scope's
// ownership record (a project's, a node's instance record) is written when what it owns changed, once every object
// of the scope was written or not: as a node of the work graph, beside the other scopes' writes, or after the
// deletions for a scope that has some. A failed object skips its dependents only.

import { PROJECT_SCOPE_KIND, projectAddress } from './scope.js';
import { summarize } from '../diff/impact.js';
import { byText } from '../base/order.js';
import pLimit from 'p-limit';
import { FORMAT_VERSION, type ApplyReport, type ApplyResult } from '../diff/types.js';
import type { DssClient } from '../dss/types.js';
import type { Logger } from '../base/logger.js';
import type { KindContext, NodeName, ResourceKind, WriteExtras, WriteResult } from '../resources/types.js';
import { defaultScopes, type OwnershipScopes } from './ownership/scopes.js';
import { recordClient, storeOf } from './ownership/stores.js';
import { recordJobs, recordToWrite, type RecordJob } from './ownership/record-writes.js';
import { runGraph, WorkGraph, type NodeState, type RunOutcome } from './graph.js';
import { sameOwnership, type OwnershipRecord, type ProjectOwnership } from './ownership.js';
import { graphOfUnits, unitsOrderedAfter } from './select.js';
import type { Plan, PlannedUnit } from './types.js';

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

/** A record whose write carries the change of the unit whose object holds it (a project's `#metadata` block). */
interface Carried {
  holder: PlannedUnit;
  carry: (record: OwnershipRecord) => NonNullable<WriteExtras['carry']>;
}

export async function executePlan(input: ExecuteInput): Promise<ApplyReport> {
  const { plan, log } = input;
  const scopes = input.scopes ?? defaultScopes();
  const byAddress = new Map(plan.units.map((p) => [p.unit.address, p]));
  const notes = new Map<string, string[]>();
  // What a write left in DSS where the kind says (a project's metadata), by address: the base of a record laid over it.
  const written = new Map<string, Record<string, unknown>>();
  const recordFailures: ApplyResult[] = [];

  const writeUnit = async (planned: PlannedUnit, extras?: WriteExtras): Promise<WriteResult | void> => {
    const address = planned.unit.address;
    const kind = input.kindOf(planned.unit.kind);
    const ctx = input.contextFor(kind);
    const live = planned.live as NonNullable<typeof planned.live>;
    const result =
      planned.action === 'create'
        ? await kind.create(ctx, planned.unit, extras)
        : planned.replace && kind.replace
          ? await kind.replace(ctx, planned.unit, live)
          : await kind.update(ctx, planned.unit, live, extras);
    if (result?.notes?.length) notes.set(address, result.notes);
    if (result?.written) written.set(address, result.written);
    log.info({ address, action: planned.action }, 'applied');
    return result;
  };

  /** Writes the record of `job` on its own (GET-modify-PUT), when there is one to write; a failure is reported. */
  const writeRecord = async (job: RecordJob, stateOf: (address: string) => NodeState | undefined): Promise<void> => {
    const record = recordToWrite(job, input.projects, stateOf);
    if (record === undefined) return;
    const { ref } = job;
    try {
      // Read right before the write, as every GET-modify-PUT: the metadata (or variables) read at plan time may
      // have been changed in DSS since (a description, a custom key, the run lock), and writing it back would
      // revert that. A project this run created is the exception: nobody else has had it, and its metadata is
      // what its `#metadata` unit wrote (DSS's own answer to that PUT is empty), so the record is laid over that.
      const client = recordClient({ design: input.designClient, ...input.clients }, ref);
      const created = ref.store === 'project' && stateOf(projectAddress(ref.key)) === 'done' && input.projects.get(job.id)?.exists !== true;
      const holder = storeOf(ref).holder?.(ref);
      const base = created && holder ? written.get(holder.address) : undefined;
      await storeOf(ref).write(client, ref, record, scopes, base);
      log.debug({ address: job.address }, 'ownership record written');
    } catch (error) {
      log.error({ address: job.address, err: messageOf(error) }, 'failed');
      recordFailures.push({ address: job.address, action: 'update', status: 'failed', error: messageOf(error) });
    }
  };

  // A scope whose objects are pruned has its record written after the deletions, which run after every write. The
  // others' records are nodes of the work graph: each is written as soon as its own scope's objects ended.
  // An object with nothing to write is done already: it is no node of the graph, and a record whose scope writes
  // nothing and owns what it owned is none either (a no-op apply of 2,000 projects built and ran a graph of 22,000).
  // The graph of the objects written is the whole graph without them: an edge to one of them is an edge to a node
  // done already, which the graph ignores (a no-op apply of 2,000 x 10 built the graph of 28,000 units, 15 MB of its
  // heap, to leave every node out).
  const unchanged = new Set(plan.units.filter((p) => p.action === 'no-op').map((p) => p.unit.address));
  const units = graphOfUnits(plan.units.filter((p) => p.action !== 'no-op').map((p) => p.unit));
  const done: RunOutcome = { state: 'done' };
  const jobs = recordJobs(plan, scopes).filter(
    (j) => j.deletions.length > 0 || j.units.some((p) => p.action !== 'no-op') || !sameOwnership(j.planned.before, j.planned.after),
  );
  const inGraph = new Map(jobs.filter((j) => j.deletions.length === 0).map((j) => [j.address, j]));
  const carriable = new Map<string, Carried>();
  for (const job of inGraph.values()) {
    // The unit whose object holds the record is written with it, one GET-modify-PUT, when nothing is written after it.
    const holder = storeOf(job.ref).holder?.(job.ref);
    const planned = holder ? byAddress.get(holder.address) : undefined;
    if (!holder || !planned || planned.replace === true || (planned.action !== 'create' && planned.action !== 'update')) continue;
    carriable.set(job.address, { holder: planned, carry: holder.carry });
  }
  const followed =
    carriable.size === 0
      ? new Set<string>()
      : unitsOrderedAfter(
          plan.units.map((p) => p.unit),
          new Set([...carriable.values()].map((c) => c.holder.unit.address)),
        );
  const carried = new Map([...carriable].filter(([, c]) => !followed.has(c.holder.unit.address)));
  const held = new Set([...carried.values()].map((c) => c.holder.unit.address));
  const graph = new WorkGraph([
    ...units.ids().filter((id) => !held.has(id) && !unchanged.has(id)).map((id) => ({ id, dependsOn: units.dependenciesOf(id) })),
    ...[...inGraph.values()].map((job) => {
      const holder = carried.get(job.address)?.holder.unit.address;
      const scope = job.units.map((p) => p.unit.address).filter((a) => a !== holder);
      return { id: job.address, dependsOn: [], after: holder ? [...scope, ...units.dependenciesOf(holder)] : scope };
    }),
  ]);

  // The outcomes of the units written with their scope's record, which are not nodes of the graph.
  const heldOutcomes = new Map<string, RunOutcome>();
  const settleHeld = (address: string, outcome: RunOutcome): void => {
    heldOutcomes.set(address, outcome);
    input.onProgress?.(address, outcome.state);
  };

  /** The record of `job`, carried by the write of its holder unit when there is one (written alone otherwise). */
  const recordNode = async (job: RecordJob, outcomes: ReadonlyMap<string, RunOutcome>): Promise<void> => {
    const outcomeOf = (address: string): RunOutcome | undefined => (unchanged.has(address) ? done : (heldOutcomes.get(address) ?? outcomes.get(address)));
    const stateOf = (address: string): NodeState | undefined => outcomeOf(address)?.state;
    const c = carried.get(job.address);
    if (c) {
      const address = c.holder.unit.address;
      const blockedBy = units.dependenciesOf(address).find((d) => stateOf(d) !== 'done');
      if (blockedBy !== undefined) settleHeld(address, { state: 'skipped', blockedBy });
      else {
        settleHeld(address, { state: 'running' });
        // The record as it stands once the holder is written too: written by the same PUT, or neither is.
        const record = recordToWrite(job, input.projects, (a) => (a === address ? 'done' : stateOf(a)));
        try {
          const result = await writeUnit(c.holder, record ? { carry: c.carry(record) } : {});
          settleHeld(address, { state: 'done' });
          if (record === undefined || result?.carried === true) return;
        } catch (error) {
          // Neither was written: the record is written on its own, without the holder's new entry.
          settleHeld(address, { state: 'failed', error });
        }
      }
    }
    await writeRecord(job, stateOf);
  };

  const writes = await runGraph(
    graph,
    async (address, outcomes) => {
      const job = inGraph.get(address);
      if (job) return recordNode(job, outcomes);
      const planned = byAddress.get(address);
      if (!planned || planned.action === 'no-op') return;
      await writeUnit(planned);
    },
    {
      concurrency: input.parallelism,
      // An object with nothing to write is checked, not applied: its progress is not news; nor is a record's.
      ...(input.onProgress
        ? { onState: quiet(input.onProgress, (address) => inGraph.has(address) || byAddress.get(address)?.action === 'no-op') }
        : {}),
    },
  );
  for (const [address, outcome] of heldOutcomes) writes.set(address, outcome);
  for (const address of unchanged) writes.set(address, done);
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
  const limit = pLimit(Math.max(1, input.parallelism));
  const stateOf = (address: string): NodeState | undefined => (writes.get(address) ?? deletes.get(address))?.state;
  await Promise.all(jobs.filter((j) => !inGraph.has(j.address)).map((job) => limit(() => writeRecord(job, stateOf))));

  const results: ApplyResult[] = [
    ...plan.units.map((p) => {
      const result = resultOf(p.unit.address, p.action, writes.get(p.unit.address));
      const extra = notes.get(p.unit.address);
      return extra ? { ...result, notes: extra } : result;
    }),
    ...plan.deletions.map((d) => resultOf(d.address, d.soft === true ? 'update' : 'delete', deletes.get(d.address))),
    ...recordFailures,
  ];
  results.sort(byText((r) => r.address));

  return {
    formatVersion: FORMAT_VERSION,
    results,
    summary: summarize(results.filter((r) => r.status === 'applied')),
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
  };
}

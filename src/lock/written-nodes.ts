// Which DSS nodes a plan writes to: the nodes a run must lock before it executes the plan. Pure.

import { sameOwnership } from '../reconciler/ownership.js';
import type { Plan } from '../reconciler/types.js';
import type { NodeName } from '../resources/types.js';

export function nodesWritten(plan: Plan, nodeOf: (kind: string) => NodeName): NodeName[] {
  const nodes = new Set<NodeName>();
  for (const p of plan.units) if (p.action !== 'no-op') nodes.add(nodeOf(p.unit.kind));
  for (const d of plan.deletions) nodes.add(nodeOf(d.kind));
  // A project's record lives in its metadata, on the design node; a node's instance record on that node.
  for (const r of plan.records) if (!sameOwnership(r.before, r.after)) nodes.add(r.store === 'instance' ? (r.projectKey as NodeName) : 'design');
  return (['design', 'deployer'] as const).filter((n) => nodes.has(n));
}

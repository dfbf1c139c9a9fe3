// The graph of the manifests' units and `--target` selection. Pure.

import { DssGitopsError, UserError } from '../errors.js';
import type { ResourceUnit } from '../resources/types.js';
import { DependencyCycleError, firstCycle, WorkGraph } from './graph.js';

/** The address of a unit's document main unit: `Project/CHURN#variables` → `Project/CHURN`. */
export function mainAddressOf(address: string): string {
  const hash = address.indexOf('#');
  return hash === -1 ? address : address.slice(0, hash);
}

/** What a unit is written after: its `dependsOn`, its `orderAfter`, and its document's main unit. */
export function edgesOf(unit: ResourceUnit): string[] {
  const edges = [...unit.dependsOn, ...(unit.orderAfter ?? [])];
  if (unit.address.includes('#')) edges.push(mainAddressOf(unit.address));
  return edges;
}

/** The addresses of `units` that start with one of `prefixes`, the unit itself left out. */
function prefixedEdges(unit: ResourceUnit, units: ResourceUnit[]): string[] {
  const prefixes = unit.orderAfterPrefixes ?? [];
  if (prefixes.length === 0) return [];
  return units.map((u) => u.address).filter((a) => a !== unit.address && prefixes.some((p) => a.startsWith(p)));
}

export function graphOfUnits(units: ResourceUnit[]): WorkGraph {
  return new WorkGraph(units.map((u) => ({ id: u.address, dependsOn: [...edgesOf(u), ...prefixedEdges(u, units)] })));
}

/**
 * The checks graphOfUnits makes (an address twice, a cycle through any edge, the same cycle named), without building
 * the graph. A plan only checks; the graph of 28,000 units, its four maps and their lists, was 20 MB of a plan's heap
 * that no collection reclaimed before exit.
 */
export function checkUnitGraph(units: ResourceUnit[]): void {
  const indexOf = new Map<string, number>();
  units.forEach((unit, i) => {
    if (indexOf.has(unit.address)) throw new DssGitopsError('DUPLICATE_NODE', `duplicate graph node ${unit.address}`);
    indexOf.set(unit.address, i);
  });
  if (!hasCycle(units, indexOf)) return;
  // Named as the work graph names it: the search in address order, each unit's edges in address order.
  const cycle = firstCycle(indexOf.keys(), (address) => {
    const unit = units[indexOf.get(address) as number] as ResourceUnit;
    const edges = new Set([...edgesOf(unit), ...prefixedEdges(unit, units)]);
    return [...edges].filter((a) => a !== address && indexOf.has(a));
  });
  if (cycle) throw new DependencyCycleError(cycle);
}

/**
 * Whether graphOfUnits' edges make a cycle: a depth-first search in no particular order, with no list per unit (its
 * edges are walked where the unit holds them), so that a plan of 28,000 units that has none allocates next to nothing.
 */
function hasCycle(units: ResourceUnit[], indexOf: ReadonlyMap<string, number>): boolean {
  // 0: not met, 1: on the search's path, 2: done with.
  const state = new Uint8Array(units.length);
  const reaches = (from: number, address: string): boolean => {
    const to = indexOf.get(address);
    if (to === undefined || to === from) return false;
    return state[to] === 1 || (state[to] === 0 && visit(to));
  };
  const visit = (i: number): boolean => {
    state[i] = 1;
    const unit = units[i] as ResourceUnit;
    for (const address of unit.dependsOn) if (reaches(i, address)) return true;
    for (const address of unit.orderAfter ?? []) if (reaches(i, address)) return true;
    if (unit.address.includes('#') && reaches(i, mainAddressOf(unit.address))) return true;
    for (const prefix of unit.orderAfterPrefixes ?? []) {
      for (const other of units) if (other.address.startsWith(prefix) && reaches(i, other.address)) return true;
    }
    state[i] = 2;
    return false;
  };
  for (let i = 0; i < units.length; i++) if (state[i] === 0 && visit(i)) return true;
  return false;
}

/**
 * Which of `addresses` (of units of `units`) some unit of `units` is written after (an edge of graphOfUnits to it: the graph's dependents
 * of each), without building the graph.
 */
export function unitsOrderedAfter(units: ResourceUnit[], addresses: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const unit of units) {
    for (const edge of [...edgesOf(unit), ...prefixedEdges(unit, units)]) if (edge !== unit.address && addresses.has(edge)) out.add(edge);
  }
  return out;
}

/** What a unit cannot be written without: its `dependsOn` and its document's main unit. Order edges are not. */
function dependencyGraphOf(units: ResourceUnit[]): WorkGraph {
  return new WorkGraph(
    units.map((u) => ({
      id: u.address,
      dependsOn: u.address.includes('#') ? [...u.dependsOn, mainAddressOf(u.address)] : u.dependsOn,
    })),
  );
}

export interface Selection {
  units: ResourceUnit[];
  warnings: string[];
}

/**
 * The units a run covers: every unit, or with `--target` the targeted ones (an address also targets its blocks:
 * `Project/CHURN` covers `Project/CHURN#variables`) plus everything they depend on (`dependsOn`, not `orderAfter`).
 */
export function selectUnits(units: ResourceUnit[], targets: string[]): Selection {
  // A cycle in the whole manifests is an error even when the targets avoid it.
  checkUnitGraph(units);
  if (targets.length === 0) return { units, warnings: [] };
  const unknown: string[] = [];
  const roots: string[] = [];
  for (const target of targets) {
    const matched = units.filter((u) => u.address === target || mainAddressOf(u.address) === target);
    if (matched.length === 0) unknown.push(target);
    roots.push(...matched.map((u) => u.address));
  }
  if (unknown.length > 0) {
    throw new UserError('UNKNOWN_TARGET', `--target names no object of the manifests: ${unknown.join(', ')}`);
  }
  // `orderAfter` only orders what is selected anyway: following it would pull in a deployment's bundle with its
  // project's every block and scenario, or a project's whole folder tree.
  const keep = dependencyGraphOf(units).closure(roots);
  const selected = units.filter((u) => keep.has(u.address));
  return {
    units: selected,
    warnings: [
      `--target limits this run to ${selected.length} of ${units.length} objects (the targets and what they depend on); ` +
        'the plan may be incomplete and prune is disabled',
    ],
  };
}

/** The declared `orderAfter` prerequisites of the selected units `follow` accepts that the selection leaves out. */
export function unselectedPrerequisites(selected: ResourceUnit[], units: ResourceUnit[], follow: (unit: ResourceUnit) => boolean): string[] {
  const declared = new Set(units.map((u) => u.address));
  const chosen = new Set(selected.map((u) => u.address));
  const out = new Set(selected.filter(follow).flatMap((u) => u.orderAfter ?? []).filter((a) => declared.has(a) && !chosen.has(a)));
  return [...out].sort();
}

// The work graph of a run: nodes keyed by address, edges from `dependsOn`. It orders writes (dependencies
// first), runs them with a concurrency limit, skips everything downstream of a failure and nothing else, and
// runs deletes on the reversed graph (dependents first). A node may also wait for others only to have ended
// (`after`), whatever their outcome: an ownership record is written once its scope's objects were written or not.

import pLimit from 'p-limit';
import { DssGitopsError } from '../errors.js';

export type NodeState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface GraphNode {
  id: string;
  /** Ids this node needs first. Ids that are not in the graph are assumed to exist already and are ignored. */
  dependsOn: string[];
  /**
   * Ids this node runs after once they have ended, done, failed or skipped: unlike `dependsOn`, their failure does
   * not skip it. Ids that are not in the graph are ignored.
   */
  after?: string[];
}

export class DependencyCycleError extends DssGitopsError {
  readonly cycle: string[];
  constructor(cycle: string[]) {
    super('DEPENDENCY_CYCLE', `dependency cycle: ${cycle.join(' → ')}`, { fault: 'user' });
    this.cycle = cycle;
  }
}

export class WorkGraph {
  private readonly deps = new Map<string, string[]>();
  private readonly dependents = new Map<string, string[]>();
  private readonly waits = new Map<string, string[]>();
  private readonly followers = new Map<string, string[]>();

  constructor(nodes: GraphNode[]) {
    for (const node of nodes) {
      if (this.deps.has(node.id)) throw new DssGitopsError('DUPLICATE_NODE', `duplicate graph node ${node.id}`);
      this.deps.set(node.id, []);
      this.dependents.set(node.id, []);
      this.waits.set(node.id, []);
      this.followers.set(node.id, []);
    }
    for (const node of nodes) {
      const own = this.deps.get(node.id) ?? [];
      for (const dep of new Set(node.dependsOn)) {
        if (dep === node.id || !this.deps.has(dep)) continue;
        own.push(dep);
        this.dependents.get(dep)?.push(node.id);
      }
      const needed = new Set(own);
      const waits = this.waits.get(node.id) ?? [];
      for (const id of new Set(node.after ?? [])) {
        if (id === node.id || needed.has(id) || !this.deps.has(id)) continue;
        waits.push(id);
        this.followers.get(id)?.push(node.id);
      }
    }
    const cycle = this.findCycle();
    if (cycle) throw new DependencyCycleError(cycle);
  }

  ids(): string[] {
    return [...this.deps.keys()];
  }

  dependenciesOf(id: string): string[] {
    return this.deps.get(id) ?? [];
  }

  dependentsOf(id: string): string[] {
    return this.dependents.get(id) ?? [];
  }

  /** The ids `id` runs after once they ended, whatever their outcome (its `after`). */
  waitsFor(id: string): string[] {
    return this.waits.get(id) ?? [];
  }

  /** The ids that run after `id` once it ended, whatever its outcome. */
  followersOf(id: string): string[] {
    return this.followers.get(id) ?? [];
  }

  /** Every id `id` runs after: its dependencies and what it waits for. */
  private before(id: string): string[] {
    return [...this.dependenciesOf(id), ...this.waitsFor(id)];
  }

  /** The same nodes with every edge turned around: deletes run dependents first. */
  reversed(): WorkGraph {
    return new WorkGraph(this.ids().map((id) => ({ id, dependsOn: this.dependentsOf(id), after: this.followersOf(id) })));
  }

  /** Dependencies (and what a node waits for) before it; ties broken by id so that the order is stable. */
  topologicalOrder(): string[] {
    const remaining = new Map(this.ids().map((id) => [id, this.before(id).length]));
    const order: string[] = [];
    let ready = [...remaining].filter(([, n]) => n === 0).map(([id]) => id).sort();
    while (ready.length > 0) {
      const next: string[] = [];
      for (const id of ready) {
        order.push(id);
        for (const dependent of [...this.dependentsOf(id), ...this.followersOf(id)]) {
          const left = (remaining.get(dependent) ?? 0) - 1;
          remaining.set(dependent, left);
          if (left === 0) next.push(dependent);
        }
      }
      ready = next.sort();
    }
    return order;
  }

  /** Every id reachable through `dependsOn` from `ids`, the ids included. */
  closure(ids: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...ids];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...this.dependenciesOf(id));
    }
    return seen;
  }

  /**
   * The first cycle found by depth-first search, closed (`a → b → a`), or undefined. Whether there is one is asked
   * first of a search that sorts nothing (Kahn's: every node whose prerequisites all came off comes off in turn), and
   * the sorted search that names it runs only when there is: an apply of 100 projects builds this graph of 900 nodes
   * between taking its lock and its first write, where the sorted search took most of the graph's time.
   */
  private findCycle(): string[] | undefined {
    if (!this.hasCycle()) return undefined;
    return firstCycle(this.ids(), (id) => this.before(id));
  }

  private hasCycle(): boolean {
    const left = new Map<string, number>();
    const free: string[] = [];
    for (const [id, deps] of this.deps) {
      const n = deps.length + (this.waits.get(id)?.length ?? 0);
      left.set(id, n);
      if (n === 0) free.push(id);
    }
    let freed = 0;
    const release = (id: string): void => {
      const n = (left.get(id) ?? 0) - 1;
      left.set(id, n);
      if (n === 0) free.push(id);
    };
    while (free.length > 0) {
      const id = free.pop() as string;
      freed += 1;
      for (const dependent of this.dependentsOf(id)) release(dependent);
      for (const follower of this.followersOf(id)) release(follower);
    }
    return freed < this.deps.size;
  }
}

/**
 * The first cycle a depth-first search meets, closed (`a → b → a`), or undefined: nodes in id order, each one's
 * prerequisites (`before`, ids of nodes only, itself left out) in id order, so that the same graph names the same cycle.
 */
export function firstCycle(ids: Iterable<string>, before: (id: string) => readonly string[]): string[] | undefined {
  const color = new Map<string, 'grey' | 'black'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    color.set(id, 'grey');
    path.push(id);
    for (const dep of [...before(id)].sort()) {
      const c = color.get(dep);
      if (c === 'grey') return [...path.slice(path.indexOf(dep)), dep];
      if (c === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    path.pop();
    color.set(id, 'black');
    return undefined;
  };
  for (const id of [...ids].sort()) {
    if (color.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}

export interface RunOutcome {
  state: NodeState;
  error?: unknown;
  /** For skipped nodes: the failed (or skipped) dependency that caused it. */
  blockedBy?: string;
}

export interface RunGraphOptions {
  concurrency: number;
  /** Called on every state change, e.g. for progress lines. */
  onState?: (id: string, state: NodeState) => void;
}

/**
 * Runs `work` on every node once its dependencies are done (and what it waits for has ended), at most
 * `concurrency` at a time. A node whose work throws is failed; every node downstream of it is skipped; independent
 * nodes still run. `work` is given the outcomes so far: those of every node it runs after have ended.
 */
export async function runGraph(
  graph: WorkGraph,
  work: (id: string, outcomes: ReadonlyMap<string, RunOutcome>) => Promise<void>,
  options: RunGraphOptions,
): Promise<Map<string, RunOutcome>> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const outcomes = new Map<string, RunOutcome>(graph.ids().map((id) => [id, { state: 'pending' }]));
  const waiting = new Map(graph.ids().map((id) => [id, graph.dependenciesOf(id).length + graph.waitsFor(id).length]));
  const running: Promise<void>[] = [];

  const setState = (id: string, outcome: RunOutcome): void => {
    outcomes.set(id, outcome);
    options.onState?.(id, outcome.state);
  };

  const release = (id: string): void => {
    const left = (waiting.get(id) ?? 0) - 1;
    waiting.set(id, left);
    if (left === 0 && outcomes.get(id)?.state === 'pending') start(id);
  };

  // A node ended: its dependents are released when it is done and skipped otherwise (and so on downstream); what
  // waits for it is released either way.
  const ended = (id: string): void => {
    const done = outcomes.get(id)?.state === 'done';
    for (const dependent of graph.dependentsOf(id)) {
      if (done) release(dependent);
      else if (outcomes.get(dependent)?.state === 'pending') {
        setState(dependent, { state: 'skipped', blockedBy: id });
        ended(dependent);
      }
    }
    for (const follower of graph.followersOf(id)) release(follower);
  };

  const start = (id: string): void => {
    running.push(
      limit(async () => {
        if (outcomes.get(id)?.state !== 'pending') return;
        setState(id, { state: 'running' });
        try {
          await work(id, outcomes);
          setState(id, { state: 'done' });
        } catch (error) {
          setState(id, { state: 'failed', error });
        }
        ended(id);
      }),
    );
  };

  // What waits for nothing starts first, in id order (the order the graph's topological order begins with).
  for (const id of graph.ids().filter((i) => waiting.get(i) === 0).sort()) start(id);
  // Work started by finished work is appended to `running` while we wait.
  for (let i = 0; i < running.length; i += 1) await running[i];
  return outcomes;
}

import { describe, expect, it } from 'vitest';
import { DependencyCycleError, runGraph, WorkGraph } from '../../src/reconciler/graph.js';

const graphOf = (edges: Record<string, string[]>): WorkGraph =>
  new WorkGraph(Object.entries(edges).map(([id, dependsOn]) => ({ id, dependsOn })));

describe('WorkGraph', () => {
  it('orders dependencies before dependents, stably', () => {
    const g = graphOf({ 'Scenario/A/S': ['Project/A'], 'Project/A': ['ProjectFolder/X'], 'ProjectFolder/X': [], 'Project/B': [] });
    expect(g.topologicalOrder()).toEqual(['Project/B', 'ProjectFolder/X', 'Project/A', 'Scenario/A/S']);
    expect(g.reversed().topologicalOrder()).toEqual(['Project/B', 'Scenario/A/S', 'Project/A', 'ProjectFolder/X']);
  });

  it('names the whole cycle', () => {
    let error: unknown;
    try {
      graphOf({ a: ['b'], b: ['c'], c: ['a'], d: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DependencyCycleError);
    expect((error as DependencyCycleError).cycle).toEqual(['a', 'b', 'c', 'a']);
    expect((error as Error).message).toBe('dependency cycle: a → b → c → a');
  });

  it('finds a cycle behind acyclic parts, through either kind of edge, and names the same one whatever the nodes\' order', () => {
    const nodes = [
      { id: 'a', dependsOn: [] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['b', 'e'] },
      { id: 'd', dependsOn: ['c'] },
      { id: 'e', dependsOn: [], after: ['d'] },
      { id: 'f', dependsOn: ['d'] },
      { id: 'g', dependsOn: [], after: ['a', 'f'] },
    ];
    for (const order of [nodes, [...nodes].reverse(), [nodes[4], nodes[6], nodes[0], nodes[2], nodes[5], nodes[1], nodes[3]]]) {
      expect(() => new WorkGraph(order as typeof nodes)).toThrow('dependency cycle: c → e → d → c');
    }
    // Without the edge that closes it, the same nodes make a graph.
    const open = nodes.map((n) => (n.id === 'e' ? { id: 'e', dependsOn: [] } : n));
    expect(new WorkGraph(open).topologicalOrder()).toEqual(['a', 'e', 'b', 'c', 'd', 'f', 'g']);
  });

  it('ignores dependencies on ids outside the graph', () => {
    const g = graphOf({ 'Scenario/EXT/S': ['Project/EXT'] });
    expect(g.topologicalOrder()).toEqual(['Scenario/EXT/S']);
  });

  it('computes the dependency closure of some ids', () => {
    const g = graphOf({ a: ['b'], b: ['c'], c: [], d: ['c'] });
    expect([...g.closure(['a'])].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('runGraph', () => {
  it('runs dependencies first and skips only what is downstream of a failure', async () => {
    const g = graphOf({ p: [], s1: ['p'], s2: ['s1'], q: [], t: ['q'] });
    const ran: string[] = [];
    const outcomes = await runGraph(
      g,
      (id) => {
        ran.push(id);
        return id === 'p' ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      { concurrency: 4 },
    );
    expect(outcomes.get('p')?.state).toBe('failed');
    expect(outcomes.get('s1')).toEqual({ state: 'skipped', blockedBy: 'p' });
    expect(outcomes.get('s2')).toEqual({ state: 'skipped', blockedBy: 's1' });
    expect(outcomes.get('q')?.state).toBe('done');
    expect(outcomes.get('t')?.state).toBe('done');
    expect(ran.indexOf('q')).toBeLessThan(ran.indexOf('t'));
    expect(ran).not.toContain('s1');
  });

  it('never runs more nodes at once than the concurrency limit', async () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 40; i += 1) edges[`n${i}`] = i % 5 === 0 || i < 5 ? [] : [`n${i - 5}`];
    let active = 0;
    let peak = 0;
    const outcomes = await runGraph(
      graphOf(edges),
      async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setImmediate(resolve));
        active -= 1;
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
    expect([...outcomes.values()].every((o) => o.state === 'done')).toBe(true);
  });

  it('reports every state change in order', async () => {
    const states: string[] = [];
    await runGraph(graphOf({ a: [], b: ['a'] }), () => Promise.resolve(), {
      concurrency: 1,
      onState: (id, state) => states.push(`${id}:${state}`),
    });
    expect(states).toEqual(['a:running', 'a:done', 'b:running', 'b:done']);
  });

  it('starts what waits for nothing in id order, whatever order the graph was given in', async () => {
    const g = new WorkGraph([
      { id: 'c', dependsOn: [] },
      { id: 'x', dependsOn: ['a'] },
      { id: 'a', dependsOn: [] },
      { id: 'r', dependsOn: [], after: ['b'] },
      { id: 'b', dependsOn: [] },
    ]);
    const started: string[] = [];
    await runGraph(g, (id) => (started.push(id), Promise.resolve()), { concurrency: 1 });
    expect(started).toEqual(['a', 'b', 'c', 'x', 'r']);
  });

  it('runs a node that waits for others once they ended, however they ended, and shows it their outcomes', async () => {
    // `r` waits for p (which fails), s (skipped after p) and q (done); `t` needs r.
    const g = new WorkGraph([
      { id: 'p', dependsOn: [] },
      { id: 's', dependsOn: ['p'] },
      { id: 'q', dependsOn: [] },
      { id: 'r', dependsOn: [], after: ['p', 's', 'q'] },
      { id: 't', dependsOn: ['r'] },
    ]);
    expect(g.topologicalOrder()).toEqual(['p', 'q', 's', 'r', 't']);
    const seen: Record<string, string | undefined> = {};
    const outcomes = await runGraph(
      g,
      async (id, so) => {
        if (id === 'p') {
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('boom');
        }
        if (id === 'r') for (const other of ['p', 's', 'q']) seen[other] = so.get(other)?.state;
      },
      { concurrency: 4 },
    );
    expect(seen).toEqual({ p: 'failed', s: 'skipped', q: 'done' });
    expect(outcomes.get('r')?.state).toBe('done');
    expect(outcomes.get('t')?.state).toBe('done');
  });

  it('runs a node that waits for nothing in the graph at once, and counts what it waits for in cycles', async () => {
    const g = new WorkGraph([{ id: 'r', dependsOn: [], after: ['elsewhere'] }]);
    expect((await runGraph(g, () => Promise.resolve(), { concurrency: 1 })).get('r')?.state).toBe('done');
    expect(() => new WorkGraph([{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: [], after: ['a'] }])).toThrow(
      'dependency cycle: a → b → a',
    );
  });
});

import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadManifestSet } from '../../src/input/load.js';
import { DependencyCycleError } from '../../src/reconciler/graph.js';
import { unitsOf } from '../../src/reconciler/reconcile.js';
import { checkUnitGraph, graphOfUnits, selectUnits, unitsOrderedAfter } from '../../src/reconciler/select.js';
import { kindRegistry } from '../../src/resources/registry.js';
import type { ResourceUnit } from '../../src/resources/types.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function exampleUnits() {
  const set = loadManifestSet({
    paths: ['manifests-example', 'manifests-example-deployer'],
    configPath: 'manifests-example-deployer/dss-gitops.yaml',
    vars: [],
    varFiles: [],
    env: { WAREHOUSE_PASSWORD: 'pw', DSS_URL: 'http://127.0.0.1:1', DSS_API_KEY: 'k' },
    cwd: ROOT,
  });
  return unitsOf(set.documents, kindRegistry());
}

describe('selectUnits', () => {
  it('selects a target and what it depends on, not what it is only ordered after', () => {
    const units = exampleUnits();
    const selected = selectUnits(units, ['Deployment/churn-prod']).units.map((u) => u.address).sort();
    const byAddress = new Map(units.map((u) => [u.address, u]));
    const target = byAddress.get('Deployment/churn-prod');
    expect(target).toBeDefined();
    // The closure of dependsOn alone.
    const expected = new Set<string>();
    const stack = ['Deployment/churn-prod'];
    while (stack.length > 0) {
      const address = stack.pop() as string;
      if (expected.has(address) || !byAddress.has(address)) continue;
      expected.add(address);
      const unit = byAddress.get(address);
      stack.push(...(unit?.dependsOn ?? []));
      if (address.includes('#')) stack.push(address.slice(0, address.indexOf('#')));
    }
    expect(selected).toEqual([...expected].sort());
    // A deployment's bundle, infra and published project may be external: they only order, they are not pulled in.
    expect(selected).toEqual(['Deployment/churn-prod']);
    expect(target?.orderAfter?.length).toBeGreaterThan(0);
    expect(selected.some((a) => a.includes('#'))).toBe(false);
    expect(selected.some((a) => a.startsWith('Scenario/'))).toBe(false);
    expect(selected.some((a) => a.startsWith('ProjectFolder/'))).toBe(false);
  });

  it('a bundle brings its project, not every block and scenario it is ordered after', () => {
    const units = exampleUnits();
    const bundle = units.find((u) => u.kind === 'Bundle' && u.doc.metadata.project === 'CHURN');
    expect(bundle).toBeDefined();
    const selected = selectUnits(units, [bundle?.address ?? '']).units.map((u) => u.address).sort();
    // The bundle's own units (its publication is a `#` unit of the same address) and its project, nothing else.
    expect(selected).toContain('Project/CHURN');
    expect(selected.filter((a) => a !== 'Project/CHURN' && !a.startsWith(bundle?.address ?? '?'))).toEqual([]);
  });

  it('a block brings its project; order edges still order what is selected', () => {
    const units = exampleUnits();
    const selected = selectUnits(units, ['Project/CHURN#variables']).units.map((u) => u.address).sort();
    expect(selected).toContain('Project/CHURN');
    expect(selected).toContain('Project/CHURN#variables');
    expect(selected).not.toContain('Project/CHURN#permissions');
    const graph = graphOfUnits(selectUnits(units, ['Project/CHURN']).units);
    expect(graph.closure(['Project/CHURN#variables']).has('Project/CHURN')).toBe(true);
  });
});

/** What graphOfUnits throws for `units` (undefined when it builds), as the code and the message. */
function graphError(build: () => unknown): { code?: string | undefined; message: string; cycle?: string[] } | undefined {
  try {
    build();
    return undefined;
  } catch (error) {
    const e = error as Error & { code?: string };
    return { code: e.code, message: e.message, ...(error instanceof DependencyCycleError ? { cycle: error.cycle } : {}) };
  }
}

describe('checkUnitGraph', () => {
  const names = ['A/x', 'A/y', 'A/y#b', 'B/x', 'B/z', 'C/x'];
  const unit = fc.record({
    address: fc.constantFrom(...names),
    dependsOn: fc.array(fc.constantFrom(...names, 'D/outside'), { maxLength: 3 }),
    orderAfter: fc.array(fc.constantFrom(...names), { maxLength: 2 }),
    orderAfterPrefixes: fc.array(fc.constantFrom('A/', 'B/', 'C/x', 'E/'), { maxLength: 1 }),
  });

  it('passes the example, and refuses a cycle through order edges as the work graph does, naming the same cycle', () => {
    const units = exampleUnits();
    expect(() => checkUnitGraph(units)).not.toThrow();
    // The project written after its own scenario, which needs the project: a cycle of order edges and dependsOn.
    const scenario = units.find((u) => u.kind === 'Scenario' && u.doc.metadata.project === 'CHURN') as ResourceUnit;
    const cyclic = units.map((u) => (u.address === 'Project/CHURN' ? { ...u, orderAfter: [...(u.orderAfter ?? []), scenario.address] } : u));
    const expected = graphError(() => graphOfUnits(cyclic));
    expect(expected?.cycle).toEqual(['Project/CHURN', scenario.address, 'Project/CHURN']);
    expect(graphError(() => checkUnitGraph(cyclic))).toEqual(expected);
    expect(graphError(() => selectUnits(cyclic, []))).toEqual(expected);
  });

  it('refuses an address twice as the work graph does', () => {
    const units = exampleUnits();
    const twice = [...units, units[0] as ResourceUnit];
    expect(graphError(() => checkUnitGraph(twice))).toEqual(graphError(() => graphOfUnits(twice)));
    expect(graphError(() => checkUnitGraph(twice))?.code).toBe('DUPLICATE_NODE');
  });

  it('unitsOrderedAfter names the units the work graph gives dependents, on any acyclic graph', () => {
    fc.assert(
      fc.property(fc.uniqueArray(unit, { selector: (u) => u.address, maxLength: names.length }), fc.subarray(names), (drawn, asked) => {
        const units = drawn as unknown as ResourceUnit[];
        let graph;
        try {
          graph = graphOfUnits(units);
        } catch {
          return;
        }
        // Addresses of the units, as execute asks (the holders of records).
        const holders = units.map((u) => u.address).filter((a) => asked.includes(a));
        const expected = holders.filter((a) => graph.dependentsOf(a).length > 0);
        expect([...unitsOrderedAfter(units, new Set(holders))].sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the work graph on any graph of dependsOn, orderAfter and prefix edges', () => {
    fc.assert(
      fc.property(fc.uniqueArray(unit, { selector: (u) => u.address, maxLength: names.length }), (drawn) => {
        const units = drawn as unknown as ResourceUnit[];
        expect(graphError(() => checkUnitGraph(units))).toEqual(graphError(() => graphOfUnits(units)));
      }),
      { numRuns: 300 },
    );
  });
});

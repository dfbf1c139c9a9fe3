import { describe, expect, it } from 'vitest';
import { buildPlanReport, resourceAction, summarize, worstAction } from '../../src/diff/impact.js';
import type { FieldChange, ResourceChange } from '../../src/diff/types.js';

const change: FieldChange = { pointer: '/a', path: 'a', kind: 'modify', before: 1, after: 2, sensitive: false };

function resource(address: string, action: ResourceChange['action']): ResourceChange {
  return { address, kind: address.split('/')[0] ?? '', node: 'design', action, changes: [] };
}

describe('impact', () => {
  it('derives a resource action from its changes and existence', () => {
    expect(resourceAction([], false)).toBe('create');
    expect(resourceAction([change], true)).toBe('update');
    expect(resourceAction([], true)).toBe('no-op');
    expect(resourceAction([], true, false)).toBe('delete');
    expect(resourceAction([], false, false)).toBe('no-op');
  });

  it('folds to the worst impact', () => {
    expect(worstAction([])).toBe('no-op');
    expect(worstAction(['no-op', 'update'])).toBe('update');
    expect(worstAction(['update', 'create', 'no-op'])).toBe('create');
    expect(worstAction(['create', 'delete', 'update'])).toBe('delete');
  });

  it('summarizes and builds a sorted report without no-ops', () => {
    const all = [resource('Scenario/P/s', 'update'), resource('Project/P', 'create'), resource('Project/Q', 'no-op'), resource('Project/Z', 'delete')];
    expect(summarize(all)).toEqual({ add: 1, change: 1, destroy: 1 });
    const report = buildPlanReport(all, ['w'], 'abc123');
    expect(report.resourceChanges.map((r) => r.address)).toEqual(['Project/P', 'Project/Z', 'Scenario/P/s']);
    expect(report).toMatchObject({ formatVersion: '1.0', summary: { add: 1, change: 1, destroy: 1 }, warnings: ['w'], commit: 'abc123' });
  });
});

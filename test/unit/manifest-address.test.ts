// Addresses and the nearest-name hint.

import { describe, expect, it } from 'vitest';
import { addressOf, declareKindScopes, documentAddress, parseAddress } from '../../src/manifest/address.js';
// The registry declares which kinds are project-scoped when it is loaded.
import '../../src/resources/registry.js';
import { didYouMean, editDistance, nearestName } from '../../src/base/did-you-mean.js';
import { describePointer, joinPointer, parsePointer } from '../../src/base/json-pointer.js';

describe('addresses', () => {
  it('are Kind/name, or Kind/project/name for project-scoped kinds', () => {
    expect(addressOf('Project', 'CHURN')).toBe('Project/CHURN');
    expect(addressOf('Scenario', 'DAILY', 'CHURN')).toBe('Scenario/CHURN/DAILY');
    expect(documentAddress({ kind: 'Bundle', metadata: { name: 'v1', project: 'CHURN' } })).toBe('Bundle/CHURN/v1');
    expect(addressOf('ProjectFolder', 'Analytics/Churn')).toBe('ProjectFolder/Analytics/Churn');
  });

  it('parse back, with folder paths and blocks', () => {
    expect(parseAddress('Scenario/CHURN/DAILY')).toEqual({ kind: 'Scenario', project: 'CHURN', name: 'DAILY' });
    expect(parseAddress('ProjectFolder/Analytics/Churn')).toEqual({ kind: 'ProjectFolder', name: 'Analytics/Churn' });
    expect(parseAddress('Project/CHURN#variables')).toEqual({ kind: 'Project', name: 'CHURN', block: 'variables' });
    expect(parseAddress('Scenario/CHURN')).toBeUndefined();
    expect(parseAddress('Project')).toBeUndefined();
  });
});

describe('kind scopes', () => {
  it('come from the kinds: a kind declared project-scoped is addressed inside a project, another is not', () => {
    declareKindScopes([{ kind: 'Widget', projectScoped: true }, { kind: 'Gadget' }]);
    expect(addressOf('Widget', 'w1', 'CHURN')).toBe('Widget/CHURN/w1');
    expect(parseAddress('Widget/CHURN/w1')).toEqual({ kind: 'Widget', project: 'CHURN', name: 'w1' });
    expect(parseAddress('Gadget/a/b')).toEqual({ kind: 'Gadget', name: 'a/b' });
    expect(parseAddress('Unknown/a/b')).toEqual({ kind: 'Unknown', name: 'a/b' });
  });

  it('of a kind not declared are what its own module says: the project it passes, the scope it parses with', () => {
    expect(addressOf('Sprocket', 's1', 'CHURN')).toBe('Sprocket/CHURN/s1');
    expect(addressOf('Sprocket', 's1')).toBe('Sprocket/s1');
    expect(parseAddress('Sprocket/CHURN/s1', true)).toEqual({ kind: 'Sprocket', project: 'CHURN', name: 's1' });
  });

  it('cannot change once declared: addresses already made would no longer parse back', () => {
    declareKindScopes([{ kind: 'Widget', projectScoped: true }]);
    expect(() => declareKindScopes([{ kind: 'Widget' }])).toThrow('kind Widget is declared not project-scoped, but was declared project-scoped before');
    expect(() => declareKindScopes([{ kind: 'Scenario', projectScoped: false }])).toThrow(/kind Scenario/);
  });
});

describe('did you mean', () => {
  it('measures edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the nearest name only when it reads as a typo', () => {
    expect(nearestName('descripton', ['description', 'shortDesc', 'owner'])).toBe('description');
    expect(nearestName('publishedProjectkey', ['publishedProjectKey'])).toBe('publishedProjectKey');
    expect(nearestName('zzz', ['description', 'owner'])).toBeUndefined();
    expect(didYouMean('Projet', ['Project', 'Infra'])).toBe('did you mean `Project`?');
  });
});

describe('JSON pointers', () => {
  it('escape, parse and read as paths', () => {
    expect(joinPointer('/metadata/annotations', 'dss-gitops/prune')).toBe('/metadata/annotations/dss-gitops~1prune');
    expect(parsePointer('/a~1b/c~0d/0')).toEqual(['a/b', 'c~d', '0']);
    expect(describePointer('/spec/triggers/0/id')).toBe('spec.triggers[0].id');
  });
});

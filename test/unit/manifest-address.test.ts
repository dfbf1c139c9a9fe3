// Addresses and the nearest-name hint.

import { describe, expect, it } from 'vitest';
import { addressOf, documentAddress, parseAddress } from '../../src/manifest/address.js';
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

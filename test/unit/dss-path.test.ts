import { describe, expect, it } from 'vitest';
import { dssPath } from '../../src/base/dss-path.js';

describe('dssPath', () => {
  it('encodes each interpolated value as one path segment', () => {
    expect(dssPath`/projects/${'CHURN'}/scenarios/${'daily run/v2?x'}`).toBe('/projects/CHURN/scenarios/daily%20run%2Fv2%3Fx');
    expect(dssPath`/futures/${42}`).toBe('/futures/42');
    expect(dssPath`/projects/`).toBe('/projects/');
  });
});

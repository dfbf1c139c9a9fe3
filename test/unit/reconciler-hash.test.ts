import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/reconciler/hash.js';
import type { ResourceUnit } from '../../src/resources/types.js';
import { doc } from './reconciler-fakes.js';

function unit(standard: Record<string, unknown>, sensitivePaths: string[] = ['/spec/variables/standard/WAREHOUSE_PASSWORD']): ResourceUnit {
  return {
    address: 'Project/CHURN#variables',
    kind: 'Project',
    block: 'variables',
    doc: doc('Project', 'CHURN', { variables: { standard } }, {}, sensitivePaths),
    desired: { standard },
    policy: { exact: ['/standard'], secretNamedKeys: ['/standard/*'] },
    dependsOn: [],
  };
}

describe('spec hashes', () => {
  it('change when a secret changes, so that a rotated secret is a manifest change, not drift', () => {
    expect(specHash(unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'eu' }))).not.toBe(specHash(unit({ WAREHOUSE_PASSWORD: 'new-pass', region: 'eu' })));
    // Under a secret-looking name too, without a ${secret:..} reference.
    expect(specHash(unit({ apiToken: 'a1' }, []))).not.toBe(specHash(unit({ apiToken: 'a2' }, [])));
  });

  it('are stable, and hold no secret in the clear nor its plain hash', () => {
    const a = unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'eu' });
    expect(specHash(a)).toBe(specHash(unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'eu' })));
    expect(specHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash(a)).not.toBe(specHash(unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'us' })));
  });

  it('are salted per record: the same secret in two units hashes differently', () => {
    const a = unit({ WAREHOUSE_PASSWORD: 'same' });
    const b = { ...unit({ WAREHOUSE_PASSWORD: 'same' }), address: 'Project/OTHER#variables' };
    const c = { ...unit({ WAREHOUSE_PASSWORD: 'other' }), address: 'Project/OTHER#variables' };
    expect(specHash(b)).not.toBe(specHash(c));
    expect(specHash(a)).not.toBe(specHash(b));
  });
});

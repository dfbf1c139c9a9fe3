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
  it('are the same for two different secret values, so that nothing about a value can be derived from them', () => {
    expect(specHash(unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'eu' }))).toBe(specHash(unit({ WAREHOUSE_PASSWORD: 'new-pass', region: 'eu' })));
    // Under a secret-looking name too, without a ${secret:..} reference.
    expect(specHash(unit({ apiToken: 'a1' }, []))).toBe(specHash(unit({ apiToken: 'a2' }, [])));
    // Nested below a secret-named pattern as well.
    expect(specHash(unit({ db: { password: 'p1' } }, []))).toBe(specHash(unit({ db: { password: 'p2' } }, [])));
  });

  it('are stable, and hold no secret in the clear nor its plain hash', () => {
    const a = unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'eu' });
    expect(specHash(a)).toBe(specHash(unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'eu' })));
    expect(specHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash(a)).not.toBe(specHash(unit({ WAREHOUSE_PASSWORD: 'old-pass', region: 'us' })));
  });

  it('do not let a guess of the secret be checked: no guess gives another hash', () => {
    const recorded = specHash(unit({ WAREHOUSE_PASSWORD: 'Hunter2-REAL' }));
    for (const guess of ['hunter2', 'Hunter2-REAL', 'password', '']) expect(specHash(unit({ WAREHOUSE_PASSWORD: guess }))).toBe(recorded);
  });

  it('keep the values recorded on DSS by earlier versions: the same units give the same hashes', () => {
    const scenario = (desired: Record<string, unknown>, sensitivePaths: string[], policy: ResourceUnit['policy']): ResourceUnit => ({
      address: 'Scenario/P/S',
      kind: 'Scenario',
      doc: doc('Scenario', 'S', desired, {}, sensitivePaths),
      desired,
      policy,
      dependsOn: [],
    });
    const variables = { standard: { WAREHOUSE_PASSWORD: 'x', region: 'eu', nested: { apiToken: 't', list: [1, null, { password: 'p' }] } } };
    expect(specHash(scenario(variables, ['/spec/variables/standard/WAREHOUSE_PASSWORD'], { secretNamedKeys: ['/standard/*'] }))).toBe(
      '1a4db8004ec85ffa2b08b68fe3ac1de5ebac5b073552d539442336dbd71b95fe',
    );
    const settings = { name: 'S', active: true, params: { steps: [{ id: 'b', type: 't', params: { authToken: 'a' } }] }, triggers: [] };
    expect(specHash(scenario(settings, [], { secretNamedKeys: ['/params', '/triggers'] }))).toBe(
      '911bdfb9b1928fce285dd02117ecf5de16f471b92e60a787ce098449a10742c7',
    );
  });
});

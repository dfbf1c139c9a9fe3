import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { hashSecret, maskSensitive, secretMatchesHash } from '../../src/diff/sensitive.js';
import { SENSITIVE_MASK, type DiffPolicy } from '../../src/diff/types.js';

describe('sensitive values', () => {
  const policy: DiffPolicy = { sensitive: ['/variables/local/apiToken'] };

  it('masks the before and after of a change under a sensitive pointer and flags it', () => {
    const changes = diffManaged(
      { variables: { local: { apiToken: 'new-secret' } } },
      { variables: { local: { apiToken: 'old-secret' } } },
      policy,
    );
    expect(changes).toEqual([
      {
        pointer: '/variables/local/apiToken',
        path: 'variables.local.apiToken',
        kind: 'modify',
        before: SENSITIVE_MASK,
        after: SENSITIVE_MASK,
        sensitive: true,
      },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/secret/);
  });

  it('takes extra sensitive pointers from the options, with wildcards', () => {
    const changes = diffManaged({ conns: { a: { password: 'p1' } } }, {}, {}, { sensitivePointers: ['/conns/*/password'] });
    expect(changes[0]).toMatchObject({ kind: 'add', sensitive: true, after: SENSITIVE_MASK });
    expect(changes[0]).not.toHaveProperty('before');
  });

  it('masks secrets nested inside a value that changes whole (removal under exact, added list item)', () => {
    const exact: DiffPolicy = { ...policy, exact: ['/variables'] };
    const removed = diffManaged({ variables: {} }, { variables: { local: { apiToken: 's3cr3t', x: 1 } } }, exact);
    expect(removed).toEqual([
      expect.objectContaining({ path: 'variables.local', before: { apiToken: SENSITIVE_MASK, x: 1 }, sensitive: false }),
    ]);
    const list: DiffPolicy = { keyedLists: { '/steps': ['id'] }, sensitive: ['/steps/*/token'] };
    const added = diffManaged({ steps: [{ id: 's', token: 's3cr3t' }] }, { steps: [] }, list);
    expect(added[0]?.after).toEqual({ id: 's', token: SENSITIVE_MASK });
    expect(JSON.stringify([removed, added])).not.toContain('s3cr3t');
  });

  it('maskSensitive returns a masked copy and leaves its argument alone', () => {
    const doc = { spec: { variables: { standard: { pw: 'x', n: 1 } }, list: [{ token: 't' }, { token: 'u' }] } };
    const masked = maskSensitive(doc, ['/spec/variables/standard/pw', '/spec/list/*/token']);
    expect(masked).toEqual({
      spec: { variables: { standard: { pw: SENSITIVE_MASK, n: 1 } }, list: [{ token: SENSITIVE_MASK }, { token: SENSITIVE_MASK }] },
    });
    expect(doc.spec.variables.standard.pw).toBe('x');
  });

  it('hashSecret is salted, stable, never the value, and checkable', () => {
    const h = hashSecret('hunter2', 'salt-a');
    expect(h).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(h).not.toContain('hunter2');
    expect(hashSecret('hunter2', 'salt-a')).toBe(h);
    expect(hashSecret('hunter2', 'salt-b')).not.toBe(h);
    expect(hashSecret('hunter3', 'salt-a')).not.toBe(h);
    expect(hashSecret({ b: 1, a: 2 }, 's')).toBe(hashSecret({ a: 2, b: 1 }, 's'));
    expect(secretMatchesHash('hunter2', 'salt-a', h)).toBe(true);
    expect(secretMatchesHash('hunter3', 'salt-a', h)).toBe(false);
  });
});

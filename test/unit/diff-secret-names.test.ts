import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { renderPlanMarkdown } from '../../src/diff/render-markdown.js';
import { planJson } from '../../src/diff/render-json.js';
import { formatPlanText } from '../../src/diff/render-text.js';
import { buildPlanReport } from '../../src/diff/impact.js';
import { SENSITIVE_MASK, type DiffPolicy, type ResourceChange } from '../../src/diff/types.js';

const policy: DiffPolicy = { exact: ['/standard', '/local'], secretNamedKeys: ['/standard/*', '/local/*'] };

describe('secret-named keys', () => {
  it('masks a secret removed by an exact block, flagged sensitive', () => {
    const changes = diffManaged({ standard: { region: 'eu' } }, { standard: { region: 'eu', snowflakePassword: 'Hunter2-REAL' } }, policy);
    expect(changes).toEqual([
      { pointer: '/standard/snowflakePassword', path: 'standard.snowflakePassword', kind: 'remove', before: SENSITIVE_MASK, sensitive: true },
    ]);
  });

  it('masks both sides of a modification and an addition', () => {
    const changes = diffManaged(
      { standard: { API_KEY: 'new-key', region: 'us' }, local: { oauthToken: 't0k3n' } },
      { standard: { API_KEY: 'old-key', region: 'eu' } },
      policy,
    );
    expect(JSON.stringify(changes)).not.toMatch(/new-key|old-key|t0k3n/);
    expect(changes.find((c) => c.path === 'standard.API_KEY')).toMatchObject({ before: SENSITIVE_MASK, after: SENSITIVE_MASK, sensitive: true });
    expect(changes.find((c) => c.path === 'standard.region')).toMatchObject({ before: 'eu', after: 'us', sensitive: false });
  });

  it('masks secret-named keys nested in a value that changes whole', () => {
    const changes = diffManaged({}, { standard: { dbPassword: 'pw1', user: 'u' } }, { ...policy, exact: ['/standard', '/local', ''] });
    expect(JSON.stringify(changes)).not.toContain('pw1');
    expect(changes[0]?.before).toEqual({ dbPassword: SENSITIVE_MASK, user: 'u' });
  });

  it('tests names only under the declared pointers', () => {
    const changes = diffManaged({ other: { password: 'visible' } }, { other: { password: 'old' } }, policy);
    expect(changes[0]).toMatchObject({ before: 'old', after: 'visible', sensitive: false });
  });

  it('keeps the secret out of every renderer', () => {
    const changes = diffManaged({ standard: {} }, { standard: { snowflakePassword: 'Hunter2-REAL' } }, policy);
    const rc: ResourceChange = { address: 'Project/P#variables', kind: 'Project', node: 'design', action: 'update', changes };
    const report = buildPlanReport([rc], []);
    expect(formatPlanText(report)).not.toContain('Hunter2');
    expect(renderPlanMarkdown(report)).not.toContain('Hunter2');
    expect(JSON.stringify(planJson(report))).not.toContain('Hunter2');
  });
});

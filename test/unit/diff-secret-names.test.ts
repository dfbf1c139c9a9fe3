import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { renderPlanMarkdown } from '../../src/diff/render-markdown.js';
import { planJson } from '../../src/diff/render-json.js';
import { formatPlanText } from '../../src/diff/render-text.js';
import { buildPlanReport } from '../../src/diff/impact.js';
import { SENSITIVE_MASK, type DiffPolicy, type ResourceChange } from '../../src/diff/types.js';
import { looksSecret } from '../../src/base/secret-names.js';
import { SecretMatcher } from '../../src/diff/sensitive.js';

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

describe('secret-named keys at any depth', () => {
  it('are covered below the pattern, not beside it', () => {
    const m = new SecretMatcher([], ['/standard/*']);
    expect(m.covers(['standard', 'db', 'password'])).toBe(true);
    expect(m.covers(['standard', 'db', 'conn', 'authToken', 'x'])).toBe(true);
    expect(m.covers(['standard', 'db', 'host'])).toBe(false);
    expect(m.covers(['other', 'db', 'password'])).toBe(false);
    // A whole subtree opts in by its own pointer.
    const scenario = new SecretMatcher([], ['/reporters']);
    expect(scenario.covers(['reporters', '0', 'messaging', 'configuration', 'authToken'])).toBe(true);
    expect(scenario.covers(['reporters', '0', 'messaging', 'configuration', 'channel'])).toBe(false);
  });

  it('masks secret-named leaves inside an object removed or added whole, and nothing else', () => {
    const keyed: DiffPolicy = { keyedLists: { '/reporters': ['id'] }, exact: ['/reporters'], secretNamedKeys: ['/reporters'] };
    const slack = { id: 'slack', messaging: { configuration: { authToken: 'xoxb-SUPERSECRET-123', channel: '#ops' } } };
    const removed = diffManaged({ reporters: [] }, { reporters: [slack] }, keyed);
    expect(JSON.stringify(removed)).not.toContain('SUPERSECRET');
    expect(removed[0]?.before).toEqual({ id: 'slack', messaging: { configuration: { authToken: SENSITIVE_MASK, channel: '#ops' } } });
    const added = diffManaged({ reporters: [slack] }, { reporters: [] }, keyed);
    expect(JSON.stringify(added)).not.toContain('SUPERSECRET');
    expect(added[0]?.after).toMatchObject({ messaging: { configuration: { authToken: SENSITIVE_MASK, channel: '#ops' } } });
    const rc: ResourceChange = { address: 'Scenario/P/S', kind: 'Scenario', node: 'design', action: 'update', changes: removed };
    const report = buildPlanReport([rc], []);
    for (const out of [formatPlanText(report), renderPlanMarkdown(report), JSON.stringify(planJson(report))]) {
      expect(out).not.toContain('SUPERSECRET');
      expect(out).toContain('#ops');
    }
  });
});

describe('looksSecret', () => {
  it('takes for secrets the names that only looked like identifiers', () => {
    for (const name of ['gcsKeyJson', 'encryptionKeyValue', 'keyJson', 'keyPassphrase', 'KEY_B64', 'signingKeyPem', 'keyMaterial', 'sshKeyFile', 'key', 'apiKey', 'API_KEY', 'privateKey']) {
      expect(looksSecret(name), name).toBe(true);
    }
  });

  it('keeps the DSS identifiers of the allowlist, whatever their spelling', () => {
    for (const name of ['projectKey', 'partitionKey', 'partition_key', 'keyColumns', 'keys', 'primaryKey', 'foreignKey', 'sortKey', 'publishedProjectKey', 'deployedProjectKey']) {
      expect(looksSecret(name), name).toBe(false);
    }
  });

  it('reads token as a word: the token itself, not a count or a tokenizer', () => {
    for (const name of ['token', 'authToken', 'apiToken', 'accessToken', 'SLACK_TOKEN', 'oauth-token', 'tokenValue']) expect(looksSecret(name), name).toBe(true);
    for (const name of ['maxTokenCount', 'tokenizer', 'tokenizerName', 'maxTokens', 'tokenUrl']) expect(looksSecret(name), name).toBe(false);
  });

  it('lets non-secret changes under such names show', () => {
    const policy: DiffPolicy = { secretNamedKeys: ['/params'] };
    const changes = diffManaged({ params: { partitionKey: '2026-02', maxTokenCount: 20 } }, { params: { partitionKey: '2026-01', maxTokenCount: 10 } }, policy);
    expect(changes.map((c) => [c.path, c.before, c.after, c.sensitive])).toEqual([
      ['params.maxTokenCount', 10, 20, false],
      ['params.partitionKey', '2026-01', '2026-02', false],
    ]);
  });
});

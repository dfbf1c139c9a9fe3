// The scrub of exported specs: texts under secret-looking names and URLs carrying credentials become
// `${secret:NAME}` references with deterministic, unique names, anywhere in a scenario (params, steps, triggers,
// reporters) and in a project's metadata `custom`; and names stay unique across documents.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExportedDocument } from '../../src/export/types.js';
import { uniqueSecretNames } from '../../src/export/unique-secrets.js';
import { isIdentifierName as identifierKey } from '../../src/base/secret-names.js';
import { credentialUrl, referenceSecrets } from '../../src/resources/export-common.js';
import { projectSpecFromViews } from '../../src/resources/project/export.js';
import { scenarioSpecFromView, scrubScenarioSpec } from '../../src/resources/scenario/export.js';
import type { ExportedSecret } from '../../src/resources/types.js';

const HOOK = 'https://hooks.example.com/notify?channel=ops&token=tok-abc-123';
const SLACK = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

describe('credentialUrl', () => {
  it('finds userinfo, secret-named query parameters and well-known webhook paths, in whole or longer texts', () => {
    for (const text of [
      'https://user:pa55@example.com/x',
      'ftp://admin@files.example.com/',
      HOOK,
      'https://api.example.com/v1?api_key=abc',
      'https://acct.blob.core.windows.net/c/f?sv=2021&sig=abc%3D',
      'https://fn.azurewebsites.net/api/run?code=xyz',
      'https://s3.amazonaws.com/b/k?X-Amz-Signature=abc',
      SLACK,
      'https://discord.com/api/webhooks/1/abc',
      'https://contoso.webhook.office.com/webhookb2/abc',
      'jdbc:postgresql://etl:s3cret@db.example.com:5432/dwh',
      `Post to ${SLACK}, then stop.`,
    ]) {
      expect(credentialUrl(text), text).toBe(true);
    }
  });

  it('leaves plain URLs and texts alone', () => {
    for (const text of [
      'https://example.com/docs?page=2&keyboard=fr',
      'https://hooks.slack.com/',
      'https://discord.com/channels/1',
      'team@example.com',
      'SELECT 1',
      'not a url: //x',
      '',
    ]) {
      expect(credentialUrl(text), text).toBe(false);
    }
  });
});

describe('referenceSecrets', () => {
  it('replaces texts under secret names and credential URLs, in nested objects and lists, names in key order', () => {
    const found = { taken: new Set<string>(), found: [] as ExportedSecret[] };
    const value = { url: HOOK, nested: { smtpPassword: 'pw', port: 25 }, list: [{ id: 'a', apiKey: 'k1' }, { apiKey: 'k2' }], useToken: true };
    const out = referenceSecrets(value, { name: ['P'], where: 'X spec' }, found, { urls: true });
    expect(out).toEqual({
      url: '${secret:P_URL}',
      nested: { smtpPassword: '${secret:P_NESTED_SMTP_PASSWORD}', port: 25 },
      list: [{ id: 'a', apiKey: '${secret:P_LIST_A_API_KEY}' }, { apiKey: '${secret:P_LIST_2_API_KEY}' }],
      useToken: true,
    });
    expect(found.found.map((s) => s.where)).toEqual(['X spec.list[a].apiKey', 'X spec.list[2].apiKey', 'X spec.nested.smtpPassword', 'X spec.url']);
    expect(value.url).toBe(HOOK);
  });

  it('hides no URL unless asked, and no number or flag under a secret name', () => {
    const found = { taken: new Set<string>(), found: [] as ExportedSecret[] };
    expect(referenceSecrets({ url: HOOK, keyVersion: 2, token: '' }, { name: ['P'], where: 'w' }, found)).toEqual({ url: HOOK, keyVersion: 2, token: '' });
    expect(found.found).toEqual([]);
  });

  it('never leaves a secret value and always gives unique names (property)', () => {
    const secretValue = fc.string({ minLength: 1 }).map((s) => `SECRET-${s}`);
    const key = fc.constantFrom('password', 'apiToken', 'url', 'name', 'x', 'KEY', 'api-token');
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, secretValue, fc.dictionary(key, tie('node'), { maxKeys: 4 }), fc.array(tie('node'), { maxLength: 3 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 4 }), (value) => {
        const found = { taken: new Set<string>(), found: [] as ExportedSecret[] };
        const out = JSON.stringify(referenceSecrets(value, { name: ['P'], where: 'w' }, found, { urls: true }));
        const names = found.found.map((s) => s.name);
        expect(new Set(names).size).toBe(names.length);
        // A secret-named key's text is gone; what stays is under other names.
        for (const s of names) expect(out).toContain(`\${secret:${s}}`);
        expect(JSON.stringify(referenceSecrets(value, { name: ['P'], where: 'w' }, { taken: new Set(), found: [] }, { urls: true }))).toBe(out);
      }),
    );
  });
});

describe('scenario specs', () => {
  const live = {
    name: 'Daily',
    type: 'step_based',
    params: { steps: [{ id: 'call', type: 'python', params: { apiToken: 'tok-step', endpoint: 'https://api.example.com/run' } }] },
    triggers: [{ id: 'poll', type: 'custom_python', params: { url: 'https://bob:hunter2@example.com/feed' } }],
    reporters: [
      { id: 'hook', messaging: { type: 'webhook-scenario', configuration: { url: HOOK, method: 'POST' } }, phase: 'END' },
      { id: 'mail', messaging: { type: 'mail-scenario', configuration: { recipients: 'team@example.com', smtpPassword: 'smtp-pw' } } },
      { id: 'slack', messaging: { type: 'slack-scenario', configuration: { webhookUrl: SLACK, message: 'done' } } },
    ],
  };

  it('hides every secret of params, steps, triggers and reporters under PROJECT_SCENARIO_.. names', () => {
    const exported = scenarioSpecFromView('CHURN', 'DAILY', live);
    const text = JSON.stringify(exported.spec);
    for (const value of ['tok-step', 'hunter2', 'tok-abc-123', 'smtp-pw', 'XXXXSECRET']) expect(text).not.toContain(value);
    expect(exported.secrets).toEqual([
      { name: 'CHURN_DAILY_CALL_API_TOKEN', where: 'Scenario/CHURN/DAILY spec.params.steps[call].params.apiToken' },
      { name: 'CHURN_DAILY_HOOK_URL', where: 'Scenario/CHURN/DAILY spec.reporters[hook].messaging.configuration.url' },
      { name: 'CHURN_DAILY_MAIL_SMTP_PASSWORD', where: 'Scenario/CHURN/DAILY spec.reporters[mail].messaging.configuration.smtpPassword' },
      { name: 'CHURN_DAILY_SLACK_WEBHOOK_URL', where: 'Scenario/CHURN/DAILY spec.reporters[slack].messaging.configuration.webhookUrl' },
      { name: 'CHURN_DAILY_POLL_URL', where: 'Scenario/CHURN/DAILY spec.triggers[poll].params.url' },
    ]);
    const spec = exported.spec as { reporters: { messaging: { configuration: Record<string, unknown> } }[] };
    expect(spec.reporters[0]?.messaging.configuration).toEqual({ url: '${secret:CHURN_DAILY_HOOK_URL}', method: 'POST' });
    expect(spec.reporters[1]?.messaging.configuration.recipients).toBe('team@example.com');
    expect(scenarioSpecFromView('CHURN', 'DAILY', live)).toEqual(exported);
  });

  it('keeps list names where items have no id, and suffixes clashes', () => {
    const { spec, secrets } = scrubScenarioSpec('P', 'S', { reporters: [{ token: 'a' }, { token: 'b' }], params: { token: 'c', p: { token: 'd' } } });
    expect(secrets.map((s) => s.name)).toEqual(['P_S_P_TOKEN', 'P_S_TOKEN', 'P_S_REPORTERS_1_TOKEN', 'P_S_REPORTERS_2_TOKEN']);
    expect(spec.params).toEqual({ token: '${secret:P_S_TOKEN}', p: { token: '${secret:P_S_P_TOKEN}' } });
  });

  it('leaves a scenario without secrets as it was, with no secret list', () => {
    expect(scenarioSpecFromView('CHURN', 'CLOSE', { name: 'Close', type: 'step_based' })).toEqual({ spec: { name: 'Close', type: 'step_based' } });
  });
});

describe('project custom metadata', () => {
  it('hides custom values under secret names and credential URLs as PROJECT_CUSTOM_.. references', () => {
    const { spec, secrets } = projectSpecFromViews('CHURN', [
      { block: 'metadata', view: { custom: { team: 'ds', vaultToken: 'v-1', dashboard: 'https://u:p@bi.example.com/' } } },
      { block: 'variables', view: { standard: { customVaultToken: 'v-2' } } },
    ]);
    expect(spec.custom).toEqual({ team: 'ds', vaultToken: '${secret:CHURN_CUSTOM_VAULT_TOKEN}', dashboard: '${secret:CHURN_CUSTOM_DASHBOARD}' });
    // The variable derives the same name and takes the next one.
    expect(spec.variables).toEqual({ standard: { customVaultToken: '${secret:CHURN_CUSTOM_VAULT_TOKEN_2}' } });
    expect(secrets?.map((s) => s.where)).toEqual([
      'Project/CHURN spec.custom.dashboard',
      'Project/CHURN spec.custom.vaultToken',
      'Project/CHURN spec.variables.standard.customVaultToken',
    ]);
  });
});

describe('uniqueSecretNames', () => {
  const doc = (name: string, spec: Record<string, unknown>, secrets: ExportedSecret[]): ExportedDocument => ({
    kind: 'Scenario',
    node: 'design',
    metadata: { name, project: 'CHURN' },
    spec,
    files: {},
    secrets,
    external: [],
  });

  it('renames a name derived again by a later document, in its references and its list, avoiding taken names', () => {
    const docs = [
      doc('A', { token: '${secret:X}' }, [{ name: 'X', where: 'A' }]),
      doc('B', { list: [{ token: '${secret:X}' }], note: '$${secret:X}', other: '${secret:X_2}' }, [
        { name: 'X', where: 'B' },
        { name: 'X_2', where: 'B2' },
      ]),
    ];
    const out = uniqueSecretNames(docs);
    expect(out[0]).toBe(docs[0]);
    expect(out[1]?.spec).toEqual({ list: [{ token: '${secret:X_3}' }], note: '$${secret:X}', other: '${secret:X_2}' });
    expect(out[1]?.secrets).toEqual([
      { name: 'X_3', where: 'B' },
      { name: 'X_2', where: 'B2' },
    ]);
  });

  it('leaves documents without clashes as they are', () => {
    const docs = [doc('A', { a: '${secret:A}' }, [{ name: 'A', where: 'A' }]), doc('B', {}, [])];
    expect(uniqueSecretNames(docs)).toEqual(docs);
  });
});

describe('identifierKey', () => {
  it('tells DSS identifiers named by a key from keys that are credentials', () => {
    for (const name of ['projectKey', 'publishedProjectKey', 'deployedProjectKey', 'partition_key', 'keyColumns', 'sortKey']) {
      expect(identifierKey(name), name).toBe(true);
    }
    for (const name of ['apiKey', 'API_KEY', 'accessKey', 'privateKey', 'key', 'secretKey', 'projectToken', 'keyPassword', 'threshold']) {
      expect(identifierKey(name), name).toBe(false);
    }
  });

  it('keeps the project keys of a dataset trigger, and hides an apiKey beside them', () => {
    const { spec, secrets } = scrubScenarioSpec('CHURN', 'RETRAIN', {
      triggers: [{ id: 'landed', type: 'ds_modified', params: { datasets: [{ projectKey: 'CHURN', name: 'labels' }], apiKey: 'k' } }],
    });
    expect(spec.triggers).toEqual([{ id: 'landed', type: 'ds_modified', params: { datasets: [{ projectKey: 'CHURN', name: 'labels' }], apiKey: '${secret:CHURN_RETRAIN_LANDED_API_KEY}' } }]);
    expect(secrets.map((s) => s.name)).toEqual(['CHURN_RETRAIN_LANDED_API_KEY']);
  });
});

describe('one name rule for export and plans', () => {
  const SECRET_NAMES = ['gcsKeyJson', 'encryptionKeyValue', 'keyJson', 'keyPassphrase', 'KEY_B64', 'signingKeyPem', 'keyMaterial', 'sshKeyFile', 'authToken', 'SLACK_TOKEN'];
  const IDENTIFIERS = ['projectKey', 'partitionKey', 'keyColumns', 'primaryKey', 'foreignKey', 'sortKey', 'maxTokenCount', 'tokenizer'];

  it('writes no value under a name that holds key material, in scenario params and project metadata alike', () => {
    const params = Object.fromEntries(SECRET_NAMES.map((name, i) => [name, `clear-secret-${i}`]));
    const { spec, secrets } = scrubScenarioSpec('CHURN', 'LOAD', { params: { steps: [{ id: 'load', type: 'python', params }] } });
    expect(JSON.stringify(spec)).not.toContain('clear-secret');
    expect(secrets).toHaveLength(SECRET_NAMES.length);
    const custom = referenceSecrets({ ...params }, { name: ['CHURN', 'CUSTOM'], where: 'custom' }, { taken: new Set(), found: [] }, { urls: true });
    expect(JSON.stringify(custom)).not.toContain('clear-secret');
  });

  it('keeps the DSS identifiers and the names where token is not the token', () => {
    const params = Object.fromEntries(IDENTIFIERS.map((name) => [name, `kept-${name}`]));
    const { spec, secrets } = scrubScenarioSpec('CHURN', 'LOAD', { params: { steps: [{ id: 'load', type: 'python', params }] } });
    expect(spec).toEqual({ params: { steps: [{ id: 'load', type: 'python', params }] } });
    expect(secrets).toEqual([]);
    for (const name of SECRET_NAMES) expect(identifierKey(name), name).toBe(false);
  });
});

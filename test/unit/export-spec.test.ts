// The pure spec cleaning of `export`: defaults DSS fills in are left out, fields someone set are kept, secrets
// become references, and text the loader would interpolate is escaped so that it loads back unchanged.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';
import {
  escapeInterpolation,
  grantForExport,
  hideSecrets,
  looksSecret,
  secretName,
  withoutDefaults,
} from '../../src/resources/export-common.js';
import { deploymentSpecFromView, infraSpecFromLive, publishedProjectSpecFromView } from '../../src/resources/deployer-export.js';
import { folderSpecFromView, pathAndAncestors } from '../../src/resources/project-folder/export.js';
import { projectSpecFromViews } from '../../src/resources/project/export.js';
import { scenarioSpecFromView } from '../../src/resources/scenario/export.js';
import type { ExportedSecret } from '../../src/resources/types.js';

describe('secret names', () => {
  it('recognizes the words that usually hold a secret, in any case and spelling', () => {
    for (const name of ['password', 'dbPassword', 'DB_PASSWORD', 'apiKey', 'API_KEY', 'oauth-token', 'clientSecret', 'credentials', 'private.key', 'ldapBindPassword', 'smtp_pw']) {
      expect(looksSecret(name), name).toBe(true);
    }
    for (const name of ['keyboardLayout', 'monkey', 'tokenizerName', 'threshold', 'warehouseUser', 'passwordless_login']) {
      expect(looksSecret(name), name).toBe(false);
    }
  });

  it('derives upper-case environment variable names from the project key and the path', () => {
    expect(secretName('CHURN', 'warehousePassword')).toBe('CHURN_WAREHOUSE_PASSWORD');
    expect(secretName('my_proj', 'api.key')).toBe('MY_PROJ_API_KEY');
    expect(secretName('CHURN', 'db', 'token')).toBe('CHURN_DB_TOKEN');
    expect(secretName('1X', 'pw')).toMatch(/^[A-Z_][A-Z0-9_]*$/);
  });

  it('replaces secret values, nested ones too, keeps the names unique and lists where they were', () => {
    const found: ExportedSecret[] = [];
    const taken = new Set<string>();
    const out = hideSecrets(
      { DB_PASSWORD: 'a', dbPassword: 'b', conn: { token: 'c', host: 'h' }, emptyToken: '', keyboardLayout: 'fr', useToken: true, apiKeyVersion: 2 },
      ['P'],
      'Project/P spec.variables.standard',
      taken,
      found,
    );
    expect(out).toEqual({
      DB_PASSWORD: '${secret:P_DB_PASSWORD}',
      dbPassword: '${secret:P_DB_PASSWORD_2}',
      conn: { token: '${secret:P_CONN_TOKEN}', host: 'h' },
      emptyToken: '',
      keyboardLayout: 'fr',
      useToken: true,
      apiKeyVersion: 2,
    });
    expect(found.map((s) => s.name).sort()).toEqual(['P_CONN_TOKEN', 'P_DB_PASSWORD', 'P_DB_PASSWORD_2']);
    expect(found.find((s) => s.name === 'P_CONN_TOKEN')?.where).toBe('Project/P spec.variables.standard.conn.token');
    expect(JSON.stringify(out)).not.toMatch(/"a"|"b"|"c"/);
  });
});

describe('escaping of interpolation', () => {
  it("leaves DSS's own ${variable} syntax alone and escapes what the loader would replace", () => {
    expect(escapeInterpolation('FROM ${projectKey}_t')).toBe('FROM ${projectKey}_t');
    expect(escapeInterpolation('${env:HOME} and ${projectKey}')).toBe('$${env:HOME} and $${projectKey}');
    expect(escapeInterpolation({ a: ['$${x}'], n: 3 })).toEqual({ a: ['$$${x}'], n: 3 });
  });

  it('loads back as the same text, whatever the text', () => {
    const piece = fc.constantFrom('$', '{', '}', '${', '$${', 'env:', 'var:', 'secret:', 'X', 'a b', ':');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        const loaded = interpolate(escapeInterpolation(text), { env: {}, vars: {} });
        expect(loaded.issues).toEqual([]);
        expect(loaded.value).toBe(text);
      }),
    );
  });
});

describe('defaults and grants', () => {
  it('drops only the named fields at their default value; other empty fields are values someone set', () => {
    expect(withoutDefaults({ a: 0, b: [], c: {}, d: 1 }, { a: 0, d: 2 })).toEqual({ b: [], c: {}, d: 1 });
  });

  it('keeps the key and the true flags of a grant', () => {
    expect(grantForExport({ group: 'g', read: true, admin: false, newFlag: true })).toEqual({ group: 'g', read: true, newFlag: true });
  });
});

describe('scenario spec', () => {
  const live = {
    name: 'Daily',
    type: 'step_based',
    active: false,
    description: '',
    params: {
      steps: [
        {
          id: 'build_flowitem_0',
          type: 'build_flowitem',
          name: 'Step #1',
          runConditionType: 'RUN_IF_STATUS_MATCH',
          runConditionStatuses: ['SUCCESS', 'WARNING'],
          resetScenarioStatus: false,
          maxRetriesOnFail: 0,
          delayBetweenRetries: 10,
          alwaysShowComment: false,
          params: { builds: [], undocumented: { x: 1 } },
        },
        { id: 's2', type: 'exec_sql', name: 'Step #1', maxRetriesOnFail: 2, params: {} },
      ],
      undocumentedParam: true,
    },
    triggers: [
      { id: 't', type: 'temporal', name: 'Time-based', active: true, delay: 5, graceDelaySettings: { delay: 0, checkAgainAfterGraceDelay: false }, params: { hour: 3 } },
      { id: 'd', type: 'ds_modified', name: 'On raw', active: false, delay: 5, graceDelaySettings: { delay: 60, checkAgainAfterGraceDelay: true }, params: {}, extra: 'kept' },
    ],
    reporters: [],
  };

  it('leaves out what DSS fills in and keeps what was set, steps in order', () => {
    expect(scenarioSpecFromView('CHURN', 'DAILY', live)).toEqual({
      spec: {
        name: 'Daily',
        type: 'step_based',
        params: {
          steps: [
            { id: 'build_flowitem_0', type: 'build_flowitem', params: { builds: [], undocumented: { x: 1 } } },
            // `Step #1` is not the default name of the second step.
            { id: 's2', type: 'exec_sql', name: 'Step #1', maxRetriesOnFail: 2 },
          ],
          undocumentedParam: true,
        },
        triggers: [
          { id: 't', type: 'temporal', params: { hour: 3 } },
          // 5 is the default delay of a time-based trigger only.
          { id: 'd', type: 'ds_modified', name: 'On raw', active: false, delay: 5, graceDelaySettings: { delay: 60, checkAgainAfterGraceDelay: true }, extra: 'kept' },
        ],
      },
    });
  });

  it('keeps active and a description when set, and never modifies the live view', () => {
    const before = structuredClone(live);
    const { spec } = scenarioSpecFromView('CHURN', 'DAILY', { ...live, active: true, description: 'Nightly' });
    expect(spec.active).toBe(true);
    expect(spec.description).toBe('Nightly');
    expect(live).toEqual(before);
  });

  it('puts the code of a python scenario in a file beside the manifest, unescaped', () => {
    const exported = scenarioSpecFromView('CHURN', 'EXPORT', { name: 'Export', type: 'custom_python', params: { envSelection: { envMode: 'INHERIT' } }, script: 'print("${env:X}")\n' });
    expect(exported).toEqual({
      spec: { name: 'Export', type: 'custom_python', params: { envSelection: { envMode: 'INHERIT' } }, scriptFile: 'EXPORT.py' },
      files: { 'EXPORT.py': 'print("${env:X}")\n' },
    });
  });
});

describe('project and folder specs', () => {
  it('builds a short project spec from the views of its units, secrets as references', () => {
    const exported = projectSpecFromViews('CHURN', [
      { view: { name: 'Churn', folder: '' } },
      { block: 'metadata', view: { description: '', shortDesc: 'Scores', tags: [], custom: {} } },
      { block: 'variables', view: { standard: { pw: 'x', t: '${env:A}' }, local: {} } },
      { block: 'permissions', view: { owner: 'alice', permissions: [{ group: 'g', admin: false, read: false }, { user: 'u', readProjectContent: true }] } },
    ]);
    expect(exported).toEqual({
      spec: {
        name: 'Churn',
        shortDesc: 'Scores',
        variables: { standard: { pw: '${secret:CHURN_PW}', t: '$${env:A}' } },
        owner: 'alice',
        permissions: [{ group: 'g' }, { user: 'u', readProjectContent: true }],
      },
      secrets: [{ name: 'CHURN_PW', where: 'Project/CHURN spec.variables.standard.pw' }],
    });
  });

  it('exports a folder owner and its true grants; a folder path brings its ancestors', () => {
    expect(folderSpecFromView({ owner: 'lead', permissions: [{ group: 'a', read: true, admin: false }] })).toEqual({
      spec: { owner: 'lead', permissions: [{ group: 'a', read: true }] },
    });
    expect(folderSpecFromView({ owner: 'lead', permissions: [] })).toEqual({ spec: { owner: 'lead' } });
    expect(pathAndAncestors('A/B/C')).toEqual(['A', 'A/B', 'A/B/C']);
  });
});

describe('deployer specs', () => {
  it('leaves out the defaults of a deployment and lists the bundle it runs as external', () => {
    const view = {
      publishedProjectKey: 'CHURN',
      infraId: 'prod',
      bundleId: 'v3',
      deployedProjectKey: 'CHURN',
      projectFolderId: '',
      disableAutomaticTriggers: false,
      localVariables: { env: 'prod', dbPassword: 'x' },
      scenariosToActivate: {},
      bundleContainerSettings: {},
      tags: ['b', 'a'],
    };
    expect(deploymentSpecFromView('churn-prod', view)).toEqual({
      spec: {
        publishedProjectKey: 'CHURN',
        infraId: 'prod',
        bundleId: 'v3',
        localVariables: { env: 'prod', dbPassword: '${secret:DEPLOYMENT_CHURN_PROD_DB_PASSWORD}' },
        tags: ['a', 'b'],
      },
      secrets: [{ name: 'DEPLOYMENT_CHURN_PROD_DB_PASSWORD', where: 'Deployment/churn-prod spec.localVariables.dbPassword' }],
      external: ['Bundle/CHURN/v3'],
    });
    const renamed = deploymentSpecFromView('d', { ...view, deployedProjectKey: 'CHURN_PROD', disableAutomaticTriggers: true });
    expect(renamed.spec).toMatchObject({ deployedProjectKey: 'CHURN_PROD', disableAutomaticTriggers: true });
  });

  it('writes an infra key as a reference whether DSS shows it, masks it or only holds its hash', () => {
    const view = { stage: 'Production', automationNodeUrl: 'https://auto', trustAllSSLCertificates: false, permissions: [] };
    for (const settings of [{ adminApiKey: 'clear' }, { adminApiKey: '*****' }, { dssGitops: { adminApiKeyHash: 's$h' } }]) {
      expect(infraSpecFromLive('prod', view, settings)).toEqual({
        spec: { stage: 'Production', automationNodeUrl: 'https://auto', adminApiKey: '${secret:INFRA_PROD_ADMIN_API_KEY}' },
        secrets: [{ name: 'INFRA_PROD_ADMIN_API_KEY', where: 'Infra/prod spec.adminApiKey' }],
      });
    }
    expect(infraSpecFromLive('dev', { ...view, trustAllSSLCertificates: true }, {})).toEqual({
      spec: { stage: 'Production', automationNodeUrl: 'https://auto', trustAllSSLCertificates: true },
    });
  });

  it('exports the name, owner and true grants of a published project', () => {
    expect(publishedProjectSpecFromView({ name: 'Churn', owner: 'admin', permissions: [{ group: 'ops', read: true, write: false }] })).toEqual({
      spec: { name: 'Churn', owner: 'admin', permissions: [{ group: 'ops', read: true }] },
    });
  });
});

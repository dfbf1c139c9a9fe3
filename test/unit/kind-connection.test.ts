// The Connection kind's pure parts: units and policy, the literal-credential rule, group references, the refusal
// of a type change, how a credential DSS shows encrypted is compared, and the exported spec.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import { keyHash } from '../../src/resources/infra/secret.js';
import { connectionKind, literalCredentials } from '../../src/resources/connection/kind.js';
import { viewOf } from '../../src/resources/connection/view.js';
import { connectionSpecFromLive } from '../../src/resources/connection/export.js';
import { credentialPointers, credentialState } from '../../src/resources/connection/secrets.js';
import { UserError } from '../../src/errors.js';
import type { LiveState } from '../../src/resources/types.js';
import { docOf } from './kind-docs.js';

const PASSWORD = 'pg-Secret-4711';
const ENCRYPTED = 'e:AES:c2VhbGVk';

function warehouseDoc(spec: Record<string, unknown> = {}, annotations?: Record<string, string>) {
  const doc = docOf(
    'Connection',
    'warehouse',
    {
      type: 'PostgreSQL',
      params: { host: 'db.internal', port: 5432, password: PASSWORD },
      usableBy: 'ALLOWED',
      allowedGroups: ['analysts', 'admins'],
      detailsReadability: { readableBy: 'ALLOWED', allowedGroups: ['dba'] },
      ...spec,
    },
    { sensitivePaths: ['/spec/params/password'] },
  );
  if (annotations) doc.metadata.annotations = annotations;
  return doc;
}

const unitOf = (doc = warehouseDoc()) => connectionKind.units(doc)[0]!;

function raw(extra: Record<string, unknown> = {}, params: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'warehouse',
    type: 'PostgreSQL',
    params: { host: 'db.internal', port: 5432, user: 'dss', password: ENCRYPTED, ...params },
    usableBy: 'ALLOWED',
    allowedGroups: ['admins', 'analysts'],
    detailsReadability: { readableBy: 'ALLOWED', allowedGroups: ['dba'] },
    allowWrite: true,
    ...extra,
  };
}

describe('Connection units', () => {
  it('is one unit at Connection/NAME, written after the groups it grants, with credentials sensitive', () => {
    const unit = unitOf();
    expect(unit.address).toBe('Connection/warehouse');
    expect(unit.orderAfter).toEqual(['Group/admins', 'Group/analysts', 'Group/dba']);
    expect(unit.dependsOn).toEqual([]);
    expect(unit.desired).toEqual({
      type: 'PostgreSQL',
      params: { host: 'db.internal', port: 5432, password: PASSWORD },
      usableBy: 'ALLOWED',
      allowedGroups: ['admins', 'analysts'],
      detailsReadability: { readableBy: 'ALLOWED', allowedGroups: ['dba'] },
    });
    expect(unit.policy.sensitive).toContain('/params/password');
    expect(unit.policy.exact).toEqual(['/allowedGroups', '/detailsReadability/allowedGroups']);
    expect(connectionKind.ownership).toBe('instance');
  });

  it('names the groups it refers to, at their pointers', () => {
    expect(connectionKind.references?.(warehouseDoc())).toEqual([
      { pointer: '/spec/allowedGroups/0', address: 'Group/analysts', what: 'group `analysts`' },
      { pointer: '/spec/allowedGroups/1', address: 'Group/admins', what: 'group `admins`' },
      { pointer: '/spec/detailsReadability/allowedGroups/0', address: 'Group/dba', what: 'group `dba`' },
    ]);
  });

  it('refuses a credential written as a literal, naming file:line:col, and never its value', () => {
    const doc = docOf('Connection', 's3', { type: 'EC2', params: { accessKey: '${secret:K}', secretKey: 'aws-Secret-99', nested: { clientSecret: 'x1' } } }, {
      sensitivePaths: ['/spec/params/accessKey'],
    });
    const problems = literalCredentials(doc);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^\/manifests\/connection-s3\.yaml:7:3: spec\.params\.nested\.clientSecret of Connection\/s3 is a literal credential/);
    expect(problems[1]).toContain('spec.params.secretKey');
    expect(problems.join('\n')).not.toContain('aws-Secret-99');
    expect(() => connectionKind.units(doc)).toThrow(UserError);
    // An empty credential is no secret, and non-credential params may be literal.
    expect(literalCredentials(docOf('Connection', 'fs', { type: 'Filesystem', params: { root: '/data', password: '' } }))).toEqual([]);
  });

  it('finds credentials by name at any depth; a setting about credentials is none', () => {
    expect(credentialPointers({ host: 'h', password: 'p', oauth: { clientSecret: 's', clientId: 'c' }, port: 1 })).toEqual(['/oauth/clientSecret', '/password']);
    expect(credentialPointers({ credentialsMode: 'KEYPAIR', authType: 'PASSWORD', secretKey: 'k' })).toEqual(['/secretKey']);
    const properties = [{ name: 'ssl', value: 'true' }, { name: 'password', value: 'p' }, { name: 'sslKeyPass', value: 'q', secret: true }, { name: 'x', value: 'y', secret: true }];
    expect(credentialPointers({ properties })).toEqual(['/properties/1/value', '/properties/2/value', '/properties/3/value']);
    expect(literalCredentials(docOf('Connection', 's3', { type: 'EC2', params: { credentialsMode: 'KEYPAIR' } }))).toEqual([]);
    const jdbc = docOf('Connection', 'pg', { type: 'PostgreSQL', params: { properties: [{ name: 'password', value: 'literal-Secret' }] } });
    expect(literalCredentials(jdbc)).toEqual([expect.stringContaining('spec.params.properties.0.value of Connection/pg is a literal credential') as unknown]);
  });

  it('refuses a change of type at plan time, and nothing else', () => {
    const unit = unitOf(warehouseDoc({ type: 'Filesystem' }));
    const live: LiveState = { view: { ...unit.desired, type: 'PostgreSQL' }, raw: raw() };
    const changes = diffManaged(unit.desired, live.view, unit.policy);
    const refused = connectionKind.validateChange?.(unit, live, changes) ?? [];
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('Connection/warehouse: the type of a connection cannot change (PostgreSQL → Filesystem)');
    const same = unitOf();
    expect(connectionKind.validateChange?.(same, { view: {}, raw: raw() }, diffManaged(same.desired, { ...same.desired, allowWrite: false }, same.policy))).toEqual([]);
  });
});

describe('Connection credentials', () => {
  it('compares an encrypted credential through the recorded hash: same, rotated, or unknown without one', () => {
    const recorded = raw({ dssGitops: { secretHashes: { '/password': keyHash(PASSWORD) } } });
    expect(credentialState(recorded, '/password', PASSWORD)).toBe('same');
    expect(credentialState(recorded, '/password', 'rotated-Secret')).toBe('rotated');
    expect(credentialState(raw(), '/password', PASSWORD)).toBe('unknown');
    expect(credentialState(raw({}, { password: PASSWORD }), '/password', PASSWORD)).toBe('same');
    expect(credentialState(raw({}, { password: 'other' }), '/password', PASSWORD)).toBe('different');
    expect(credentialState(raw({}, { password: '' }), '/password', PASSWORD)).toBe('different');
  });

  it('plans a rotated credential as a change and says it is pending; says plainly what cannot be seen', () => {
    const unit = unitOf();
    const inSync = viewOf(unit, raw({ dssGitops: { secretHashes: { '/password': keyHash(PASSWORD) } } }));
    expect(diffManaged(unit.desired, inSync.view, unit.policy)).toEqual([]);
    expect(inSync.notices).toEqual([expect.stringContaining('params.password is write-only') as unknown]);
    expect(inSync.notices[0]).toContain('a change made to it in DSS cannot be seen');

    const rotated = viewOf(unit, raw({ dssGitops: { secretHashes: { '/password': keyHash('old-Secret') } } }));
    const changes = diffManaged(unit.desired, rotated.view, unit.policy);
    expect(changes).toEqual([expect.objectContaining({ pointer: '/params/password', sensitive: true }) as unknown]);
    expect(rotated.notices[0]).toContain('rotated in the manifests or the environment): pending');

    const unknown = viewOf(unit, raw());
    expect(diffManaged(unit.desired, unknown.view, unit.policy)).toEqual([]);
    expect(unknown.notices[0]).toContain('cannot be compared');
    const asked = unitOf(warehouseDoc({}, { 'dss-gitops/rotate-secrets': 'true' }));
    expect(diffManaged(asked.desired, viewOf(asked, raw()).view, asked.policy).map((c) => c.pointer)).toEqual(['/params/password']);
    for (const v of [inSync, rotated, unknown]) expect(JSON.stringify(v.notices)).not.toContain(PASSWORD);
  });
});

describe('Connection export', () => {
  it('turns credentials into references, leaves out empty params and DSS defaults, and keeps grants', () => {
    const exported = connectionSpecFromLive(
      'warehouse',
      raw({ allowManagedFolders: false, maxActivities: 4, credentialsMode: 'GLOBAL' }, { properties: [], db: '', schemaPrefix: '${projectKey}_' }),
    );
    expect(exported.spec).toEqual({
      type: 'PostgreSQL',
      params: { host: 'db.internal', port: 5432, user: 'dss', password: '${secret:CONNECTION_WAREHOUSE_PASSWORD}', schemaPrefix: '${projectKey}_' },
      usableBy: 'ALLOWED',
      maxActivities: 4,
      allowedGroups: ['admins', 'analysts'],
      detailsReadability: { readableBy: 'ALLOWED', allowedGroups: ['dba'] },
    });
    expect(exported.secrets).toEqual([{ name: 'CONNECTION_WAREHOUSE_PASSWORD', where: 'Connection/warehouse spec.params.password' }]);
    expect(JSON.stringify(exported)).not.toContain(ENCRYPTED);
  });

  it('exports a plain connection with no secret and no grant', () => {
    const exported = connectionSpecFromLive('lake', {
      name: 'lake',
      type: 'Filesystem',
      params: { root: '/data/${env:HOME}' },
      usableBy: 'ALL',
      allowedGroups: [],
      detailsReadability: { readableBy: 'NONE', allowedGroups: [] },
    });
    expect(exported).toEqual({ spec: { type: 'Filesystem', params: { root: '/data/$${env:HOME}' } } });
  });
});

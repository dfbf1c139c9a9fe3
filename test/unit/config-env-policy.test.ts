import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinPointer } from '../../src/base/json-pointer.js';
import {
  CREDENTIAL_ENV,
  configReferencePolicy,
  isSecretPlace,
  manifestReferencePolicy,
  matchesEnvPattern,
  secretReferenceNames,
  trustedEnvAllow,
} from '../../src/config/env-policy.js';
import { interpolate, type InterpolationSources } from '../../src/config/interpolate.js';

const env = { DSS_API_KEY: 'the-api-key', DB_PASSWORD: 'pw-1234', TEAM_URL: 'https://team', OTHER: 'other' };

function sources(policy: InterpolationSources['policy']): InterpolationSources {
  return { env, vars: {}, ...(policy ? { policy } : {}) };
}

describe('secretReferenceNames', () => {
  it('finds the names read as ${secret:..} at any depth, not escaped ones', () => {
    const value = { a: ['x ${secret:ONE} y', { b: '${secret:TWO}${env:THREE}' }], c: '$${secret:ESCAPED}', d: 3 };
    expect([...secretReferenceNames(value)].sort()).toEqual(['ONE', 'TWO']);
  });

  it('finds what a walk deciding each place with isSecretPlace at the pointer of the string finds', () => {
    // The definition the walk implements without building pointers: the place of a string is the last key on its
    // way that is not all digits (array indexes and object keys alike), escaped keys included.
    const byPointers = (value: unknown): string[] => {
      const names = new Set<string>();
      const visit = (item: unknown, pointer: string): void => {
        if (typeof item === 'string') {
          for (const [, source, name] of item.matchAll(/\$\$\{|\$\{(env|secret):([^}]*)\}/g)) {
            if (name !== undefined && (source === 'secret' || isSecretPlace(pointer))) names.add(name);
          }
        } else if (Array.isArray(item)) item.forEach((child, i) => visit(child, joinPointer(pointer, i)));
        else if (item !== null && typeof item === 'object') for (const [k, child] of Object.entries(item)) visit(child, joinPointer(pointer, k));
      };
      visit(value, '');
      return [...names].sort();
    };
    const key = fc.constantFrom('password', 'adminApiKey', 'token', 'note', 'url', '0', '12', 'a/b', 'pass~word', 'x');
    const text = fc.constantFrom('${env:A}', '${secret:B}', '$${env:C}', 'plain', '${env:D} and ${env:E}', '${env:}', '${other:F}');
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, text, fc.integer(), tie('list'), tie('map')),
      list: fc.array(tie('tree'), { maxLength: 3 }),
      map: fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(tree, (value) => {
        expect([...secretReferenceNames(value)].sort()).toEqual(byPointers(value));
      }),
      { numRuns: 500 },
    );
  });
});

describe('matchesEnvPattern', () => {
  it('matches names exactly or with * as any run of characters', () => {
    expect(matchesEnvPattern('TEAM_URL', ['TEAM_*'])).toBe(true);
    expect(matchesEnvPattern('TEAM.URL', ['TEAM_*'])).toBe(false);
    expect(matchesEnvPattern('OTHER', ['OTHER'])).toBe(true);
    expect(matchesEnvPattern('OTHERS', ['OTHER'])).toBe(false);
    expect(matchesEnvPattern('A.B', ['A.*'])).toBe(true);
    expect(matchesEnvPattern('AxB', ['A.B'])).toBe(false);
  });
});

describe('the manifest policy', () => {
  it('refuses the credential variables as ${env:..} and ${secret:..}, without substituting them', () => {
    const policy = manifestReferencePolicy({ secretNames: new Set() });
    for (const name of CREDENTIAL_ENV) {
      for (const source of ['env', 'secret']) {
        const out = interpolate({ spec: { d: `k \${${source}:${name}}` } }, sources(policy));
        expect(out.issues).toEqual([expect.objectContaining({ pointer: '/spec/d', message: expect.stringContaining(`${name} holds the credentials`) })]);
        expect(out.value).toEqual({ spec: { d: `k \${${source}:${name}}` } });
        expect(out.unresolvedPointers).toEqual(['/spec/d']);
        expect(out.secrets).toEqual([]);
      }
    }
  });

  it('refuses ${env:X} for a name read as ${secret:X} in the run, and lets ${secret:X} read it', () => {
    const policy = manifestReferencePolicy({ secretNames: new Set(['DB_PASSWORD']) });
    const out = interpolate({ a: '${env:DB_PASSWORD}', b: '${secret:DB_PASSWORD}', c: '${env:OTHER}' }, sources(policy));
    expect(out.issues).toEqual([{ pointer: '/a', message: expect.stringContaining('DB_PASSWORD is read as a secret in this run'), hint: 'use `${secret:DB_PASSWORD}` here too' }]);
    expect(out.value).toEqual({ a: '${env:DB_PASSWORD}', b: 'pw-1234', c: 'other' });
    expect(out.sensitivePointers).toEqual(['/b']);
  });

  it('takes an ${env:..} read under a secret-looking key for a secret, which no other place may read', () => {
    const doc = { spec: { adminApiKey: '${env:DB_PASSWORD}', description: 'pw ${env:DB_PASSWORD}', passwordList: ['${env:OTHER}'] } };
    const names = secretReferenceNames(doc);
    expect([...names].sort()).toEqual(['DB_PASSWORD', 'OTHER']);
    const out = interpolate(doc, sources(manifestReferencePolicy({ secretNames: names })));
    expect(out.value).toEqual({ spec: { adminApiKey: 'pw-1234', description: 'pw ${env:DB_PASSWORD}', passwordList: ['other'] } });
    expect(out.issues.map((i) => i.pointer)).toEqual(['/spec/description']);
    expect(out.sensitivePointers).toEqual(['/spec/adminApiKey', '/spec/passwordList/0']);
    expect(out.secrets).toEqual(['pw-1234', 'other']);
  });

  it('with envAllow, reads only the names it lists, and never credentials or secrets', () => {
    const policy = manifestReferencePolicy({ secretNames: new Set(['DB_PASSWORD']), envAllow: ['TEAM_*', 'DB_*', 'DSS_*'] });
    const out = interpolate({ a: '${env:TEAM_URL}', b: '${env:OTHER}', c: '${env:DB_PASSWORD}', d: '${env:DSS_API_KEY}' }, sources(policy));
    expect(out.value).toEqual({ a: 'https://team', b: '${env:OTHER}', c: '${env:DB_PASSWORD}', d: '${env:DSS_API_KEY}' });
    expect(out.issues.map((i) => i.pointer)).toEqual(['/b', '/c', '/d']);
    expect(out.issues[0]?.message).toContain('OTHER is not listed in `interpolation.envAllow`');
  });

  it('refuses ${env:..} of a secret-looking name outside a secret place, read as a secret in the run or not', () => {
    const policy = manifestReferencePolicy({ secretNames: new Set() });
    const out = interpolate({ spec: { note: '${env:DB_PASSWORD}', adminApiKey: '${env:DB_PASSWORD}', url: '${env:TEAM_URL}' } }, sources(policy));
    expect(out.issues).toEqual([
      { pointer: '/spec/note', message: expect.stringContaining('DB_PASSWORD looks like the name of a secret'), hint: 'use `${secret:DB_PASSWORD}`, which is masked in every output' },
    ]);
    expect(out.value).toEqual({ spec: { note: '${env:DB_PASSWORD}', adminApiKey: 'pw-1234', url: 'https://team' } });
    expect(out.sensitivePointers).toEqual(['/spec/adminApiKey']);
  });

  it('with DSS_GITOPS_ENV_ALLOW, reads only the names both it and envAllow list', () => {
    expect(trustedEnvAllow({})).toBeUndefined();
    expect(trustedEnvAllow({ DSS_GITOPS_ENV_ALLOW: ' TEAM_*, OTHER  X ' })).toEqual(['TEAM_*', 'OTHER', 'X']);
    expect(trustedEnvAllow({ DSS_GITOPS_ENV_ALLOW: '' })).toEqual([]);
    const policy = manifestReferencePolicy({ secretNames: new Set(), envAllow: ['TEAM_*', 'OTHER'], trustedEnvAllow: ['TEAM_*'] });
    const out = interpolate({ a: '${env:TEAM_URL}', b: '${env:OTHER}' }, sources(policy));
    expect(out.value).toEqual({ a: 'https://team', b: '${env:OTHER}' });
    expect(out.issues).toEqual([{ pointer: '/b', message: expect.stringContaining('OTHER is not listed in DSS_GITOPS_ENV_ALLOW'), hint: expect.any(String) }]);
  });

  it('refuses nothing without a policy (as before, for callers that set none)', () => {
    expect(interpolate({ a: '${env:DSS_API_KEY}' }, sources(undefined)).value).toEqual({ a: 'the-api-key' });
  });
});

describe('the configuration policy', () => {
  it('reads credentials and secrets into the nodes\' apiKey only', () => {
    const policy = configReferencePolicy(new Set(['DB_PASSWORD']));
    const value = {
      nodes: { design: { url: '${env:TEAM_URL}', apiKey: '${env:DSS_API_KEY}' }, deployer: { apiKey: '${secret:DB_PASSWORD}' } },
      source: '${env:DSS_API_KEY}',
      defaults: { projectOwner: '${env:DB_PASSWORD}' },
      external: ['${secret:OTHER}'],
    };
    const out = interpolate(value, sources(policy));
    expect(out.issues.map((i) => i.pointer)).toEqual(['/source', '/defaults/projectOwner', '/external/0']);
    const named = interpolate({ source: '${env:SLACK_TOKEN}' }, { env: { SLACK_TOKEN: 'xoxb-1' }, vars: {}, policy });
    expect(named.issues.map((i) => i.pointer)).toEqual(['/source']);
    expect(out.value).toMatchObject({ nodes: { design: { url: 'https://team', apiKey: 'the-api-key' }, deployer: { apiKey: 'pw-1234' } } });
  });
});

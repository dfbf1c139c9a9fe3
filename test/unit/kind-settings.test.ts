// The pure parts of the node-wide settings kinds: dss-gitops's reserved instance variables, the write of the
// variables around them, the shape and policy of general settings, their write-only secrets, and their export.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import { LOCK_VARIABLE } from '../../src/lock/lock-info.js';
import { overlay } from '../../src/resources/managed-write.js';
import { generalSettingsSpec } from '../../src/resources/general-settings/export.js';
import { generalSettingsKind, listPointers, projectLive, settingsView } from '../../src/resources/general-settings/kind.js';
import { isSecretField, literalSecretProblems, secretPointers } from '../../src/resources/general-settings/secrets.js';
import { instanceVariablesSpec } from '../../src/resources/instance-variables/export.js';
import { instanceVariablesKind, variablesToWrite } from '../../src/resources/instance-variables/kind.js';
import { isReserved, RESERVED_PREFIX, withoutReserved, withReservedOf } from '../../src/resources/instance-variables/reserved.js';
import { docOf } from './kind-docs.js';

const lock = { id: 'l1', holder: 'ci', generation: 3 };

describe('reserved instance variables', () => {
  it('cover the run lock and the ownership record, and nothing a user would name', () => {
    expect(LOCK_VARIABLE.startsWith(RESERVED_PREFIX)).toBe(true);
    expect(isReserved('dss-gitops.ownership')).toBe(true);
    expect(isReserved('dss-gitops')).toBe(false);
    expect(isReserved('dss_gitops.lock')).toBe(false);
    expect(withoutReserved({ a: 1, 'dss-gitops.lock': lock, b: 2 })).toEqual({ a: 1, b: 2 });
  });

  it('are put back where DSS had them, with the variables in live order and new ones last', () => {
    const live = { z: 1, 'dss-gitops.lock': lock, gone: true, a: 2 };
    const written = withReservedOf(live, { a: 3, z: 1, added: 'x', 'dss-gitops.lock': 'never from the manifest' });
    expect(Object.keys(written)).toEqual(['z', 'dss-gitops.lock', 'a', 'added']);
    expect(written['dss-gitops.lock']).toBe(lock);
  });

  it('survive a write of the variables that removes everything else', () => {
    const [unit] = instanceVariablesKind.units(docOf('InstanceVariables', 'instance', { variables: {} }));
    const live = { old: 1, 'dss-gitops.lock': lock, 'dss-gitops.ownership': { inventory: {} } };
    expect(variablesToWrite(live, unit!)).toEqual({ 'dss-gitops.lock': lock, 'dss-gitops.ownership': { inventory: {} } });
  });

  it('manage nothing when the document declares no variables', () => {
    const [unit] = instanceVariablesKind.units(docOf('InstanceVariables', 'instance', {}));
    expect(unit!.desired).toEqual({});
    const live = { old: 1, 'dss-gitops.lock': lock };
    expect(variablesToWrite(live, unit!)).toBe(live);
  });

  it('mask variables under secret names in a plan, declared or not', () => {
    const [unit] = instanceVariablesKind.units(docOf('InstanceVariables', 'instance', { variables: { env: 'prod' } }));
    const changes = diffManaged(unit!.desired, { variables: { env: 'prod', dbPassword: 'hunter22' } }, unit!.policy);
    expect(changes).toEqual([expect.objectContaining({ path: 'variables.dbPassword', kind: 'remove', sensitive: true })]);
  });

  it('export whole, with secret-named texts as references and DSS ${..} syntax kept', () => {
    const exported = instanceVariablesSpec({ variables: { apiToken: 'tok', env: 'prod', path: '${projectKey}/x', n: { secretKey: 'k' } } });
    expect(exported.spec).toEqual({
      variables: { apiToken: '${secret:INSTANCE_API_TOKEN}', env: 'prod', path: '${projectKey}/x', n: { secretKey: '${secret:INSTANCE_N_SECRET_KEY}' } },
    });
    expect(exported.secrets?.map((s) => s.name)).toEqual(['INSTANCE_API_TOKEN', 'INSTANCE_N_SECRET_KEY']);
  });
});

describe('general settings', () => {
  const doc = (spec: Record<string, unknown>, sensitivePaths: string[] = [], annotations?: Record<string, string>) => {
    const d = docOf('GeneralSettings', 'instance', spec, { sensitivePaths });
    if (annotations) d.metadata.annotations = annotations;
    return d;
  };

  it('replace lists whole: every list declared is exact, items included', () => {
    const desired = { impersonation: { groupRules: [{ type: 'IDENTITY' }] }, containerSettings: { executionConfigs: [] }, n: 1 };
    expect(listPointers(desired)).toEqual(['/impersonation/groupRules', '/containerSettings/executionConfigs']);
    const [unit] = generalSettingsKind.units(doc(desired));
    const live = { impersonation: { enabled: true, groupRules: [{ type: 'IDENTITY', extra: 1 }, { type: 'X' }] }, containerSettings: { executionConfigs: [{ name: 'k8s' }], other: 2 }, n: 1 };
    expect(overlay(live, unit!.desired, unit!.policy)).toEqual({
      impersonation: { enabled: true, groupRules: [{ type: 'IDENTITY' }] },
      containerSettings: { executionConfigs: [], other: 2 },
      n: 1,
    });
  });

  it('read the live settings in the declared shape: declared keys of objects, other values whole', () => {
    const live = { a: { b: 1, c: 2, d: [1, { e: 3 }] }, f: 'x', g: { h: 1 } };
    expect(projectLive(live, { a: { b: 0, d: [] }, g: null })).toEqual({ a: { b: 1, d: [1, { e: 3 }] }, g: { h: 1 } });
  });

  it('tell secret fields by DSS encrypted fields and secret names, not by every name holding key or credentials', () => {
    for (const name of ['bindPassword', 'clientSecret', 'apiKey', 'privateKey', 'authToken']) expect(isSecretField(name), name).toBe(true);
    for (const name of ['credentialsMethod', 'claimKeyIdentifier', 'key', 'tokenUrl', 'keystoreFile']) expect(isSecretField(name), name).toBe(false);
    expect(secretPointers({ ldapSettings: { bindPassword: 'x', bindDN: 'y' }, azureADSettings: { credentialsCertificatePassword: '' } })).toEqual([
      '/ldapSettings/bindPassword',
      '/azureADSettings/credentialsCertificatePassword',
    ]);
  });

  it('refuse a secret written in clear, not one from ${secret:..} nor an empty one', () => {
    const clear = doc({ ldapSettings: { bindPassword: 'pw-in-clear', x: 1 }, ssoSettings: { openIDParams: { clientSecret: 'from-env' } }, azureADSettings: { credentialsClientSecret: '' } }, [
      '/spec/ssoSettings/openIDParams/clientSecret',
    ]);
    const problems = literalSecretProblems(clear);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('`spec.ldapSettings.bindPassword` is a secret written in clear');
    expect(JSON.stringify(problems)).not.toContain('pw-in-clear');
    expect(generalSettingsKind.validateChange!(generalSettingsKind.units(clear)[0]!, { view: {}, raw: {} }, [])).toEqual([
      expect.stringMatching(/^\/manifests\/.*:7:3: `spec\.ldapSettings\.bindPassword` is a secret/),
    ]);
  });

  it('take a secret DSS gives back encrypted as equal, with a notice, unless asked to rotate it', () => {
    const spec = { ldapSettings: { bindPassword: 'declared', url: 'ldap://x' } };
    const live = { ldapSettings: { bindPassword: 'e:AES:c2FsdA==', url: 'ldap://x', userFilter: 'f' }, other: 1 };
    const [unit] = generalSettingsKind.units(doc(spec, ['/spec/ldapSettings/bindPassword']));
    const state = settingsView(unit!, live);
    expect(diffManaged(unit!.desired, state.view, unit!.policy)).toEqual([]);
    expect(state.notices).toEqual([expect.stringContaining('ldapSettings.bindPassword cannot be compared')]);

    const [rotating] = generalSettingsKind.units(doc(spec, ['/spec/ldapSettings/bindPassword'], { 'dss-gitops/rotate-secrets': 'true' }));
    const changes = diffManaged(rotating!.desired, settingsView(rotating!, live).view, rotating!.policy);
    expect(changes).toEqual([expect.objectContaining({ path: 'ldapSettings.bindPassword', sensitive: true })]);

    // Empty in DSS: an ordinary (masked) change.
    const empty = settingsView(unit!, { ldapSettings: { bindPassword: '', url: 'ldap://x' } });
    expect(empty.notices).toBeUndefined();
    expect(diffManaged(unit!.desired, empty.view, unit!.policy)).toEqual([expect.objectContaining({ path: 'ldapSettings.bindPassword', sensitive: true })]);
  });

  it('export the chosen sections whole, encrypted values and secret fields as references', () => {
    const exported = generalSettingsSpec({
      ldapSettings: { bindPassword: 'e:AES:abc', enabled: true, userFilter: '${notOurs}' },
      azureADSettings: { credentialsMethod: 'CLIENT_SECRET', credentialsClientSecret: '' },
      sparkSettings: { executionConfigs: [{ conf: [{ key: 'spark.x', value: '1' }] }] },
      maxRunningActivities: 5,
    });
    expect(exported.spec).toEqual({
      ldapSettings: { bindPassword: '${secret:GENERAL_SETTINGS_LDAP_SETTINGS_BIND_PASSWORD}', enabled: true, userFilter: '${notOurs}' },
      azureADSettings: { credentialsClientSecret: '', credentialsMethod: 'CLIENT_SECRET' },
      sparkSettings: { executionConfigs: [{ conf: [{ key: 'spark.x', value: '1' }] }] },
      maxRunningActivities: 5,
    });
    expect(exported.secrets).toEqual([{ name: 'GENERAL_SETTINGS_LDAP_SETTINGS_BIND_PASSWORD', where: 'GeneralSettings/instance spec.ldapSettings.bindPassword' }]);
  });
});

describe('singletons', () => {
  it('are never pruned and list nothing as unmanaged', () => {
    for (const kind of [instanceVariablesKind, generalSettingsKind]) {
      expect(kind.delete).toBeUndefined();
      expect(kind.listOnNode).toBeUndefined();
      expect(kind.ownership).toBe('instance');
      expect(kind.exportPath?.('instance', 'by-kind')).toMatch(/^platform\/[a-z-]+\.yaml$/);
    }
  });
});

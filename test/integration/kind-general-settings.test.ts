// `GeneralSettings` through the CLI against the simulator: only the declared fields of DSS's general settings are
// managed (objects merged, lists replaced), everything else survives byte for byte, and passwords, which DSS gives
// back encrypted, are never printed nor compared.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSettingsBench, type SettingsBench } from './settings-bench.js';

const BIND = 'ldap-bind-never-printed';
const ENV = { LDAP_BIND_PASSWORD: BIND };

type Settings = Record<string, unknown> & { ldapSettings: Record<string, unknown>; impersonation: Record<string, unknown> };

let b: SettingsBench;

function settingsDoc(spec: string, annotations = ''): string {
  return `apiVersion: dss-gitops/v1\nkind: GeneralSettings\nmetadata:\n  name: instance\n${annotations}spec:\n${spec}`;
}

const LDAP = `  ldapSettings:
    enabled: true
    url: ldap://ldap.example.com/dc=example,dc=com
    bindDN: uid=readonly,ou=users,dc=example,dc=com
    bindPassword: \${secret:LDAP_BIND_PASSWORD}
`;
const RULES = `  impersonation:
    enabled: true
    groupRules:
      - type: SINGLE_MAPPING
        dssGroup: analysts
        targetUnix: analyst
      - type: IDENTITY
`;
const DECLARED = settingsDoc(`${LDAP}${RULES}  maxRunningActivities: 8\n`);

async function settings(): Promise<Settings> {
  return b.sim.ok<Settings>('GET', '/admin/general-settings');
}

/** The settings without the fields the manifest declares: what must survive every apply unchanged. */
function undeclared(s: Settings): Record<string, unknown> {
  const { maxRunningActivities: _m, ...rest } = s;
  const { enabled: _e, url: _u, bindDN: _d, bindPassword: _p, ...ldap } = s.ldapSettings;
  const { enabled: _i, groupRules: _g, ...impersonation } = s.impersonation;
  return { ...rest, ldapSettings: ldap, impersonation };
}

beforeEach(async () => {
  b = await startSettingsBench('dss-gitops-general-settings-');
  // A field this version of dss-gitops knows nothing about, set by hand.
  await b.sim.ok('PUT', '/admin/general-settings', { ...(await settings()), notModelled: { deep: [1, { keep: null }] } });
});
afterEach(() => b.close());

describe('GeneralSettings', () => {
  it('writes only the declared fields, keeps the rest byte for byte, then plans and applies nothing', async () => {
    const before = await settings();
    b.manifest('settings.yaml', DECLARED);
    const plan = await b.cli(['plan', '-f', 'm'], ENV);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('~ update GeneralSettings/instance');
    expect(plan.stdout).toContain('~ ldapSettings.bindPassword: (sensitive value)');
    expect(plan.stdout).not.toContain(BIND);

    const applied = await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV);
    expect(applied.code).toBe(0);
    expect(`${applied.stdout}${applied.stderr}`).not.toContain(BIND);
    const after = await settings();
    expect(after.ldapSettings).toMatchObject({ enabled: true, url: 'ldap://ldap.example.com/dc=example,dc=com', bindDN: 'uid=readonly,ou=users,dc=example,dc=com' });
    expect(after.ldapSettings.bindPassword).toMatch(/^e:AES:/);
    expect(after.impersonation.groupRules).toEqual([{ type: 'SINGLE_MAPPING', dssGroup: 'analysts', targetUnix: 'analyst' }, { type: 'IDENTITY' }]);
    expect(after.maxRunningActivities).toBe(8);
    expect(JSON.stringify(undeclared(after))).toBe(JSON.stringify(undeclared(before)));

    // DSS gives the password back encrypted: the plan says it cannot compare it, and finds nothing to do.
    const again = await b.cli(['plan', '-f', 'm', '--detailed-exitcode'], ENV);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(`${again.stdout}${again.stderr}`).toContain('ldapSettings.bindPassword cannot be compared');
    const second = await b.counted(['apply', '-f', 'm', '--auto-approve', '--lock=false'], ENV);
    expect(second.code).toBe(0);
    expect(second.writes).toBe(0);
  });

  it('updates each field: nested objects merged, lists replaced whole with their items', async () => {
    b.manifest('settings.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    // DSS adds a field inside a list item: the list is the manifest's, so the item loses it.
    const live = await settings();
    const rules = live.impersonation.groupRules as Record<string, unknown>[];
    await b.sim.ok('PUT', '/admin/general-settings', { ...live, impersonation: { ...live.impersonation, groupRules: [{ ...rules[0], targetHadoop: 'h' }, rules[1]] } });
    const before = await settings();

    b.manifest('settings.yaml', settingsDoc(`  ldapSettings:\n    url: ldaps://ldap2.example.com\n${RULES.replace('      - type: IDENTITY\n', '')}  maxRunningActivities: 3\n`));
    const plan = await b.cli(['plan', '-f', 'm'], ENV);
    expect(plan.stdout).toContain('~ ldapSettings.url: "ldap://ldap.example.com/dc=example,dc=com" → "ldaps://ldap2.example.com"');
    expect(plan.stdout).toContain('~ maxRunningActivities: 8 → 3');
    expect(plan.stdout).toContain('impersonation.groupRules');
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const after = await settings();
    expect(after.ldapSettings).toEqual({ ...before.ldapSettings, url: 'ldaps://ldap2.example.com' });
    expect(after.impersonation).toEqual({ ...before.impersonation, groupRules: [{ type: 'SINGLE_MAPPING', dssGroup: 'analysts', targetUnix: 'analyst' }] });
    expect(after.maxRunningActivities).toBe(3);
    expect(after.notModelled).toEqual({ deep: [1, { keep: null }] });
    expect((await b.cli(['plan', '-f', 'm', '--detailed-exitcode'], ENV)).code).toBe(0);
  });

  it('reports a change made in DSS as drift and heals it, keeping what the manifest does not declare', async () => {
    b.manifest('settings.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const live = await settings();
    await b.sim.ok('PUT', '/admin/general-settings', {
      ...live,
      ldapSettings: { ...live.ldapSettings, enabled: false, userFilter: '(uid={USERNAME})' },
      maxRunningActivitiesPerJob: 4,
    });

    const drift = await b.counted(['drift', '-f', 'm'], ENV);
    expect(drift.code).toBe(2);
    expect(drift.writes).toBe(0);
    expect(drift.stdout).toContain('GeneralSettings/instance');
    expect(drift.stdout).toContain('ldapSettings.enabled');
    expect(drift.stdout).not.toContain('userFilter');
    expect(drift.stdout).not.toContain(BIND);

    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const healed = await settings();
    expect(healed.ldapSettings.enabled).toBe(true);
    expect(healed.ldapSettings.userFilter).toBe('(uid={USERNAME})');
    expect(healed.maxRunningActivitiesPerJob).toBe(4);
    expect((await b.cli(['drift', '-f', 'm'], ENV)).code).toBe(0);
  });

  it('writes a rotated password when asked, and never prints nor saves it', async () => {
    b.manifest('settings.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const stored = (await settings()).ldapSettings.bindPassword;

    const rotated = { LDAP_BIND_PASSWORD: 'rotated-never-printed' };
    b.manifest('settings.yaml', settingsDoc(`${LDAP}${RULES}  maxRunningActivities: 8\n`, '  annotations:\n    dss-gitops/rotate-secrets: "true"\n'));
    const planFile = path.join(b.dir, 'rotate.plan');
    const plan = await b.cli(['plan', '-f', 'm', '--out', planFile, '--output', 'json'], rotated);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('ldapSettings');
    for (const text of [plan.stdout, plan.stderr, readFileSync(planFile, 'utf8')]) {
      expect(text).not.toContain('rotated-never-printed');
      expect(text).not.toContain(BIND);
    }
    const applied = await b.cli(['apply', planFile, '--auto-approve'], rotated);
    expect(applied.code).toBe(0);
    expect(`${applied.stdout}${applied.stderr}`).not.toContain('rotated-never-printed');
    expect((await settings()).ldapSettings.bindPassword).not.toBe(stored);
  });

  it('refuses a password written in clear, at its line and column, and writes nothing', async () => {
    b.manifest('settings.yaml', settingsDoc('  ldapSettings:\n    enabled: true\n    bindPassword: clear-text-pass\n'));
    const before = await settings();
    const plan = await b.counted(['apply', '-f', 'm', '--auto-approve'], ENV);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/settings\.yaml:8:19: `spec\.ldapSettings\.bindPassword` is a secret written in clear/);
    expect(`${plan.stdout}${plan.stderr}`).not.toContain('clear-text-pass');
    expect(await settings()).toEqual(before);

    // Once DSS holds a password, the same one written in clear is refused all the same, though DSS cannot tell it.
    b.manifest('settings.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    b.manifest('settings.yaml', DECLARED.replace('${secret:LDAP_BIND_PASSWORD}', BIND));
    const again = await b.counted(['plan', '-f', 'm'], ENV);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/settings\.yaml:10:19: `spec\.ldapSettings\.bindPassword` is a secret written in clear/);
    expect(`${again.stdout}${again.stderr}`).not.toContain(BIND);
  });

  it('says so when a declared field is not one of DSS general settings', async () => {
    b.manifest('settings.yaml', settingsDoc('  ldapSetings:\n    enabled: true\n'));
    const plan = await b.cli(['plan', '-f', 'm'], ENV);
    expect(`${plan.stdout}${plan.stderr}`).toContain("DSS's general settings have no field `ldapSetings`: check the name");
  });

  it('exports the authentication, isolation, execution and limit sections, secrets as references, which plan no change', async () => {
    b.manifest('settings.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const out = path.join(b.dir, 'exported');
    const exported = await b.cli(['export', '--platform', '--out', out]);
    expect(exported.code).toBe(0);
    const text = readFileSync(path.join(out, 'platform/general-settings.yaml'), 'utf8');
    expect(text).toContain('bindPassword: ${secret:GENERAL_SETTINGS_LDAP_SETTINGS_BIND_PASSWORD}');
    expect(text).toContain('credentialsMethod: CLIENT_SECRET');
    expect(text).not.toMatch(/e:AES:|notModelled|studioExternalUrl|auditTrailSettings/);
    expect(`${exported.stdout}${exported.stderr}`).toContain('GENERAL_SETTINGS_LDAP_SETTINGS_BIND_PASSWORD');

    const env = { GENERAL_SETTINGS_LDAP_SETTINGS_BIND_PASSWORD: BIND };
    expect((await b.cli(['validate', '-f', out], env)).code).toBe(0);
    const plan = await b.cli(['plan', '-f', out, '--detailed-exitcode'], env);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it('stays as it is when its document leaves the manifests, even with --prune', async () => {
    b.manifest('settings.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const before = await settings();
    b.manifest('settings.yaml', 'apiVersion: dss-gitops/v1\nkind: ProjectFolder\nmetadata:\n  name: Platform\n');
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve', '--prune'], ENV)).code).toBe(0);
    expect(await settings()).toEqual(before);
  });
});

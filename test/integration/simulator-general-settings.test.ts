// The simulator's general settings, as DSS serves them to the official client's get_general_settings / save.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const WRITER = 'project-writer-key';
let sim: TestSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ apiKeys: [{ key: WRITER, login: 'writer', projects: { CHURN: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
});
afterAll(() => sim.close());

type Settings = Record<string, Record<string, unknown>>;

describe('/admin/general-settings', () => {
  it('gives a fresh instance nested sections with their defaults', async () => {
    const settings = await sim.ok<Settings>('GET', '/admin/general-settings');
    expect(settings.ldapSettings).toMatchObject({ enabled: false, bindPassword: '', groupProfiles: [] });
    expect(settings.impersonation).toMatchObject({ enabled: false, userRules: [{ scope: 'GLOBAL', type: 'IDENTITY' }] });
    expect(settings.containerSettings).toEqual({ executionConfigs: [], defaultExecutionConfig: null });
  });

  it('keeps what a PUT sends, unknown fields included, at both path forms, and answers with no body', async () => {
    const settings = await sim.ok<Settings>('GET', '/admin/general-settings');
    const sent = { ...settings, studioExternalUrl: 'https://dss.example.com', notModelled: { deep: [1, { x: null }] } };
    const put = await sim.call('PUT', '/admin/general-settings/', sent);
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    expect(await sim.ok('GET', '/admin/general-settings/')).toEqual(sent);
  });

  it('stores passwords encrypted with a salt, gives back only that form, and keeps an encrypted form sent back', async () => {
    const settings = await sim.ok<Settings>('GET', '/admin/general-settings');
    const ldap = { ...settings.ldapSettings, bindPassword: 'bind-pass-1' };
    const sso = { ...settings.ssoSettings, openIDParams: { ...(settings.ssoSettings?.openIDParams as object), clientSecret: 'oidc-secret-1' } };
    await sim.ok('PUT', '/admin/general-settings', { ...settings, ldapSettings: ldap, ssoSettings: sso });
    const first = await sim.call<Settings>('GET', '/admin/general-settings');
    expect(first.text).not.toContain('bind-pass-1');
    expect(first.text).not.toContain('oidc-secret-1');
    const encrypted = first.json.ldapSettings?.bindPassword as string;
    expect(encrypted).toMatch(/^e:AES:/);
    expect((first.json.ssoSettings?.openIDParams as Record<string, unknown>).clientSecret).toMatch(/^e:AES:/);

    // The same password saved again reads back differently: the salt changes.
    await sim.ok('PUT', '/admin/general-settings', { ...first.json, ldapSettings: { ...first.json.ldapSettings, bindPassword: 'bind-pass-1' } });
    const second = await sim.ok<Settings>('GET', '/admin/general-settings');
    expect(second.ldapSettings?.bindPassword).toMatch(/^e:AES:/);
    expect(second.ldapSettings?.bindPassword).not.toBe(encrypted);

    // A GET-modify-PUT that leaves the field alone keeps it as it was.
    await sim.ok('PUT', '/admin/general-settings', { ...second, maxRunningActivities: 9 });
    const third = await sim.ok<Settings>('GET', '/admin/general-settings');
    expect(third.ldapSettings?.bindPassword).toBe(second.ldapSettings?.bindPassword);
    expect(third.maxRunningActivities).toBe(9);
  });

  it('refuses anything but an object', async () => {
    const bad = await sim.call('PUT', '/admin/general-settings', [1]);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException' });
  });

  it('answers 403 with DSS error body to a key that is not an administrator', async () => {
    for (const method of ['GET', 'PUT']) {
      const refused = await sim.call(method, '/admin/general-settings', method === 'PUT' ? {} : undefined, { key: WRITER });
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException' });
    }
  });

  it('persists the settings with the rest of the state, never a password in clear', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-general-settings-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const first = await startTestSimulator({ stateFile });
      const settings = await first.ok<Settings>('GET', '/admin/general-settings');
      await first.ok('PUT', '/admin/general-settings', { ...settings, ldapSettings: { ...settings.ldapSettings, bindPassword: 'persisted-pass' }, kept: true });
      const stored = await first.ok<Settings>('GET', '/admin/general-settings');
      await first.close();
      expect(readFileSync(stateFile, 'utf8')).not.toContain('persisted-pass');
      const second = await startTestSimulator({ stateFile });
      expect(await second.ok('GET', '/admin/general-settings')).toEqual(stored);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Which values of a simulator state are sealed, and that they come back as they were.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { countClearSecrets, isSealed, parseSealed, SecretSealer, stringifySealed } from '../../src/simulator/sealed-secrets.js';

const sealer = new SecretSealer(randomBytes(32));
const seal = (text: string): string => sealer.seal(text);
const foreign = (field: string): never => {
  throw new Error(`foreign ${field}`);
};

const state = {
  formatVersion: 1,
  infras: { prod: { id: 'prod', automationNodeUrl: 'https://auto:11200', adminApiKey: 'k1', trustAllSSLCertificates: false } },
  variables: { standard: { threshold: 0.7, warehousePassword: 'p1', maxTokenCount: '12' }, local: { API_TOKEN: 't1' } },
  // Everything below a secret name is secret, at any depth; numbers and booleans are no text to seal.
  credentials: { user: 'u1', nested: ['n1', { deep: 'd1' }], port: 5432 },
  customFields: [
    { name: 'clientSecret', value: 's1' },
    { name: 'owner', value: 'alice' },
    { key: 'SLACK_TOKEN', value: 'w1' },
  ],
  projectKey: 'CHURN',
  deployedProjectKey: 'CHURN_PROD',
  empty: { password: '' },
};

describe('sealed state secrets', () => {
  it('seals the values under secret names and of secret pairs, and nothing else', () => {
    const sealed = JSON.parse(stringifySealed(state, seal)) as typeof state;
    for (const value of ['k1', 'p1', 't1', 'u1', 'n1', 'd1', 's1', 'w1']) expect(JSON.stringify(sealed)).not.toContain(`"${value}"`);
    expect(isSealed(sealed.infras.prod.adminApiKey)).toBe(true);
    expect(isSealed(sealed.customFields[0]?.value)).toBe(true);
    expect(sealed.infras.prod.automationNodeUrl).toBe('https://auto:11200');
    expect(sealed.variables.standard).toMatchObject({ threshold: 0.7, maxTokenCount: '12' });
    expect(sealed.credentials.port).toBe(5432);
    expect(sealed.customFields[1]).toEqual({ name: 'owner', value: 'alice' });
    expect(sealed).toMatchObject({ projectKey: 'CHURN', deployedProjectKey: 'CHURN_PROD', empty: { password: '' } });
    // A random IV each time: two sealings of one value differ, and reveal nothing of it.
    expect(seal('same')).not.toBe(seal('same'));
  });

  it('opens them back to the same state, and counts what is still in clear', () => {
    const text = stringifySealed(state, seal);
    expect(parseSealed(text, sealer, foreign)).toEqual(state);
    // The eight values, and the name of the `key` pair: `key` alone is a secret name (DSS's API keys have one).
    expect(countClearSecrets(state)).toBe(9);
    expect(countClearSecrets(JSON.parse(text))).toBe(0);
    // Sealing a sealed state again changes nothing.
    expect(stringifySealed(JSON.parse(text), seal)).toBe(text);
  });

  it('reports a value another key sealed, or that was altered', () => {
    const text = stringifySealed({ db: { password: 'x' } }, seal);
    const other = new SecretSealer(randomBytes(32));
    expect(() => parseSealed(text, other, foreign)).toThrow('foreign password');
    const sealedValue = (JSON.parse(text) as { db: { password: string } }).db.password;
    const altered = text.replace(sealedValue, `${sealedValue.slice(0, -4)}AAA=`);
    expect(() => parseSealed(altered, sealer, foreign)).toThrow('foreign password');
  });

  it('seals any string in which the client finds one of its secrets, under any key, and opens it back', () => {
    const known = 'known-secret-value';
    const reveals = (text: string): boolean => text.includes(known);
    const withClient = { ...state, project: { shortDesc: `see ${known}`, tags: ['plain', known], label: 'plain' } };
    const text = stringifySealed(withClient, seal, reveals);
    expect(text).not.toContain(known);
    const project = (JSON.parse(text) as { project: { shortDesc: string; tags: string[]; label: string } }).project;
    expect(isSealed(project.shortDesc)).toBe(true);
    expect(isSealed(project.tags[1])).toBe(true);
    expect([project.tags[0], project.label]).toEqual(['plain', 'plain']);
    expect(parseSealed(text, sealer, foreign)).toEqual(withClient);
    // Without the client's secrets only the names count: a standalone node leaves the description readable.
    expect(stringifySealed(withClient, seal)).toContain(known);
    expect(countClearSecrets(withClient, reveals) - countClearSecrets(withClient)).toBe(2);
  });
});

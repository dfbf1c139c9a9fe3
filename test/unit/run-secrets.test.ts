import { describe, expect, it } from 'vitest';
import {
  environmentSecretValues,
  MIN_SECRET_LENGTH,
  REDACTED,
  registerSecrets,
  revealsSecret,
  scrubSecrets,
  scrubValue,
  SecretRegistry,
  withRunSecrets,
} from '../../src/base/secrets.js';

describe('run secrets', () => {
  it('scrubs what the run registered, across awaits, and nothing outside a run', async () => {
    const text = await withRunSecrets(new SecretRegistry(['env-key-1234']), async () => {
      await Promise.resolve();
      registerSecrets(['s3cr3t-value']);
      await new Promise((resolve) => setImmediate(resolve));
      return scrubSecrets('DSS said: s3cr3t-value is not valid for env-key-1234');
    });
    expect(text).toBe(`DSS said: ${REDACTED} is not valid for ${REDACTED}`);
    registerSecrets(['outside-1234']);
    expect(scrubSecrets('outside-1234 s3cr3t-value')).toBe('outside-1234 s3cr3t-value');
  });

  it('keeps concurrent runs apart', async () => {
    const a = withRunSecrets(new SecretRegistry(['aaaa-secret']), async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return scrubSecrets('aaaa-secret bbbb-secret');
    });
    const b = withRunSecrets(new SecretRegistry(['bbbb-secret']), async () => scrubSecrets('aaaa-secret bbbb-secret'));
    expect(await a).toBe(`${REDACTED} bbbb-secret`);
    expect(await b).toBe(`aaaa-secret ${REDACTED}`);
  });
});

describe('environmentSecretValues', () => {
  it('takes the values of secret-looking names of at least the minimum length, and nothing else', () => {
    const env = { WAREHOUSE_PASSWORD: 'pw-long', SLACK_TOKEN: 'xoxb-1', X_API_KEY: 'abc', HOME: '/home/u', MAX_TOKEN_COUNT: '4096', UNSET_SECRET: undefined };
    expect(environmentSecretValues(env)).toEqual(['pw-long', 'xoxb-1']);
    expect('abc'.length).toBeLessThan(MIN_SECRET_LENGTH);
  });

  it('leaves out switches and numbers under secret-looking names, which would mask every true or 3600 in a plan', () => {
    const env = { USE_SSH_KEY: 'true', GIT_SSH_KEY_CHECK: 'False', TOKEN_TTL_SECRET: '3600', DEPLOY_KEY: 'ssh-ed25519 AAAAC3Nz' };
    expect(environmentSecretValues(env)).toEqual(['ssh-ed25519 AAAAC3Nz']);
  });
});

describe('SecretRegistry', () => {
  const value = 'pa ss/"wörd"+1';

  it('removes a value as is, JSON-escaped, URL-encoded (both ways), base64 and as Basic credentials', () => {
    const secrets = new SecretRegistry([value]);
    const shown = [
      value,
      JSON.stringify({ v: value }),
      `https://hook?token=${encodeURIComponent(value)}`,
      `form: ${encodeURIComponent(value).replace(/%20/g, '+')}`,
      Buffer.from(value).toString('base64'),
      `Basic ${Buffer.from(`${value}:`).toString('base64')}`,
    ];
    for (const text of shown) {
      expect(secrets.reveals(text), text).toBe(true);
      const out = secrets.redact(text);
      expect(out, text).toContain(REDACTED);
      expect(secrets.reveals(out), out).toBe(false);
    }
    expect(secrets.redact(JSON.stringify({ v: `x ${value} y` }))).toBe(`{"v":"x ${REDACTED} y"}`);
  });

  it('replaces a value containing another one whole', () => {
    const secrets = new SecretRegistry(['abcd', 'xx-abcd-yy']);
    expect(secrets.redact('1 xx-abcd-yy 2 abcd')).toBe(`1 ${REDACTED} 2 ${REDACTED}`);
  });

  it('masks a value shorter than MIN_SECRET_LENGTH only as a whole value', () => {
    const short = 'x'.repeat(MIN_SECRET_LENGTH - 1);
    const secrets = new SecretRegistry([short]);
    expect(secrets.redact(`${short}yz and ${short}`)).toBe(`${short}yz and ${short}`);
    expect(secrets.redact(short)).toBe(REDACTED);
    expect(secrets.redact(`~ owner: "admin" → "${short}"`)).toBe(`~ owner: "admin" → "${REDACTED}"`);
    expect(secrets.reveals(`a ${short}`)).toBe(false);
    expect(secrets.reveals(short)).toBe(true);
  });

  it('redacts the strings and keys of a value into a copy', () => {
    const secrets = new SecretRegistry([value, 'ab']);
    const input = { list: [`a ${value}`, 'ab', 'abc', 3], [value]: { ok: true } };
    expect(secrets.redactValue(input)).toEqual({ list: [`a ${REDACTED}`, REDACTED, 'abc', 3], [REDACTED]: { ok: true } });
    expect(input.list[0]).toBe(`a ${value}`);
  });

  it('scrubs values of the current run, and leaves them outside a run', () => {
    const input = { note: 'the s3cr3t-value' };
    expect(withRunSecrets(new SecretRegistry(['s3cr3t-value']), () => [scrubValue(input), revealsSecret(input.note)])).toEqual([
      { note: `the ${REDACTED}` },
      true,
    ]);
    expect([scrubValue(input), revealsSecret(input.note)]).toEqual([input, false]);
  });
});

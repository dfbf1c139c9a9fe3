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

  it('keeps a run that started alone apart from one that overlaps it, on both sides of every await', async () => {
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const a = withRunSecrets(new SecretRegistry(['aaaa-secret']), async () => {
      const before = scrubSecrets('aaaa-secret bbbb-secret cccc-secret dddd-secret');
      await held;
      registerSecrets(['cccc-secret']);
      await tick();
      return [before, scrubSecrets('aaaa-secret bbbb-secret cccc-secret dddd-secret')];
    });
    const b = withRunSecrets(new SecretRegistry(['bbbb-secret']), async () => {
      await tick();
      release();
      registerSecrets(['dddd-secret']);
      await tick();
      return scrubSecrets('aaaa-secret bbbb-secret cccc-secret dddd-secret');
    });
    expect(await b).toBe(`aaaa-secret ${REDACTED} cccc-secret ${REDACTED}`);
    expect(await a).toEqual([
      `${REDACTED} bbbb-secret cccc-secret dddd-secret`,
      `${REDACTED} bbbb-secret ${REDACTED} dddd-secret`,
    ]);
    expect(scrubSecrets('aaaa-secret bbbb-secret')).toBe('aaaa-secret bbbb-secret');
  });

  it('gives a run started inside another its own secrets, and the outer run its own again after it', async () => {
    const outer = await withRunSecrets(new SecretRegistry(['outer-secret']), async () => {
      const inner = await withRunSecrets(new SecretRegistry(['inner-secret']), async () => {
        await Promise.resolve();
        return scrubSecrets('outer-secret inner-secret');
      });
      return [inner, scrubSecrets('outer-secret inner-secret')];
    });
    expect(outer).toEqual([`outer-secret ${REDACTED}`, `${REDACTED} inner-secret`]);
  });

  it('ends a run that throws or rejects: what follows is outside any run', async () => {
    expect(() =>
      withRunSecrets(new SecretRegistry(['thrown-secret']), () => {
        throw new Error('failed');
      }),
    ).toThrow('failed');
    expect(scrubSecrets('thrown-secret')).toBe('thrown-secret');
    await expect(withRunSecrets(new SecretRegistry(['rejected-secret']), () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    expect(scrubSecrets('rejected-secret')).toBe('rejected-secret');
    const runs = [1, 2].map((n) => withRunSecrets(new SecretRegistry([`run-${n}-secret`]), async () => scrubSecrets('run-1-secret run-2-secret')));
    expect(await Promise.all(runs)).toEqual([`${REDACTED} run-2-secret`, `run-1-secret ${REDACTED}`]);
    expect(scrubSecrets('run-1-secret run-2-secret')).toBe('run-1-secret run-2-secret');
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

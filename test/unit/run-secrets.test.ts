import { describe, expect, it } from 'vitest';
import { REDACTED, registerSecrets, scrubSecrets, SecretRegistry, withRunSecrets } from '../../src/log/secrets.js';

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

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { SecretRegistry } from '../../src/base/secrets.js';
import type { Logger } from '../../src/base/logger.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l !== '') };
}

const KEY = 'dkuaps-abcdef0123456789';

describe('createLogger', () => {
  it('writes one JSON object per line, at the chosen level, with context first', () => {
    const out = capture();
    const log = createLogger({ level: 'info', pretty: false, destination: out.stream });

    log.debug({ address: 'Project/CHURN' }, 'hidden');
    log.info({ address: 'Project/CHURN', action: 'update' }, 'applied');

    const lines = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, address: 'Project/CHURN', action: 'update', msg: 'applied' });
    expect(lines[0]).not.toHaveProperty('pid');
  });

  it('censors secret fields by name', () => {
    const out = capture();
    const log = createLogger({ pretty: false, destination: out.stream });

    log.info({ apiKey: 'k-one', node: { adminApiKey: 'k-two', url: 'https://dss' }, headers: { authorization: 'Basic xyz' } }, 'config');
    log.info({ password: 'p', secret: 's' }, 'more');

    const text = out.lines().join('\n');
    for (const value of ['k-one', 'k-two', 'Basic xyz', '"p"', '"s"']) expect(text).not.toContain(value);
    expect(text).toContain('https://dss');
    expect(text).toContain('[redacted]');
  });

  it('removes registered secret values wherever they appear, including ones registered later', () => {
    const out = capture();
    const secrets = new SecretRegistry([KEY]);
    const log = createLogger({ pretty: false, destination: out.stream, secrets });
    secrets.add('pa"ss\\word-42');

    log.warn({ detail: { deep: { text: `key=${KEY}` } } }, `request with ${KEY} failed`);
    log.error({ err: new Error(`refused ${KEY}`) }, 'boom');
    log.info({ value: 'pa"ss\\word-42' }, 'quoted');
    log.info({ header: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` }, 'basic');

    const text = out.lines().join('\n');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('ss\\\\word-42');
    expect(text).not.toContain(Buffer.from(`${KEY}:`).toString('base64'));
    for (const line of out.lines()) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(text.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('pretty-prints, still without secrets', () => {
    const out = capture();
    const log = createLogger({ pretty: true, destination: out.stream, secrets: [KEY] });

    log.info({ address: 'Project/CHURN', apiKey: KEY }, `applied with ${KEY}`);

    const text = out.lines().join('\n');
    expect(text).toContain('INFO');
    expect(text).toContain('applied with [redacted]');
    expect(text).not.toContain(KEY);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('satisfies the Logger interface of the resource kinds', () => {
    const log: Logger = createLogger({ pretty: false, destination: capture().stream });
    expect(typeof log.info).toBe('function');
  });

  it('ignores the empty value, and masks a value too short to mask anywhere only where it is a whole value', () => {
    const secrets = new SecretRegistry(['', 'ab']);
    expect(secrets.size).toBe(1);
    expect(secrets.redact('abc')).toBe('abc');
    expect(secrets.redact('{"owner":"ab","name":"abc"}')).toBe('{"owner":"[redacted]","name":"abc"}');
  });
});

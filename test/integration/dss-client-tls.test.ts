// TLS against a local HTTPS server whose certificate is signed by a private test authority: verification is on
// by default, `caFile` trusts the authority, `insecure` turns verification off with a warning.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../src/config/types.js';
import { DEFAULTS } from '../../src/config/types.js';
import { createDssClient } from '../../src/dss/client.js';
import type { DssClient } from '../../src/dss/types.js';
import { DssConnectionError } from '../../src/dss/errors.js';
import type { Logger } from '../../src/base/logger.js';
import { UserError } from '../../src/errors.js';

// A throwaway authority and a certificate for IP 127.0.0.1, valid until 2126; they protect nothing.
const CA_PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBkDCCATegAwIBAgIUFBQYZ3/qQ5CL17JUfnAMpgG+oC8wCgYIKoZIzj0EAwIw',
  'HTEbMBkGA1UEAwwSZHNzLWdpdG9wcyB0ZXN0IENBMCAXDTI2MTEyNzIxNTUyN1oY',
  'DzIxMjYxMTAzMjE1NTI3WjAdMRswGQYDVQQDDBJkc3MtZ2l0b3BzIHRlc3QgQ0Ew',
  'WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATr4l4mwIMNfgGYmG/+dQExv4LKbsJ3',
  'OHmLKfhpnDXDcFFYeZfuOVT0wKM8klF7ARYkMZG2O7YXZ/wpjKMiMs8Xo1MwUTAd',
  'BgNVHQ4EFgQUExseibpwoGXAVgymhP9qF5VZIV4wHwYDVR0jBBgwFoAUExseibpw',
  'oGXAVgymhP9qF5VZIV4wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE',
  'AiBIilXuvWZ3Cf2Duv2090adpIlzLqzJ6ou9gvhjb8tJywIgCR6K82ghDutp9KVp',
  'PRPu7859oYwoi/FdnPc2KLbh3y8=',
  '-----END CERTIFICATE-----',
].join('\n');
const SERVER_CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBlDCCATmgAwIBAgIUbmqD+TIkXojtjUiEbGj61Vuk2bMwCgYIKoZIzj0EAwIw',
  'HTEbMBkGA1UEAwwSZHNzLWdpdG9wcyB0ZXN0IENBMCAXDTI2MTEyNzIxNTUyOFoY',
  'DzIxMjYxMTAzMjE1NTI4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjO',
  'PQIBBggqhkjOPQMBBwNCAAR2tCOI3MtyeEXARM3KfxQeP/C8U515RhizCo7nBIFw',
  'FK6J3ibpFRl5XgrjRpLEJ4ykyXuvi/skhQhQqtEA6jkko14wXDAPBgNVHREECDAG',
  'hwR/AAABMAkGA1UdEwQCMAAwHQYDVR0OBBYEFFSElL3GAPYNLeaRncxAkq7Kr+hM',
  'MB8GA1UdIwQYMBaAFBMbHom6cKBlwFYMpoT/aheVWSFeMAoGCCqGSM49BAMCA0kA',
  'MEYCIQCuEVMJsOxRoO09LjAGO0lL4/X7CwY+X+8Q8Ln5fF+0zAIhAPl735UpOK9o',
  'E9rvo7oLlx+vqAJARtdzaFR+Tqfg+Idp',
  '-----END CERTIFICATE-----',
].join('\n');
const SERVER_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpJibJuzP4bVOeVvV',
  'FlHnYDNvdUvzF9kjSRCmILPSMP2hRANCAAR2tCOI3MtyeEXARM3KfxQeP/C8U515',
  'RhizCo7nBIFwFK6J3ibpFRl5XgrjRpLEJ4ykyXuvi/skhQhQqtEA6jkk',
  '-----END PRIVATE KEY-----',
].join('\n');

let server: Server;
let url: string;
let dir: string;
let caFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dss-gitops-tls-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, CA_PEM);
  server = createServer({ cert: SERVER_CERT, key: SERVER_KEY }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'dss-version': '14.1.0' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function list(node: Partial<NodeConfig>): Promise<{ result: unknown; sleeps: number[]; warnings: string[] }> {
  const sleeps: number[] = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (_obj, msg) => warnings.push(msg ?? ''),
    error: () => {},
  };
  const client = createDssClient(
    { url, apiKey: 'tls-test-key', ...node },
    { nodeName: 'design', defaults: DEFAULTS, logger, timing: { sleep: (ms) => (sleeps.push(ms), Promise.resolve()) } },
  );
  try {
    const result = await client.getJson('/projects/').catch((e: unknown) => e);
    return { result, sleeps, warnings };
  } finally {
    await client.close();
  }
}

describe('TLS', () => {
  it('verifies certificates by default, failing at once with a hint', async () => {
    const { result, sleeps } = await list({});

    expect(result).toBeInstanceOf(DssConnectionError);
    expect((result as DssConnectionError).message).toContain('TLS verification failed: set caFile');
    // A certificate that does not verify will not verify on the next attempt either.
    expect(sleeps).toEqual([]);
  });

  it('trusts a private authority given as caFile', async () => {
    const { result, warnings } = await list({ caFile });

    expect(result).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('skips verification only when insecure is set, and warns', async () => {
    const { result, warnings } = await list({ insecure: true });

    expect(result).toEqual([]);
    expect(warnings).toEqual(['TLS certificate verification is disabled for node design (insecure)']);
  });

  it('verifies the connections a client opens ahead of need as it verifies the first', async () => {
    const open = (node: Partial<NodeConfig>): DssClient => {
      const client = createDssClient({ url, apiKey: 'tls-test-key', ...node }, { nodeName: 'design', defaults: { ...DEFAULTS, parallelism: 4 }, timing: { sleep: () => Promise.resolve() } });
      client.warmConnections(4);
      return client;
    };
    const untrusted = open({});
    const trusted = open({ caFile });
    try {
      const refused = await Promise.all(['/a', '/b', '/c', '/d'].map((p) => untrusted.getJson(p).catch((e: unknown) => e)));
      const answered = await Promise.all(['/a', '/b', '/c', '/d'].map((p) => trusted.getJson(p)));

      for (const error of refused) expect(String(error)).toContain('TLS verification failed: set caFile');
      expect(answered).toEqual([[], [], [], []]);
    } finally {
      await untrusted.close();
      await trusted.close();
    }
  });

  it('reports an unreadable caFile as a user error', () => {
    expect(() => createDssClient({ url, apiKey: 'k', caFile: join(dir, 'missing.pem') }, { nodeName: 'design' })).toThrow(
      UserError,
    );
  });
});

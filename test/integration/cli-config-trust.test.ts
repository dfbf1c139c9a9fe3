// dss-gitops.yaml comes from the pull request `plan` runs on, with the runner's keys in the environment: it cannot
// send a key to a server the environment did not name, nor trust a server for the environment. Every refusal is a
// problem at the file's line and column, before any request to anyone.

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const PASSWORD = 'Wh-Pa55w0rd-77';

let sim: TestSimulator;
let dir: string;
/** A server nobody named, recording what it is sent. */
let listener: { server: Server; url: string; headers: IncomingHttpHeaders[] };

async function startListener(): Promise<typeof listener> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, headers };
}

function writeConfig(text: string): void {
  writeFileSync(path.join(dir, 'm', 'dss-gitops.yaml'), `${text}source: dss-gitops-example\n`);
}

async function plan(env: Record<string, string>): Promise<CliResult> {
  return runCliCaptured(['plan', '-f', 'm'], { env: { WAREHOUSE_PASSWORD: PASSWORD, ...env }, cwd: dir });
}

function expectNoKey(result: CliResult): void {
  for (const value of [sim.adminKey, PASSWORD]) expect(result.stdout + result.stderr).not.toContain(value);
}

beforeEach(async () => {
  sim = await startTestSimulator();
  listener = await startListener();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-trust-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
});

afterEach(async () => {
  await sim.close();
  await new Promise<void>((resolve) => listener.server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('a configuration naming another server while the environment names DSS', () => {
  it.each([
    ['${env:DSS_API_KEY}', 'it is the design node\'s key, sent only to'],
    ['${secret:WAREHOUSE_PASSWORD}', 'a variable is sent only to an origin the environment names'],
  ])('cannot send %s to it: the URL and the key are refused, and nothing is sent to anyone', async (reference, reason) => {
    writeConfig(`nodes:\n  deployer:\n    url: ${listener.url}\n    apiKey: ${reference}\n`);
    const result = await plan({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey });
    expect(result.code).toBe(1);
    const listenerOrigin = new URL(listener.url).origin;
    expect(result.stderr).toContain(
      `m/dss-gitops.yaml:3:10: the deployer node's URL is on ${listenerOrigin}, an origin the environment does not name (DSS_URL names ${new URL(sim.url).origin})`,
    );
    expect(result.stderr).toContain('set DSS_DEPLOYER_URL in the environment that runs dss-gitops');
    expect(result.stderr).toContain(`m/dss-gitops.yaml:4:13: \`${reference.slice(2, -1).split(':')[1]}\` is refused as the deployer node's apiKey: ${reason}`);
    expect(listener.headers).toEqual([]);
    expect(sim.stats().total).toBe(0);
    expectNoKey(result);
  });

  it('refuses a design URL of the file when only DSS_DEPLOYER_URL is set', async () => {
    writeConfig(`nodes:\n  design:\n    url: ${listener.url}\n`);
    const result = await plan({ DSS_DEPLOYER_URL: sim.url, DSS_API_KEY: sim.adminKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`m/dss-gitops.yaml:3:10: the design node's URL is on ${new URL(listener.url).origin}`);
    expect(result.stderr).toContain('set DSS_URL in the environment');
    expect(listener.headers).toEqual([]);
  });

  it('takes a deployer of the file on the origin DSS_URL names, with the design key', async () => {
    writeConfig(`nodes:\n  deployer:\n    url: ${sim.url}/\n    apiKey: \${secret:DSS_API_KEY}\n`);
    const result = await plan({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan: ');
  });
});

describe('a configuration without DSS_URL in the environment (a local user\'s file)', () => {
  it('names the design server and reads its key from the environment, as before', async () => {
    writeConfig(`nodes:\n  design:\n    url: ${sim.url}\n    apiKey: \${secret:DSS_API_KEY}\n`);
    const result = await plan({ DSS_API_KEY: sim.adminKey });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan: ');
  });

  it('sends DSS_API_KEY and other variables to no other server', async () => {
    for (const reference of ['${secret:DSS_API_KEY}', '${secret:WAREHOUSE_PASSWORD}']) {
      writeConfig(`nodes:\n  design:\n    url: ${sim.url}\n  deployer:\n    url: ${listener.url}\n    apiKey: ${reference}\n`);
      const result = await plan({ DSS_API_KEY: sim.adminKey });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("m/dss-gitops.yaml:6:13: ");
      expect(result.stderr).toContain("is refused as the deployer node's apiKey");
      expectNoKey(result);
    }
    expect(listener.headers).toEqual([]);
    expect(sim.stats().total).toBe(0);
  });
});

describe('what trusts a server the environment names', () => {
  it.each([
    ['caFile: ca.pem', 'caFile', '`caFile` is refused for', 'set DSS_CA_FILE'],
    ['insecure: true', 'insecure', '`insecure: true` is refused for', 'set DSS_INSECURE=1'],
  ])('%s of the file is refused unless the environment says it too', async (line, _field, message, hint) => {
    writeFileSync(path.join(dir, 'm', 'ca.pem'), 'not used\n');
    writeConfig(`nodes:\n  design:\n    ${line}\n`);
    const result = await plan({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`m/dss-gitops.yaml:3:`);
    expect(result.stderr).toContain(`${message} ${new URL(sim.url).origin}, which the environment names`);
    expect(result.stderr).toContain(hint);
    expect(sim.stats().total).toBe(0);
    const env = line.startsWith('caFile') ? { DSS_CA_FILE: path.join(dir, 'm', 'ca.pem') } : { DSS_INSECURE: '1' };
    const allowed = await plan({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, ...env });
    expect(allowed.stderr).not.toContain(message);
    expect(allowed.code).toBe(0);
  });
});

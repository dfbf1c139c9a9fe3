// Errors the CLI prints pass through the run's secrets: a DSS error echoing a variable value or an API key is
// printed with the value redacted.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/base/secrets.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const PASSWORD = 'Hunter2-WAREHOUSE';
const KEY = 'design-key-0123456789';

let server: Server;
let url: string;

beforeEach(async () => {
  // A DSS that refuses every call with a 400 whose message quotes a secret of the run and the caller's key.
  server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().replace(/:$/, '') : auth;
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errorType: 'IllegalArgumentException', message: `bad value ${PASSWORD} for key ${key}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function cli(argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: url, DSS_API_KEY: KEY, WAREHOUSE_PASSWORD: PASSWORD },
    cwd: EXAMPLE,
  });
}

describe('error messages', () => {
  it('redact the secrets of the run, with and without --debug', async () => {
    for (const debug of [[], ['--debug']]) {
      const result = await cli([...debug, 'plan', '-f', '.']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('bad value');
      expect(result.stderr).toContain(REDACTED);
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
      expect(result.stdout + result.stderr).not.toContain(KEY);
    }
  });
});

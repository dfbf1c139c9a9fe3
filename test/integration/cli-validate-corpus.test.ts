// The corpus of invalid manifests: each directory under test/fixtures/invalid holds one problem, and validate must
// report exactly the lines recorded in its expected.txt, exit 1, and send no request to the DSS it is pointed at.
// A case may add arguments in args.txt, one per line.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = path.join(ROOT, 'test/fixtures/invalid');
const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

let server: Server;
let dssUrl: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dssUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function extraArgs(dir: string): string[] {
  try {
    return readFileSync(path.join(dir, 'args.txt'), 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

async function validate(dir: string): Promise<CliResult> {
  const env = { DSS_URL: dssUrl, DSS_API_KEY: 'corpus-key-never-used' };
  const argv = ['validate', '-f', path.relative(ROOT, dir), ...extraArgs(dir)];
  return runCliCaptured(argv, { env, cwd: ROOT });
}

describe('the invalid manifest corpus', () => {
  it('holds at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s: reports exactly its expected problem, and nothing else', async (name) => {
    const dir = path.join(CORPUS, name);
    const expected = readFileSync(path.join(dir, 'expected.txt'), 'utf8');
    const result = await validate(dir);
    expect(result.stderr).toBe(expected);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    // One problem per case: one `file:line:col:` line, then the summary.
    expect(expected.split('\n').filter((line) => /^\S+:\d+:\d+: /.test(line))).toHaveLength(1);
    expect(expected).toContain('1 error: the manifests are not valid.');
  });

  it('sent no request to DSS while validating the whole corpus', () => {
    expect(requests).toEqual([]);
  });
});

// The corpus of invalid manifests: each directory under test/fixtures/invalid holds one problem, and validate must
// report exactly the lines recorded in its expected.txt, exit 1, and send no request to the DSS it is pointed at.
// A case may add arguments in args.txt, one per line.

import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Program from '../../src/cli/program.js';
import { captureIo, runCliCaptured, type CliResult } from '../helpers/cli.js';

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

// The build writes the shipped schemas' validators as ajv standalone code (dist/schemas), which the built CLI runs
// instead of compiling the schemas: it must word every problem as the compiled ones do, byte for byte.
describe('the invalid manifest corpus through the built CLI', () => {
  const built = path.join(ROOT, 'dist/cli/program.js');

  it('is checked with the validators the build wrote, one per shipped schema and none compiled', async () => {
    expect(readdirSync(path.join(ROOT, 'dist/schemas')).filter((f) => f.endsWith('.cjs')).length).toBeGreaterThanOrEqual(15);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', `import { createRequire } from 'node:module';
const { runCli } = await import(${JSON.stringify(built)});
await runCli(['validate', '-f', 'manifests-example'], { stdout: process.stderr, stderr: process.stderr, env: {}, cwd: ${JSON.stringify(ROOT)}, stdinIsTTY: false });
const loaded = Object.keys(createRequire(import.meta.url)('node:module')._cache);
console.log(JSON.stringify(loaded.filter((f) => f.includes('node_modules/ajv/') || f.includes('dist/schemas/'))));`],
      { cwd: ROOT },
    );
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded.some((f) => f.includes('dist/schemas/'))).toBe(true);
    expect(loaded.filter((f) => f.includes('node_modules/ajv/') && !f.includes('/dist/runtime/'))).toEqual([]);
  });

  it.each(cases)('%s: reports the same problem', async (name) => {
    const { runCli } = (await import(built)) as typeof Program;
    const dir = path.join(CORPUS, name);
    const captured = captureIo({ DSS_URL: dssUrl, DSS_API_KEY: 'corpus-key-never-used' }, ROOT);
    const code = await runCli(['validate', '-f', path.relative(ROOT, dir), ...extraArgs(dir)], captured.io);
    expect(captured.stderr()).toBe(readFileSync(path.join(dir, 'expected.txt'), 'utf8'));
    expect(captured.stdout()).toBe('');
    expect(code).toBe(1);
  });
});

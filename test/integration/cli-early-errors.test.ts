// A command that fails on a bad flag releases what it started: with --sim, the embedded simulator must not be left
// listening (the process would print the error and never exit), and watch refuses the flag before it starts.

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { EXAMPLE } from '../helpers/watch.js';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
let work: string;

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-early-errors-'));
  cpSync(EXAMPLE, path.join(work, 'm'), { recursive: true });
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

const env = (): NodeJS.ProcessEnv => ({ WAREHOUSE_PASSWORD: 'x', HOME: work });
const listening = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('--parallelism refused with --sim', () => {
  it.each([
    ['plan', '0'],
    ['apply', 'abc'],
    ['drift', '0'],
    ['export', 'abc'],
  ])('%s --parallelism %s exits 1 with the error and leaves no server listening', async (command, value) => {
    const before = listening();
    const args = command === 'export' ? ['export', '--project', 'X', '--out', 'out'] : [command, '-f', 'm', ...(command === 'apply' ? ['--auto-approve'] : [])];
    const result = await runCliCaptured([...args, '--sim', '--parallelism', value], { env: env(), cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--parallelism must be a positive integer, not ${value}`);
    expect(listening()).toBe(before);
  });

  it('watch refuses it before starting anything', async () => {
    const before = listening();
    const result = await runCliCaptured(['watch', '-f', 'm', '--sim', '--schedule', '0 0 1 1 *', '--parallelism', 'abc'], { env: env(), cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--parallelism must be a positive integer, not abc');
    expect(listening()).toBe(before);
  });

  it('as a process, plan exits on its own', async () => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'plan', '-f', 'm', '--sim', '--parallelism', '0'], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      expect(await exited).toBe(1);
      expect(stderr).toContain('--parallelism must be a positive integer, not 0');
    } finally {
      clearTimeout(timeout);
    }
  }, 40_000);
});

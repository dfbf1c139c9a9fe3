// A command that fails on a bad flag releases what it started: with --sim, the embedded simulator must not be left
// listening (the process would print the error and never exit), and watch refuses the flag before it starts.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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

describe('manifests that declare nothing', () => {
  it.each([['plan'], ['apply'], ['drift']])('%s of an empty -f directory is an error naming it, before any request', async (command) => {
    mkdirSync(path.join(work, 'empty'));
    const extra = command === 'apply' ? ['--auto-approve'] : [];
    const result = await runCliCaptured([command, '-f', 'empty', '--sim', ...extra], { env: env(), cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no manifest document found in empty: check -f, or pass --allow-empty');
    expect(result.stdout).not.toContain('No changes');
    expect(existsSync(path.join(work, '.dss-gitops'))).toBe(false);
  });

  it('plan and validate take --allow-empty when declaring nothing is intended', async () => {
    mkdirSync(path.join(work, 'empty'));
    const validate = await runCliCaptured(['validate', '-f', 'empty'], { env: env(), cwd: work });
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('No manifest document found');
    expect((await runCliCaptured(['validate', '-f', 'empty', '--allow-empty'], { env: env(), cwd: work })).code).toBe(0);
    const plan = await runCliCaptured(['plan', '-f', 'empty', '--sim', '--allow-empty'], { env: env(), cwd: work });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes');
  });
});

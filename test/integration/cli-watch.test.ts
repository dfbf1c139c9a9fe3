// `dss-gitops watch` as a command: flags checked before anything starts, a run on start and on every tick with
// the commit in each log line, probes and metrics on --listen, and a clean exit 0 on SIGTERM, in-process and as a
// real process.

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startTestSimulator, TEST_STATE_KEY_FILE, type TestSimulator } from '../helpers/simulator.js';
import { captureIo, EXAMPLE, editFile, logLines, manifestRepository, parsePrometheus, sampleValue } from '../helpers/watch.js';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

let sim: TestSimulator;
let work: string;
let repo: ReturnType<typeof manifestRepository>;

beforeEach(async () => {
  sim = await startTestSimulator();
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-cli-watch-'));
  repo = manifestRepository();
});

afterEach(async () => {
  await sim.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(repo.dir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed', DSS_GITOPS_CACHE_DIR: path.join(work, 'cache') };
}

describe('watch flags', () => {
  it.each([
    [['watch', '--schedule', '* * * * *'], 'either -f PATH or --git-url URL'],
    [['watch', '-f', 'm', '--git-url', 'x', '--schedule', '* * * * *'], 'either -f PATH or --git-url URL'],
    [['watch', '-f', 'm', '--schedule', 'every minute'], 'not a valid cron expression'],
    [['watch', '-f', 'm', '--schedule', '* * * * *', '--listen', 'nowhere'], 'is not HOST:PORT'],
    [['watch', '-f', 'm', '--schedule', '* * * * *', '--git-ref', 'main'], '--git-ref and --git-path go with --git-url'],
    [['watch', '-f', 'm', '--schedule', '* * * * *', '--webhook', 'XXXXSECRET'], 'is not an http(s) URL'],
  ])('refuses %j before starting', async (argv, message) => {
    const captured = captureIo(env(), work);
    expect(await runCli(argv, captured.io)).toBe(1);
    expect(captured.stderr()).toContain(message);
    expect(captured.stderr()).not.toContain('XXXXSECRET');
    expect(sim.stats().total).toBe(0);
  });

  it('refuses a DSS_GITOPS_WEBHOOK_URL that is no URL without printing it', async () => {
    const captured = captureIo({ ...env(), DSS_GITOPS_WEBHOOK_URL: 'XXXXSECRET' }, work);
    expect(await runCli(['watch', '-f', 'm', '--schedule', '* * * * *'], captured.io)).toBe(1);
    expect(captured.stderr()).toContain('DSS_GITOPS_WEBHOOK_URL) is not an http(s) URL');
    expect(captured.stderr()).not.toContain('XXXXSECRET');
  });
});

describe('watch in-process', () => {
  it('runs on start and on every tick from git, logs the commit of each run, serves probes and metrics, stops on SIGTERM', async () => {
    const apply = captureIo(env(), work);
    expect(await runCli(['apply', '-f', repo.manifests, '--auto-approve'], apply.io)).toBe(0);
    const captured = captureIo(env(), work);
    const argv = ['watch', '--git-url', repo.dir, '--git-ref', 'main', '--git-path', 'manifests'];
    const exit = runCli([...argv, '--schedule', '* * * * * *', '--listen', '127.0.0.1:0'], captured.io);
    const runs = (): Array<Record<string, unknown>> => logLines(captured.stderr()).filter((l) => l.msg === 'drift run finished');

    await vi.waitFor(() => expect(runs().length).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
    const first = repo.head();
    expect(runs()[0]).toMatchObject({ result: 'in_sync', commit: first, drifted: 0, pending: 0, level: 30 });
    const port = logLines(captured.stderr()).find((l) => l.msg === 'status server listening')?.port as number;
    expect((await request(`http://127.0.0.1:${port}/healthz`)).statusCode).toBe(200);
    expect((await request(`http://127.0.0.1:${port}/readyz`)).statusCode).toBe(200);

    editFile(path.join(repo.manifests, 'projects/CHURN/project.yaml'), 'scoreThreshold: 0.7', 'scoreThreshold: 0.8');
    const second = repo.commitAll('raise the threshold');
    await vi.waitFor(() => expect(runs().some((r) => r.commit === second)).toBe(true), { timeout: 30_000, interval: 50 });
    expect(runs().find((r) => r.commit === second)).toMatchObject({ result: 'in_sync', pending: 1 });

    const metrics = parsePrometheus(await (await request(`http://127.0.0.1:${port}/metrics`)).body.text());
    expect(sampleValue(metrics, 'dss_gitops_runs_total', { result: 'in_sync' })).toBeGreaterThanOrEqual(2);

    process.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(logLines(captured.stderr()).some((l) => l.msg === 'stopped')).toBe(true);
    expect(captured.stderr()).not.toContain(sim.adminKey);
    // The server is closed.
    await expect(request(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

describe('watch as a process', () => {
  it('exits 0 on SIGTERM after its run, with --sim', async () => {
    cpSync(EXAMPLE, path.join(work, 'm'), { recursive: true });
    const tsx = import.meta.resolve('tsx');
    const child = spawn(process.execPath, ['--import', tsx, MAIN, 'watch', '-f', 'm', '--sim', '--schedule', '0 0 1 1 *', '--listen', '127.0.0.1:0'], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, WAREHOUSE_PASSWORD: 'x', DSS_SIM_STATE_KEY_FILE: TEST_STATE_KEY_FILE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await vi.waitFor(() => expect(stderr).toContain('drift run finished'), { timeout: 60_000, interval: 100 });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(logLines(stderr).map((l) => l.msg)).toContain('stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

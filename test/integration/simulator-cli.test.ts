// The `sim` and `demo` commands: in-process through runCli/runSim, and `sim` as a real process stopped by SIGTERM.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { runSim } from '../../src/cli/sim.js';
import { captureIo as captureStreams } from '../helpers/cli.js';
import { runCliCaptured } from '../helpers/cli.js';
import { basicAuth, TEST_STATE_KEY_FILE } from '../helpers/simulator.js';

const KEY = 'sim-cli-secret-key';

function captureIo(env: NodeJS.ProcessEnv = {}): { io: CliIo; out: () => string; err: () => string } {
  const { io, stdout, stderr } = captureStreams(env, process.cwd());
  return { io, out: stdout, err: stderr };
}

async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const urlIn = (text: string): string | undefined => /listening on (http:\/\/\S+)/.exec(text)?.[1];

describe('dss-gitops sim', () => {
  it('exits 1 with a clear message when the admin key is not set', async () => {
    const { io, err } = captureIo({});
    expect(await runCli(['sim'], io)).toBe(1);
    expect(err()).toContain('DSS_SIM_API_KEY');
    const custom = captureIo({});
    expect(await runCli(['sim', '--admin-key-env', 'MY_SIM_KEY'], custom.io)).toBe(1);
    expect(custom.err()).toContain('MY_SIM_KEY');
  });

  it('refuses bad flag values', async () => {
    const { io, err } = captureIo({ DSS_SIM_API_KEY: KEY });
    expect(await runCli(['sim', '--fault-rate', '2'], io)).toBe(1);
    expect(err()).toContain('--fault-rate');
    expect(await runCli(['sim', '--port', 'abc'], captureIo({ DSS_SIM_API_KEY: KEY }).io)).toBe(1);
  });

  it('serves the API with the key from the environment, prints its URL but never the key', async () => {
    const { io, out, err } = captureIo({ OTHER_KEY_VAR: KEY });
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const flags = { host: '127.0.0.1', port: '0', latencyMs: '0', faultRate: '0', adminKeyEnv: 'OTHER_KEY_VAR' };
    const running = runSim(flags, io, stopped);
    const url = await waitFor(() => urlIn(out()));
    const ok = await fetch(`${url}/public/api/projects/`, { headers: { authorization: basicAuth(KEY) } });
    expect(ok.status).toBe(200);
    const denied = await fetch(`${url}/public/api/projects/`, { headers: { authorization: basicAuth('wrong') } });
    expect(denied.status).toBe(401);
    stop();
    await running;
    expect(out() + err()).not.toContain(KEY);
    expect(err()).toContain('stopped after 2 requests');
  });

  it('warns on stderr, in one line, when it listens beyond loopback, and not on loopback', async () => {
    const runOn = async (host: string): Promise<{ out: string; err: string }> => {
      const { io, out, err } = captureIo({ DSS_SIM_API_KEY: KEY });
      let stop = (): void => undefined;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const running = runSim({ host, port: '0', latencyMs: '0', faultRate: '0', adminKeyEnv: 'DSS_SIM_API_KEY' }, io, stopped);
      await waitFor(() => urlIn(out()));
      const seen = { out: out(), err: err() };
      stop();
      await running;
      return seen;
    };
    const exposed = await runOn('0.0.0.0');
    const warnings = exposed.err.split('\n').filter((line) => line.startsWith('Warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/listens on 0\.0\.0\.0, reachable from the network/);
    expect(warnings[0]).toMatch(/secret/);
    expect(exposed.out + exposed.err).not.toContain(KEY);
    for (const host of ['127.0.0.1', 'localhost']) {
      const local = await runOn(host);
      expect(local.err, host).not.toContain('Warning');
    }
  });

  it('caps JSON bodies at --max-json-body-bytes with 413, and refuses a bad cap', async () => {
    const { io, out } = captureIo({ DSS_SIM_API_KEY: KEY });
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const flags = { host: '127.0.0.1', port: '0', latencyMs: '0', faultRate: '0', adminKeyEnv: 'DSS_SIM_API_KEY', maxJsonBodyBytes: '1024' };
    const running = runSim(flags, io, stopped);
    const url = await waitFor(() => urlIn(out()));
    const post = (name: string): Promise<Response> =>
      fetch(`${url}/public/api/projects/`, { method: 'POST', headers: { authorization: basicAuth(KEY) }, body: JSON.stringify({ projectKey: 'A', name }) });
    expect((await post('x'.repeat(2048))).status).toBe(413);
    expect((await post('small')).status).toBe(200);
    stop();
    await running;
    const bad = captureIo({ DSS_SIM_API_KEY: KEY });
    expect(await runCli(['sim', '--max-body-bytes', '0'], bad.io)).toBe(1);
    expect(bad.err()).toContain('--max-body-bytes');
  });

  it('runs as a process, saves its state file, and stops cleanly on SIGTERM', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'dss-sim-cli-')), 'state.json');
    // node --import tsx rather than npx, so that SIGTERM reaches the CLI itself and not a wrapper process.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sim', '--port', '0', '--state', stateFile], {
      cwd: process.cwd(),
      env: { ...process.env, DSS_SIM_API_KEY: KEY, DSS_SIM_STATE_KEY_FILE: TEST_STATE_KEY_FILE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      const url = await waitFor(() => urlIn(out));
      const created = await fetch(`${url}/dip/publicapi/projects/`, {
        method: 'POST',
        headers: { authorization: basicAuth(KEY) },
        body: JSON.stringify({ projectKey: 'FROM_CLI', name: 'From CLI' }),
      });
      expect(created.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(out).not.toContain(KEY);
    expect(existsSync(stateFile)).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(stateFile, 'utf8')).design.projects)).toEqual(['FROM_CLI']);
  });
});

describe('dss-gitops demo', () => {
  // The demo's plan and apply output is pinned by cli-plan-apply-demo.test.ts; this checks the simulator's side.
  it('runs against an embedded simulator on loopback, reports its request counts and exits 0', async () => {
    const { io, out } = captureIo({});
    expect(await runCli(['demo'], io)).toBe(0);
    expect(out()).toMatch(/Embedded DSS API simulator at http:\/\/127\.0\.0\.1:\d+/);
    const served = /The simulator served (\d+) requests \((\d+) reads, (\d+) writes\)/.exec(out());
    expect(served).not.toBeNull();
    const [total, reads, writes] = (served ?? []).slice(1).map(Number);
    expect(writes).toBeGreaterThan(0);
    expect(total).toBe((reads ?? 0) + (writes ?? 0));
  });
});

describe('--sim', () => {
  it('keeps the embedded state in .dss-gitops (0700) as a 0600 file with no secret value in clear', async () => {
    const secret = 'sim-state-warehouse-pa55-91c7';
    const dir = mkdtempSync(join(tmpdir(), 'dss-gitops-sim-tree-'));
    const keyFile = join(mkdtempSync(join(tmpdir(), 'dss-gitops-sim-home-')), 'state', 'sim-state.key');
    cpSync(join(import.meta.dirname, '../../manifests-example'), join(dir, 'm'), { recursive: true });
    const env = { WAREHOUSE_PASSWORD: secret, DSS_SIM_STATE_KEY_FILE: keyFile };
    const applied = await runCliCaptured(['apply', '--sim', '--auto-approve', '-f', 'm'], { env, cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    const stateFile = join(dir, '.dss-gitops', 'sim-state.json');
    expect(statSync(join(dir, '.dss-gitops')).mode & 0o777).toBe(0o700);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(stateFile, 'utf8');
    expect(text).toContain('CHURN');
    expect(text).not.toContain(secret);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The next command starts from the sealed state and finds DSS as the manifests say.
    const again = await runCliCaptured(['plan', '--sim', '-f', 'm', '--detailed-exitcode'], { env, cwd: dir });
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
  });
});

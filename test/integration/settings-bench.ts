// Test support for the node-wide settings kinds (InstanceVariables, GeneralSettings): a manifests directory written
// by the test, the CLI run against a simulator with the admin key, and the simulator's writes counted per run.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

export interface SettingsBench {
  sim: TestSimulator;
  dir: string;
  /** Writes `text` to `m/<file>` (the manifests directory), replacing what was there. */
  manifest(file: string, text: string): void;
  /** Runs the CLI in `dir` against the simulator; `env` adds to the admin key and URL. */
  cli(argv: string[], env?: Record<string, string>): Promise<CliResult>;
  /** Runs the CLI and returns it with the writes the simulator received meanwhile. */
  counted(argv: string[], env?: Record<string, string>): Promise<CliResult & { writes: number }>;
  close(): Promise<void>;
}

export async function startSettingsBench(prefix: string): Promise<SettingsBench> {
  const sim = await startTestSimulator();
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(path.join(dir, 'm'));
  const cli = (argv: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, ...env }, cwd: dir });
  return {
    sim,
    dir,
    manifest: (file, text) => writeFileSync(path.join(dir, 'm', file), text),
    cli,
    counted: async (argv, env) => {
      sim.reset({ stats: true, state: false });
      const result = await cli(argv, env);
      return { ...result, writes: sim.stats().writes };
    },
    close: async () => {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Another run's lock in the instance variables, as that run would have written it. */
export function otherRunLock(expiresInMs: number): Record<string, unknown> {
  const now = Date.now();
  return {
    id: 'other-run-lock-id',
    holder: 'alice@laptop',
    reason: 'apply from git:github.com/team/dss#manifests',
    createdAt: new Date(now - 60_000).toISOString(),
    expiresAt: new Date(now + expiresInMs).toISOString(),
    generation: 7,
  };
}

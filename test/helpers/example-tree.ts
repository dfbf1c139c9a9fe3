// A copy of manifests-example applied to a fresh simulator before each test, and a CLI runner against it: the set-up
// of the tests of prune, state, import, destroy and the lock. Register it at the top level of a test file; the
// returned object reads the current test's simulator and directory.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { runCliCaptured, type CliResult, type CliRunOptions } from './cli.js';
import { startTestSimulator, type TestSimulator } from './simulator.js';

export const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');

export interface AppliedExample {
  readonly sim: TestSimulator;
  /** The temporary working directory; the example tree is its `m/`. */
  readonly dir: string;
  /** Runs the CLI in `dir` with the simulator's URL and admin key, and the example's secret. */
  cli(argv: string[], options?: Partial<CliRunOptions>): Promise<CliResult>;
  /** Whether a GET of `apiPath` answers 200. */
  exists(apiPath: string): Promise<boolean>;
}

export function useAppliedExample(prefix: string, simulatorOptions?: Parameters<typeof startTestSimulator>[0]): AppliedExample {
  let sim: TestSimulator | undefined;
  let dir: string | undefined;
  const example: AppliedExample = {
    get sim() {
      if (!sim) throw new Error('the simulator runs only inside a test');
      return sim;
    },
    get dir() {
      if (dir === undefined) throw new Error('the directory exists only inside a test');
      return dir;
    },
    cli: (argv, options = {}) =>
      runCliCaptured(argv, {
        cwd: example.dir,
        ...options,
        env: { DSS_URL: example.sim.url, DSS_API_KEY: example.sim.adminKey, WAREHOUSE_PASSWORD: 'pw', ...options.env },
      }),
    exists: async (apiPath) => (await example.sim.call('GET', apiPath)).status === 200,
  };

  beforeEach(async () => {
    sim = await startTestSimulator(simulatorOptions);
    dir = mkdtempSync(path.join(tmpdir(), `dss-gitops-${prefix}-`));
    cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
    expect((await example.cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
  });

  afterEach(async () => {
    await sim?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    sim = undefined;
    dir = undefined;
  });

  return example;
}

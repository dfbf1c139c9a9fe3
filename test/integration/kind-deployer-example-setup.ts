// The example repository with the deployer tree beside it, on a design simulator (its own Project Deployer) and one
// automation simulator per stage, keys that must never be printed: the set-up the example-deployer tests share.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/cli.js';
import type { SimulatorOptions } from '../../src/simulator/server.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const DEPLOYER = path.resolve(import.meta.dirname, '../../manifests-example-deployer');
const STAGES = ['DEV', 'TEST', 'PROD'] as const;
const keyOf = (stage: string) => `${stage.toLowerCase()}-automation-key-never-printed`;

// Live bindings: set by the hooks useExampleWithDeployer registers, read by the tests after they ran.
export let design: TestSimulator;
export const automation = new Map<string, TestSimulator>();
export let dir: string;

/** Both trees: the example (m) and the deployer tree (d). */
export const both = ['-f', 'm', '-f', 'd'];

/** Runs the CLI with stdout and stderr in one text, as a terminal shows them, and checks no automation key is in it. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  return cliWith({}, ...argv);
}

/** `cli` with io overrides, e.g. a terminal whose prompt answer comes from `readLine`. */
export async function cliWith(overrides: Partial<CliIo>, ...argv: string[]): Promise<{ code: number; out: string }> {
  const env: Record<string, string> = { DSS_URL: design.url, DSS_API_KEY: design.adminKey, WAREHOUSE_PASSWORD: 'example-only' };
  for (const stage of STAGES) {
    env[`${stage}_AUTOMATION_URL`] = automation.get(stage)!.url;
    env[`${stage}_AUTOMATION_API_KEY`] = keyOf(stage);
  }
  const { io, stdout } = captureIo(env, dir);
  const code = await runCli(argv, { ...io, stderr: io.stdout, ...overrides });
  const out = stdout();
  for (const stage of STAGES) expect(out).not.toContain(keyOf(stage));
  return { code, out };
}

/**
 * Starts the simulators and copies both trees before the file's tests; stops and removes them after. `options`
 * go to the design simulator (e.g. a seeded random source for its faults).
 */
export function useExampleWithDeployer(options: SimulatorOptions = {}): void {
  beforeAll(async () => {
    design = await startTestSimulator(options);
    for (const stage of STAGES) automation.set(stage, await startTestSimulator({ adminKey: keyOf(stage) }));
    dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-example-deployer-'));
    cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
    cpSync(DEPLOYER, path.join(dir, 'd'), { recursive: true });
  });
  afterAll(async () => {
    await Promise.all([design.close(), ...[...automation.values()].map((s) => s.close())]);
    rmSync(dir, { recursive: true, force: true });
  });
}

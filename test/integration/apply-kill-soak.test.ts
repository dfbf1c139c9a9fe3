// kill -9 during apply: the CLI, in a child process, is killed with SIGKILL at random points of its writes a few
// times in a row; one more apply then converges to the state of an uninterrupted run, with no duplicate.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { comparable, SCENARIOS, seeded, writeTree } from '../helpers/soak.js';

const PROJECTS = 20;
const KILLS = 3;
const SEED = Number(process.env.SOAK_SEED ?? 99);
const REPO = path.resolve(import.meta.dirname, '../..');
/** tsx's loader by path: the child runs in the tree's directory, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;

let dir: string;
let reference: TestSimulator;
let killed: TestSimulator;

const env = (sim: TestSimulator): NodeJS.ProcessEnv => ({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey });

/**
 * Starts `apply` in a child process and kills it with SIGKILL `afterWritesMs` after its first write reached the
 * simulator (or lets it end, when it ends first). Returns how many writes the simulator had seen at the kill.
 */
async function applyKilled(sim: TestSimulator, afterWritesMs: number): Promise<{ killedAt: number; exit: number | null }> {
  const before = sim.stats().writes;
  // node --import tsx on the sources, as the sim CLI test does: the signal reaches the CLI itself, not a wrapper,
  // and the test runs the code under test rather than whatever dist/ was last built from.
  const child = spawn(process.execPath, ['--import', TSX, path.join(REPO, 'src/cli/main.ts'), 'apply', '-f', 'tree', '--auto-approve'], {
    cwd: dir,
    env: { ...process.env, ...env(sim), NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  while (!done && sim.stats().writes === before) await sleep(10);
  if (!done) await Promise.race([sleep(afterWritesMs), exited]);
  const killedAt = sim.stats().writes - before;
  if (!done) child.kill('SIGKILL');
  const exit = await exited;
  // A run that ended by itself must have ended as apply does, not on a start-up error.
  if (exit !== null && exit !== 0) throw new Error(`apply exited ${exit} before it was killed: ${stderr}`);
  return { killedAt, exit };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-kill-'));
  writeTree(path.join(dir, 'tree'), PROJECTS);
  reference = await startTestSimulator();
  killed = await startTestSimulator();
});

afterAll(async () => {
  await Promise.all([reference?.close(), killed?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('apply killed with SIGKILL', () => {
  it(`converges in one more run after ${KILLS} kills at random points`, async () => {
    const clean = await runCliCaptured(['apply', '-f', 'tree', '--auto-approve'], { env: env(reference), cwd: dir });
    expect(clean.code).toBe(0);

    const random = seeded(SEED);
    const kills: Array<{ killedAt: number; exit: number | null }> = [];
    for (let i = 0; i < KILLS; i++) kills.push(await applyKilled(killed, Math.floor(random() * 600)));
    process.stdout.write(`kill soak (seed ${SEED}): writes seen before each SIGKILL ${JSON.stringify(kills.map((k) => k.killedAt))}\n`);
    // At least one run was cut in the middle of its writes.
    expect(kills.some((k) => k.exit === null)).toBe(true);

    const last = await runCliCaptured(['apply', '-f', 'tree', '--auto-approve'], { env: env(killed), cwd: dir });
    // A run killed while it held the run lock left it behind: its process is gone, so the next run takes it over
    // (saying so) instead of waiting for it to expire; nothing else is said.
    const warnings = last.stderr.split('\n').filter((line) => line !== '');
    for (const line of warnings) expect(line).toMatch(/^Warning: the run lock on node design held by .* was left by a process that is gone \(pid \d+ on this host\): this run takes it over/);
    expect(last.code).toBe(0);
    const plan = await runCliCaptured(['plan', '-f', 'tree', '--detailed-exitcode'], { env: env(killed), cwd: dir });
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);

    const got = comparable(killed.state());
    for (const project of Object.values(killed.state().design.projects)) expect(Object.keys(project.scenarios)).toHaveLength(SCENARIOS);
    const paths = (got.tree as Array<{ path: string }>).map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(got).toEqual(comparable(reference.state()));
  }, 180_000);
});

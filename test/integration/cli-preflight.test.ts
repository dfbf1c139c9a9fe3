// DSS down or a refused key: one clear error from a first light read, before the run reads any object, instead
// of retry lines and one error per object.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { EXAMPLE } from '../helpers/watch.js';

let sim: TestSimulator;
let work: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-preflight-'));
  cpSync(EXAMPLE, path.join(work, 'm'), { recursive: true });
});

afterAll(async () => {
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('preflight', () => {
  it.each([['plan'], ['drift']])('%s with a refused key prints one error naming the node and DSS_API_KEY, never the key', async (command) => {
    sim.reset({ stats: true, state: false });
    const result = await runCliCaptured([command, '-f', 'm'], { env: { DSS_URL: sim.url, DSS_API_KEY: 'wrong-key-value', WAREHOUSE_PASSWORD: 'p' }, cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: cannot use the design node at ${sim.url}: the API key was refused (HTTP 401): check DSS_API_KEY`);
    expect(result.stderr).not.toContain('Project/CHURN');
    expect(result.stderr).not.toContain('wrong-key-value');
    expect(sim.stats().reads).toBe(1);
  });

  it('apply with DSS down prints one error naming DSS_URL, not one per object', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCliCaptured(['apply', '-f', 'm', '--auto-approve'], { env: { DSS_URL: url, DSS_API_KEY: 'k', WAREHOUSE_PASSWORD: 'p' }, cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: cannot use the design node at ${url}: check DSS_URL (or the node's url) and that DSS is up.`);
    expect(result.stderr).not.toContain('Scenario/CHURN');
    expect(result.stderr.match(/^Error:/gm)).toHaveLength(1);
  }, 90_000);
});

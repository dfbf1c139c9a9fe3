// Bundles are pruned only on request: `--prune` alone leaves an exported bundle that left the manifests in DSS
// (and in the ownership record), `--prune --prune-bundles` deletes it.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

let sim: TestSimulator;
let dir: string;

async function cli(...argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey },
    cwd: dir,
  });
}

const PROJECT = `apiVersion: dss-gitops/v1
kind: Project
metadata:
  name: SALES
spec:
  name: Sales
  owner: admin
`;
const bundle = (id: string): string => `apiVersion: dss-gitops/v1
kind: Bundle
metadata:
  name: ${id}
  project: SALES
spec:
  releaseNotes: release ${id}
`;

function writeManifests(bundles: string[]): void {
  writeFileSync(path.join(dir, 'm', 'all.yaml'), [PROJECT, ...bundles.map(bundle)].join('---\n'));
}

const exported = async (id: string): Promise<number> => (await sim.call('GET', `/projects/SALES/bundles/exported/${id}`)).status;

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-bundle-prune-'));
  mkdirSync(path.join(dir, 'm'));
  writeFileSync(path.join(dir, 'm', 'dss-gitops.yaml'), 'source: bundle-prune-test\n');
  writeManifests(['v1', 'v2']);
  expect((await cli('apply', '-f', 'm', '--auto-approve')).code).toBe(0);
  expect(await exported('v1')).toBe(200);
  writeManifests(['v2']);
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prune of bundles', () => {
  it('leaves a bundle that left the manifests with --prune alone, and keeps it for a later run that asks', async () => {
    const planned = await cli('plan', '-f', 'm', '--prune');
    expect(planned.stdout).not.toContain('Bundle/SALES/v1');
    expect((await cli('apply', '-f', 'm', '--auto-approve', '--prune')).code).toBe(0);
    expect(await exported('v1')).toBe(200);

    // Still recorded: asking now deletes it.
    const asked = await cli('plan', '-f', 'm', '--prune', '--prune-bundles');
    expect(asked.stdout).toContain('- delete Bundle/SALES/v1');
    expect(asked.stdout).toContain('Plan: 0 to add, 0 to change, 1 to destroy.');
  });

  it('deletes it with --prune --prune-bundles, and then plans no changes with zero writes', async () => {
    const applied = await cli('apply', '-f', 'm', '--auto-approve', '--prune', '--prune-bundles');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 1 destroyed.');
    expect(await exported('v1')).toBe(404);
    expect(await exported('v2')).toBe(200);

    sim.reset({ stats: true, state: false });
    const again = await cli('apply', '-f', 'm', '--auto-approve', '--prune', '--prune-bundles');
    expect(again.stdout).toContain('No changes. DSS matches the manifests.');
    expect(sim.stats().writes).toBe(0);
  });
});

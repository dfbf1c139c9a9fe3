// Ownership sources against the simulator: two manifests trees laid out alike (each `manifests/p.yaml`) applied to
// the same DSS never prune each other's projects or objects, and a project whose manifests are all gone is only
// deleted with --allow-empty.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

let sim: TestSimulator;
let base: string;

async function cli(cwd: string, argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, cwd });
}

function project(key: string, scenario?: string): string {
  const head = `apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: ${key}\nspec:\n  name: ${key}\n  owner: admin\n`;
  if (scenario === undefined) return head;
  return `${head}---\napiVersion: dss-gitops/v1\nkind: Scenario\nmetadata:\n  name: ${scenario}\n  project: ${key}\nspec:\n  name: ${scenario}\n  type: step_based\n`;
}

/** A git checkout holding `manifests/p.yaml`, with an `origin` remote when one is given. */
function repo(name: string, content: string, origin?: string, config = ''): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  writeFileSync(path.join(dir, 'manifests/p.yaml'), content);
  writeFileSync(path.join(dir, 'manifests/dss-gitops.yaml'), `prune: false\n${config}`);
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'manifests');
  if (origin !== undefined) git('remote', 'add', 'origin', origin);
  return dir;
}

async function recordSource(key: string): Promise<string | undefined> {
  const metadata = await sim.ok<{ custom?: { kv?: Record<string, { source?: string }> } }>('GET', `/projects/${key}/metadata`);
  return metadata.custom?.kv?.['dss-gitops']?.source;
}

beforeEach(async () => {
  sim = await startTestSimulator();
  base = mkdtempSync(path.join(tmpdir(), 'dss-gitops-sources-'));
});

afterEach(async () => {
  await sim.close();
  rmSync(base, { recursive: true, force: true });
});

describe('ownership sources', () => {
  it('two repositories with the same layout never prune each other', async () => {
    const a = repo('a', project('TEAMA'), 'https://user:s3cret@Git.example.com/team-a/dss.git');
    const b = repo('b', project('TEAMB'), 'git@git.example.com:team-b/dss.git');
    expect((await cli(a, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    expect((await cli(b, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    expect(await recordSource('TEAMA')).toBe('git:git.example.com/team-a/dss#manifests');
    expect(await recordSource('TEAMB')).toBe('git:git.example.com/team-b/dss#manifests');

    const planned = await cli(a, ['plan', '-f', 'manifests', '--prune']);
    expect(planned.code).toBe(0);
    expect(planned.stdout).not.toContain('TEAMB');
    expect(planned.stdout).toContain('No changes.');
  });

  it('without a remote, the absolute path of the manifests tells two checkouts apart', async () => {
    const a = repo('a', project('TEAMA'));
    const b = repo('b', project('TEAMB'));
    expect((await cli(a, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    expect((await cli(b, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    expect(await recordSource('TEAMA')).toBe(`dir:${path.join(a, 'manifests')}`);
    const planned = await cli(a, ['plan', '-f', 'manifests', '--prune', '--allow-empty']);
    expect(planned.stdout).not.toContain('TEAMB');
  });

  it('source: in dss-gitops.yaml names the tree, whatever its remote', async () => {
    const a = repo('a', project('TEAMA'), 'https://git.example.com/shared/dss.git', 'source: team-a-dss\n');
    expect((await cli(a, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    expect(await recordSource('TEAMA')).toBe('team-a-dss');
  });

  it('does not prune objects of a declared project another tree recorded, and says which sources differ', async () => {
    const b = repo('b', project('SHARED', 'NIGHTLY'), 'https://git.example.com/team-b/dss.git');
    expect((await cli(b, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    const a = repo('a', project('SHARED'), 'https://git.example.com/team-a/dss.git');
    const planned = await cli(a, ['plan', '-f', 'manifests', '--prune']);
    expect(planned.code).toBe(0);
    expect(planned.stdout).not.toContain('- delete Scenario/SHARED/NIGHTLY');
    expect(planned.stdout).toContain('git:git.example.com/team-b/dss#manifests');
    expect(planned.stdout).toContain('git:git.example.com/team-a/dss#manifests');
    expect(planned.stdout).toContain('Scenario/SHARED/NIGHTLY');

    // Written from team A, the record lists only A's objects: B's scenario never becomes A's to prune.
    expect((await cli(a, ['apply', '-f', 'manifests', '--auto-approve', '--prune'])).code).toBe(0);
    const again = await cli(a, ['plan', '-f', 'manifests', '--prune']);
    expect(again.stdout).not.toContain('- delete Scenario/SHARED/NIGHTLY');
    expect((await sim.call('GET', '/projects/SHARED/scenarios/NIGHTLY')).status).toBe(200);
  });

  it('a checkout without origin never takes a project over silently; --adopt does, as its own plan entry', async () => {
    const a = repo('a', project('CHURN', 'NIGHTLY'), 'https://git.example.com/team/dss.git');
    expect((await cli(a, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    const owner = 'git:git.example.com/team/dss#manifests';
    const b = repo('b', project('CHURN'));
    const other = `dir:${path.join(b, 'manifests')}`;

    const applied = await cli(b, ['apply', '-f', 'manifests', '--auto-approve']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`Project/CHURN is owned by ${owner}, not by this run's source ${other}`);
    expect(applied.stdout).toContain('--adopt');
    expect(await recordSource('CHURN')).toBe(owner);
    // The owner still prunes what it applied: nothing of its inventory was lost.
    writeFileSync(path.join(a, 'manifests/p.yaml'), project('CHURN'));
    expect((await cli(a, ['plan', '-f', 'manifests', '--prune'])).stdout).toContain('- delete Scenario/CHURN/NIGHTLY');

    const adopting = await cli(b, ['plan', '-f', 'manifests', '--adopt']);
    expect(adopting.stdout).toContain('Project/CHURN#ownership');
    expect(adopting.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect((await cli(b, ['apply', '-f', 'manifests', '--adopt', '--auto-approve'])).code).toBe(0);
    expect(await recordSource('CHURN')).toBe(other);
    // Adopted with its inventory: the new owner prunes the scenario it does not declare.
    expect((await cli(b, ['plan', '-f', 'manifests', '--prune'])).stdout).toContain('- delete Scenario/CHURN/NIGHTLY');
  });

  it('deletes a project whose manifests are all gone only with --allow-empty, and plans the rest without it', async () => {
    const a = repo('a', `${project('KEEP')}---\n${project('GONE')}`, 'https://git.example.com/team-a/dss.git');
    expect((await cli(a, ['apply', '-f', 'manifests', '--auto-approve'])).code).toBe(0);
    writeFileSync(path.join(a, 'manifests/p.yaml'), project('KEEP'));

    // The one project's deletion is refused, loudly; the run itself goes on.
    const refused = await cli(a, ['plan', '-f', 'manifests', '--prune']);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/REFUSED: Project\/GONE.*--allow-empty/);
    const applyRefused = await cli(a, ['apply', '-f', 'manifests', '--prune', '--auto-approve']);
    expect(applyRefused.code).toBe(0);
    expect(applyRefused.stdout).toContain('REFUSED: Project/GONE');
    expect((await sim.call('GET', '/projects/GONE/metadata')).status).toBe(200);

    const allowed = await cli(a, ['apply', '-f', 'manifests', '--prune', '--allow-empty', '--auto-approve']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('- delete Project/GONE');
    expect((await sim.call('GET', '/projects/GONE/metadata')).status).toBe(404);
    expect((await sim.call('GET', '/projects/KEEP/metadata')).status).toBe(200);
  });
});

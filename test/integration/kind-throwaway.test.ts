// A kind added from outside src/: the `Note` kind of test/fixtures/throwaway-kind (its folder: kind, schema and the
// simulator's routes) plus one registry entry (`[...KINDS, noteKind]`, given to the CLI). validate, plan, apply,
// drift, prune and export work for it through the CLI, with no other file knowing it; the default registry does not.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonDriftReport } from '../../src/cli/drift-output.js';
import { KINDS, KIND_NAMES, kindRegistry } from '../../src/resources/registry.js';
import type { ResourceKind } from '../../src/resources/types.js';
import { noteKind } from '../fixtures/throwaway-kind/kind.js';
import { registerNoteRoutes } from '../fixtures/throwaway-kind/routes.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const WITH_NOTES: readonly ResourceKind[] = [...KINDS, noteKind];

const PROJECT = 'apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: CHURN\nspec:\n  name: Churn\n  owner: admin\n';
const note = (id: string, text: string, project = 'CHURN'): string =>
  `apiVersion: dss-gitops/v1\nkind: Note\nmetadata:\n  name: ${id}\n  project: ${project}\nspec:\n  text: ${text}\n  pinned: true\n`;

let sim: TestSimulator;
let dir: string;

function writeManifests(...notes: string[]): void {
  rmSync(path.join(dir, 'm'), { recursive: true, force: true });
  mkdirSync(path.join(dir, 'm'));
  writeFileSync(path.join(dir, 'm', 'project.yaml'), PROJECT);
  writeFileSync(path.join(dir, 'm', 'notes.yaml'), notes.join('---\n'));
}

/** `kinds`: the run's kinds, `null` for the registry's own. */
function cli(argv: string[], kinds: readonly ResourceKind[] | null = WITH_NOTES): Promise<CliResult> {
  return runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, cwd: dir, ...(kinds ? { kinds } : {}) });
}

async function apply(...extra: string[]): Promise<CliResult> {
  const result = await cli(['apply', '-f', 'm', '--auto-approve', ...extra]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result;
}

/** Plans again and checks that nothing is left to do, with zero writes. */
async function expectInSync(): Promise<void> {
  sim.reset({ stats: true, state: false });
  const again = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
  expect(again.stdout).toContain('No changes.');
  expect(again.code).toBe(0);
  expect(sim.stats().writes).toBe(0);
}

beforeEach(async () => {
  sim = await startTestSimulator({ routes: [registerNoteRoutes] });
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-throwaway-'));
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a kind added with its folder and one registry entry', () => {
  it('is unknown to the default registry', async () => {
    expect(kindRegistry().has('Note')).toBe(false);
    expect(KIND_NAMES).not.toContain('Note');
    writeManifests(note('welcome', 'hello'));
    const result = await cli(['validate', '-f', 'm'], null);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`m/notes.yaml:2:7: unknown kind \`Note\`; the kinds are ${KIND_NAMES.join(', ')}`);
  });

  it('validates against its own schema and references', async () => {
    writeManifests(note('welcome', 'hello'));
    expect((await cli(['validate', '-f', 'm'])).code).toBe(0);
    writeManifests(note('welcome', 'hello', 'SALES'), `apiVersion: dss-gitops/v1\nkind: Note\nmetadata:\n  name: typo\n  project: CHURN\nspec:\n  txt: x\n`);
    const result = await cli(['validate', '-f', 'm']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('m/notes.yaml:5:3: project `SALES` is not declared (no `Project/SALES`)');
    expect(result.stderr).toContain('m/notes.yaml:16:3: unknown field `txt` in spec');
  });

  it('is planned, applied, updated with what DSS added kept, and then in sync', async () => {
    writeManifests(note('welcome', 'hello'));
    const plan = await cli(['plan', '-f', 'm']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ create Note/CHURN/welcome\n  + pinned: true\n  + text: "hello"\n');
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    await apply();
    expect(await sim.ok('GET', '/projects/CHURN/notes/welcome')).toMatchObject({ id: 'welcome', text: 'hello', pinned: true, color: 'yellow' });
    await expectInSync();

    writeManifests(note('welcome', 'bonjour'));
    const update = await cli(['plan', '-f', 'm']);
    expect(update.stdout).toContain('~ update Note/CHURN/welcome\n  ~ text: "hello" → "bonjour"\n');
    expect(update.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    await apply();
    expect(await sim.ok('GET', '/projects/CHURN/notes/welcome')).toMatchObject({ text: 'bonjour', color: 'yellow' });
    await expectInSync();
  });

  it('drifts when changed in DSS, and a note made by hand is unmanaged', async () => {
    writeManifests(note('welcome', 'hello'));
    await apply();
    const live = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/notes/welcome');
    await sim.ok('PUT', '/projects/CHURN/notes/welcome', { ...live, text: 'edited in DSS' });
    await sim.ok('POST', '/projects/CHURN/notes/', { id: 'handmade', text: 'mine' });
    sim.reset({ stats: true, state: false });
    const result = await cli(['drift', '-f', 'm', '--output', 'json']);
    expect(sim.stats().writes).toBe(0);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as JsonDriftReport;
    expect(report.drift.map((e) => e.address)).toEqual(['Note/CHURN/welcome']);
    expect(report.unmanaged.map((e) => e.address)).toEqual(['Note/CHURN/handmade']);
  });

  it('is named by the configuration: ignoreDifferences of its fields, external addresses', async () => {
    writeManifests(note('welcome', 'hello'));
    writeFileSync(path.join(dir, 'm', 'dss-gitops.yaml'), 'ignoreDifferences:\n  - kind: Note\n    jsonPointers: [/text]\nexternal:\n  - Note/SALES/shared\n');
    expect(await cli(['validate', '-f', 'm'])).toMatchObject({ code: 0, stderr: '' });
    await apply();
    const live = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/notes/welcome');
    await sim.ok('PUT', '/projects/CHURN/notes/welcome', { ...live, text: 'edited in DSS' });
    const result = await cli(['drift', '-f', 'm', '--output', 'json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as JsonDriftReport).drift).toEqual([]);
  });

  it('is pruned when it leaves the manifests, with --prune', async () => {
    writeManifests(note('welcome', 'hello'), note('old', 'bye'));
    await apply();
    writeManifests(note('welcome', 'hello'));
    const pruned = await apply('--prune');
    expect(pruned.stdout).toContain('- delete Note/CHURN/old');
    expect((await sim.call('GET', '/projects/CHURN/notes/old')).status).toBe(404);
    expect((await sim.call('GET', '/projects/CHURN/notes/welcome')).status).toBe(200);
  });

  it('is exported, and the export validates and plans no change', async () => {
    writeManifests(note('welcome', 'hello'));
    await apply();
    const exported = await cli(['export', '--project', 'CHURN', '--out', 'out']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const file = path.join(dir, 'out', 'CHURN', 'notes', 'welcome.yaml');
    expect(readFileSync(file, 'utf8')).toContain('kind: Note\nmetadata:\n  name: welcome\n  project: CHURN\nspec:\n  pinned: true\n  text: hello\n');
    // The package does not ship the kind's schema file: the export writes it from the kind.
    const schema = JSON.parse(readFileSync(path.join(dir, 'out', 'schemas', 'note.schema.json'), 'utf8')) as { title: string };
    expect(schema.title).toBe('dss-gitops Note');
    expect((await cli(['validate', '-f', 'out'])).code).toBe(0);
    sim.reset({ stats: true, state: false });
    const plan = await cli(['plan', '-f', 'out', '--detailed-exitcode']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });
});

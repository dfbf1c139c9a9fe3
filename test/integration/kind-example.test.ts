// The example repository, applied kind by kind against the simulator: it is valid, it converges in one pass, and a
// second run reads each object once and writes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestDocument } from '../../src/manifest/types.js';
import { projectFolderKind } from '../../src/resources/project-folder/kind.js';
import { projectKind } from '../../src/resources/project/kind.js';
import { scenarioKind } from '../../src/resources/scenario/kind.js';
import type { ResourceKind } from '../../src/resources/types.js';
import { applyPlanned, loadExample, planUnits, readsDuring, startKindHarness, writesDuring, type KindHarness } from './kind-harness.js';

const PHASES: ResourceKind[] = [projectFolderKind, projectKind, scenarioKind];

let h: KindHarness;
let documents: ManifestDocument[];

beforeAll(async () => {
  h = await startKindHarness();
  documents = loadExample().documents;
});
afterAll(() => h.close());

/** One run over the example: every unit of a kind is planned concurrently, kinds in dependency order. */
async function runOnce(): Promise<{ changed: string[] }> {
  const ctx = h.run();
  const changed: string[] = [];
  for (const kind of PHASES) {
    const units = documents.filter((d) => d.kind === kind.kind).flatMap((d) => kind.units(d));
    const planned = await planUnits(kind, ctx, units);
    for (const p of planned) if (p.live === undefined || p.changes.length > 0) changed.push(p.unit.address);
    await applyPlanned(kind, ctx, planned);
  }
  return { changed };
}

describe('manifests-example', () => {
  it('holds the folder tree, three projects and five scenarios', () => {
    const count = (kind: string) => documents.filter((d) => d.kind === kind).length;
    expect([count('ProjectFolder'), count('Project'), count('Scenario')]).toEqual([3, 3, 5]);
    const python = documents.find((d) => d.metadata.name === 'EXPORT_SCORES')!;
    expect(scenarioKind.units(python)[0]!.desired.script).toMatch(/^# Pushes the latest churn scores/);
  });

  it('marks the warehouse password sensitive in the variables block', () => {
    const churn = documents.find((d) => d.kind === 'Project' && d.metadata.name === 'CHURN')!;
    const variables = projectKind.units(churn).find((u) => u.block === 'variables')!;
    expect(variables.policy.sensitive).toEqual(['/standard/warehousePassword']);
  });

  it('applies from nothing in one pass, then reads each object once and writes nothing', async () => {
    const first = await runOnce();
    expect(first.changed).toHaveLength(3 + 3 * 4 + 5);

    let second: { changed: string[] } = { changed: [] };
    const reads = await readsDuring(h.client, async () => {
      expect(await writesDuring(h.client, async () => (second = await runOnce()))).toBe(0);
    });
    expect(second.changed).toEqual([]);
    // The folder tree (root, Analytics, Analytics/Churn, Finance) and the project list once each; then one GET per
    // folder settings, project block and scenario, plus the payload of the python scenario.
    expect(reads).toBe(4 + 1 + 3 + 3 * 3 + 5 + 1);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectKind } from '../../src/resources/project/kind.js';
import { scenarioKind } from '../../src/resources/scenario/kind.js';
import type { RequestOptions } from '../../src/dss/types.js';
import type { ExportedSpec, KindContext } from '../../src/resources/types.js';
import {
  applyPlanned,
  converge,
  docOf,
  planUnits,
  readsDuring,
  startKindHarness,
  writesDuring,
  type KindHarness,
} from './kind-harness.js';

type Json = Record<string, unknown>;

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
  await converge(h, projectKind, [docOf('Project', 'CHURN', { name: 'Churn', owner: 'admin' })]);
});
afterAll(() => h.close());

const scenarioDoc = (id: string, spec: Json, file?: string) =>
  docOf('Scenario', id, spec, { project: 'CHURN', ...(file === undefined ? {} : { file }) });

function dailySpec(): Json {
  return {
    name: 'Daily refresh',
    type: 'step_based',
    active: true,
    description: 'Rebuilds the churn scores.',
    params: {
      steps: [
        { id: 'build', type: 'build_flowitem', name: 'Build scores', params: { builds: [{ type: 'DATASET', itemId: 'scores' }] } },
        { id: 'checks', type: 'check_dataset', name: 'Check scores', params: { checks: [] } },
      ],
    },
    triggers: [{ id: 'nightly', type: 'temporal', name: 'Nightly', params: { frequency: 'Daily', hour: 2, minute: 0 } }],
    reporters: [{ id: 'mail', name: 'Mail on failure', messaging: { type: 'mail-scenario', configuration: { recipient: 'team@example.com' } } }],
  };
}

const settingsOf = (id: string) => h.sim.ok<Json>('GET', `/projects/CHURN/scenarios/${id}`);

describe('Scenario', () => {
  it('depends on its project', () => {
    const [unit] = scenarioKind.units(scenarioDoc('DAILY', dailySpec()));
    expect(unit!.address).toBe('Scenario/CHURN/DAILY');
    expect(unit!.dependsOn).toEqual(['Project/CHURN']);
  });

  it('reads a missing scenario as absent', async () => {
    const [unit] = scenarioKind.units(scenarioDoc('NOPE', dailySpec()));
    expect(await scenarioKind.read(h.run(), unit!)).toBeUndefined();
  });

  it('creates a step-based scenario that then plans no change, DSS defaults included', async () => {
    expect(await converge(h, scenarioKind, [scenarioDoc('DAILY', dailySpec())])).toEqual([]);
    const live = await settingsOf('DAILY');
    expect(live).toMatchObject({ name: 'Daily refresh', active: true, description: 'Rebuilds the churn scores.' });
    const trigger = (live.triggers as Json[])[0]!;
    expect(trigger).toMatchObject({ id: 'nightly', params: { frequency: 'Daily', hour: 2 } });
    expect(trigger).toHaveProperty('graceDelaySettings');
    expect(await writesDuring(h.client, () => converge(h, scenarioKind, [scenarioDoc('DAILY', dailySpec())]))).toBe(0);
  });

  it('creates a scenario with its settings in one write, and reads nothing back when the answer holds them', async () => {
    const unit = scenarioKind.units(scenarioDoc('ONE_WRITE', { ...dailySpec(), name: 'One write' }))[0]!;
    const ctx = h.run();
    let reads = 0;
    const writes = await writesDuring(h.client, async () => {
      reads = await readsDuring(h.client, () => scenarioKind.create(ctx, unit));
    });
    expect({ writes, reads }).toEqual({ writes: 1, reads: 0 });
    expect(await settingsOf('ONE_WRITE')).toMatchObject({ name: 'One write', active: true, description: 'Rebuilds the churn scores.' });
    expect(await converge(h, scenarioKind, [scenarioDoc('ONE_WRITE', { ...dailySpec(), name: 'One write' })])).toEqual([]);
  });

  it('updates a trigger, a step and active, keeping fields DSS added or a user set', async () => {
    const live = await settingsOf('DAILY');
    await h.sim.ok('PUT', '/projects/CHURN/scenarios/DAILY', {
      ...live,
      automationLocal: true,
      triggers: [
        ...(live.triggers as Json[]).map((t) => ({ ...t, delay: 30 })),
        { id: 'by_hand', type: 'ds_modified', params: { dsName: 'raw' } },
      ],
    });
    const spec = dailySpec();
    spec.active = false;
    (spec.triggers as Json[])[0]!.params = { frequency: 'Daily', hour: 3, minute: 0 };
    ((spec.params as Json).steps as Json[])[1]!.name = 'Check scores twice';
    const ctx = h.run();
    const planned = await planUnits(scenarioKind, ctx, scenarioKind.units(scenarioDoc('DAILY', spec)));
    expect(planned[0]!.changes.map((c) => `${c.kind} ${c.path}`).sort()).toEqual([
      'modify active',
      'modify params.steps[id=checks].name',
      'modify triggers[id=nightly].params.hour',
      'remove triggers[id=by_hand]',
    ]);
    await applyPlanned(scenarioKind, ctx, planned);

    const after = await settingsOf('DAILY');
    expect(after.automationLocal).toBe(true);
    expect(after.delayedTriggersBehavior).toEqual(live.delayedTriggersBehavior);
    expect((after.triggers as Json[]).map((t) => t.id)).toEqual(['nightly']);
    expect((after.triggers as Json[])[0]).toMatchObject({ delay: 30, params: { hour: 3 }, graceDelaySettings: expect.anything() });
    expect(after.active).toBe(false);
    const light = await h.sim.ok<Json>('GET', '/projects/CHURN/scenarios/DAILY/light');
    expect(light.active).toBe(false);
    expect(await converge(h, scenarioKind, [scenarioDoc('DAILY', spec)])).toEqual([]);
  });

  it('reorders steps: the order of steps is compared and written, not only their content', async () => {
    const spec = dailySpec();
    spec.active = false;
    (spec.triggers as Json[])[0]!.params = { frequency: 'Daily', hour: 3, minute: 0 };
    const steps = (spec.params as Json).steps as Json[];
    steps[1]!.name = 'Check scores twice';
    (spec.params as Json).steps = [steps[1], steps[0]];
    const planned = await planUnits(scenarioKind, h.run(), scenarioKind.units(scenarioDoc('DAILY', spec)));
    expect(planned[0]!.changes).toEqual([
      expect.objectContaining({ kind: 'modify', path: 'params.steps', reorder: true, before: ['build', 'checks'], after: ['checks', 'build'] }),
    ]);
    expect(await converge(h, scenarioKind, [scenarioDoc('DAILY', spec)])).toEqual([]);
    const live = await settingsOf('DAILY');
    expect(((live.params as Json).steps as Json[]).map((step) => step.id)).toEqual(['checks', 'build']);
  });

  it('writes the python code of a scenario from its scriptFile, relative to the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kind-scenario-'));
    writeFileSync(join(dir, 'score.py'), 'print("v1")\n');
    const manifest = join(dir, 'scenario.yaml');
    const spec = { name: 'Score', type: 'custom_python', scriptFile: 'score.py' };
    expect(await converge(h, scenarioKind, [scenarioDoc('SCORE', spec, manifest)])).toEqual([]);
    expect(await h.sim.ok('GET', '/projects/CHURN/scenarios/SCORE/payload')).toMatchObject({ script: 'print("v1")\n' });

    writeFileSync(join(dir, 'score.py'), 'print("v2")\n');
    const planned = await planUnits(scenarioKind, h.run(), scenarioKind.units(scenarioDoc('SCORE', spec, manifest)));
    expect(planned[0]!.changes).toMatchObject([{ kind: 'modify', path: 'script', after: 'print("v2")\n' }]);
    expect(await writesDuring(h.client, () => applyPlanned(scenarioKind, h.run(), planned))).toBe(1);
    expect(await h.sim.ok('GET', '/projects/CHURN/scenarios/SCORE/payload')).toMatchObject({ script: 'print("v2")\n' });
    expect(await converge(h, scenarioKind, [scenarioDoc('SCORE', spec, manifest)])).toEqual([]);
  });

  it("creates a python scenario without params with DSS's default params, then plans no change", async () => {
    const spec = { name: 'Inline', type: 'custom_python', script: 'print("hi")\n' };
    expect(await converge(h, scenarioKind, [scenarioDoc('INLINE', spec)])).toEqual([]);
    // The simulator's default for a python scenario; an empty params object sent at creation would replace it.
    expect((await settingsOf('INLINE')).params).toEqual({ envSelection: { envMode: 'INHERIT' } });
    expect(await writesDuring(h.client, () => converge(h, scenarioKind, [scenarioDoc('INLINE', spec)]))).toBe(0);
  });

  it('creates a scenario with the params a manifest declares', async () => {
    const params = { envSelection: { envMode: 'EXPLICIT_ENV', envName: 'py311' } };
    const spec = { name: 'Pinned', type: 'custom_python', script: '', params };
    expect(await converge(h, scenarioKind, [scenarioDoc('PINNED', spec)])).toEqual([]);
    expect((await settingsOf('PINNED')).params).toEqual(params);
  });

  it("exports a python scenario's code knowing its type from the settings, since list rows only hold {id, running, active}", async () => {
    const documented = (row: Json): Json => ({ id: row.id, running: row.running, active: row.active });
    // The client as DSS documents the list: a row without the type the simulator happens to add.
    const getJson = async (path: string, options?: RequestOptions): Promise<unknown> => {
      const answer = await h.client.getJson<unknown>(path, options);
      return /\/scenarios\/?$/.test(path) && Array.isArray(answer) ? answer.map((row) => documented(row as Json)) : answer;
    };
    const client = new Proxy(h.client, {
      get(target, prop) {
        if (prop === 'getJson') return getJson;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const ctx: KindContext = { ...h.run(), client, clients: { design: client, deployer: client } };
    const rows = await h.sim.ok<Json[]>('GET', '/projects/CHURN/scenarios/');
    const python = rows.filter((row) => row.type === 'custom_python').map((row) => row.id as string);
    expect(python.sort()).toEqual(['INLINE', 'PINNED', 'SCORE']);

    const exported = new Map<string, ExportedSpec>();
    const reads = await readsDuring(h.client, async () => {
      const docs = await scenarioKind.listForExport!(ctx, { projectKeys: ['CHURN'], allProjects: false, deployer: false, platform: false });
      for (const doc of docs) {
        const units = scenarioKind.units(doc);
        const live = await scenarioKind.read(ctx, units[0]!);
        exported.set(doc.metadata.name, scenarioKind.exportSpec!(doc, [{ unit: units[0]!, live: live! }]));
      }
    });
    expect(exported.get('INLINE')).toMatchObject({ spec: { type: 'custom_python', scriptFile: 'INLINE.py' }, files: { 'INLINE.py': 'print("hi")\n' } });
    expect(exported.get('SCORE')?.files).toEqual({ 'SCORE.py': 'print("v2")\n' });
    expect(exported.get('DAILY')?.spec.type).toBe('step_based');
    expect(exported.get('DAILY')?.spec).not.toHaveProperty('scriptFile');
    expect(exported.get('DAILY')?.files).toBeUndefined();
    // The list, each scenario's settings once, and the code of the python ones only.
    expect(reads).toBe(1 + rows.length + python.length);
  });

  it('fails before any request when the scriptFile cannot be read', () => {
    const doc = scenarioDoc('BROKEN', { type: 'custom_python', scriptFile: 'missing.py' }, '/nowhere/scenario.yaml');
    expect(() => scenarioKind.units(doc)).toThrow(/nowhere\/scenario\.yaml:7:3: cannot read scriptFile missing\.py/);
  });

  it('deletes a scenario on prune', async () => {
    await scenarioKind.delete!(h.run(), 'Scenario/CHURN/SCORE');
    expect((await h.sim.call('GET', '/projects/CHURN/scenarios/SCORE')).status).toBe(404);
  });
});

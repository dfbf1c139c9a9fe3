// Scenarios on the simulator: settings with server defaults and undocumented fields, light and payload, runs.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

type Obj = Record<string, unknown>;

let clock = Date.UTC(2026, 0, 15, 9, 30, 0);
let sim: TestSimulator;
const base = '/projects/CHURN/scenarios';

beforeAll(async () => {
  sim = await startTestSimulator({ now: () => clock, scenarioRunMs: 1000 });
});
beforeEach(async () => {
  sim.reset();
  await sim.ok('POST', '/projects/', { projectKey: 'CHURN', name: 'Churn' });
});
afterAll(() => sim.close());

describe('scenarios', () => {
  it('creates a scenario with the defaults DSS adds to it, its triggers and its steps', async () => {
    const created = await sim.ok<Obj>('POST', `${base}/`, {
      name: 'Daily refresh',
      type: 'step_based',
      params: { steps: [{ type: 'build_flowitem', params: { builds: [] } }] },
      triggers: [{ type: 'temporal', params: { frequency: 'Daily', hour: 2 } }],
    });
    expect(created).toMatchObject({
      id: 'DAILY_REFRESH',
      projectKey: 'CHURN',
      active: false,
      automationLocal: false,
      delayedTriggersBehavior: expect.any(Object),
      triggers: [{ id: 'temporal_0', type: 'temporal', active: true, delay: 5, name: 'Time-based', params: { frequency: 'Daily', hour: 2 } }],
      params: { steps: [{ id: 'build_flowitem_0', runConditionType: 'RUN_IF_STATUS_MATCH', maxRetriesOnFail: 0 }] },
    });
    expect(await sim.ok('GET', `${base}/DAILY_REFRESH/`)).toEqual(created);
    const again = await sim.ok<Obj>('POST', base, { name: 'Daily refresh' });
    expect(again.id).toBe('DAILY_REFRESH_2');
    const explicit = await sim.ok<Obj>('POST', base, { id: 'MY_ID', name: 'x', type: 'custom_python' });
    expect(explicit).toMatchObject({ id: 'MY_ID', type: 'custom_python' });
    expect((await sim.call('POST', base, { id: 'MY_ID', name: 'dup' })).status).toBe(400);
    expect((await sim.call('POST', base, { type: 'step_based' })).status).toBe(400);
    expect((await sim.call('POST', base, { name: 'x', type: 'nope' })).status).toBe(400);
  });

  it('lists scenarios with their status', async () => {
    await sim.ok('POST', base, { id: 'A', name: 'A' });
    expect(await sim.ok('GET', `${base}/`)).toEqual([
      expect.objectContaining({ id: 'A', name: 'A', active: false, running: false, projectKey: 'CHURN' }),
    ]);
  });

  it('keeps undocumented fields through GET-modify-PUT, loses them when dropped, and validates ids', async () => {
    await sim.ok('POST', base, { id: 'S', name: 'S', triggers: [{ type: 'temporal' }] });
    const live = await sim.ok<Obj>('GET', `${base}/S`);
    const put = await sim.call<Obj>('PUT', `${base}/S`, { ...live, description: 'nightly' });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ description: 'nightly', automationLocal: false, versionTag: { versionNumber: 1 } });
    expect(await sim.ok('GET', `${base}/S`)).toMatchObject({ delayedTriggersBehavior: expect.any(Object), description: 'nightly' });

    const { automationLocal: _a, delayedTriggersBehavior: _d, ...stripped } = live;
    await sim.ok('PUT', `${base}/S`, stripped);
    const after = await sim.ok<Obj>('GET', `${base}/S`);
    expect(after.automationLocal).toBeUndefined();
    expect(after.delayedTriggersBehavior).toBeUndefined();

    expect((await sim.call('PUT', `${base}/S`, { ...live, id: 'OTHER' })).status).toBe(400);
    const { id: _id, ...noId } = live;
    expect((await sim.call('PUT', `${base}/S`, noId)).status).toBe(400);
    const { name: _n, ...noName } = live;
    expect((await sim.call('PUT', `${base}/S`, noName)).status).toBe(400);
    expect((await sim.call('PUT', `${base}/S`, { ...live, type: 'custom_python' })).status).toBe(400);
    expect((await sim.call('PUT', `${base}/S`, { ...live, triggers: [{ name: 'no type' }] })).status).toBe(400);
    expect((await sim.call('PUT', `${base}/NOPE`, live)).status).toBe(404);
  });

  it('adds defaults to triggers added by a PUT, keeping the ones the client set', async () => {
    await sim.ok('POST', base, { id: 'S', name: 'S' });
    const live = await sim.ok<Obj>('GET', `${base}/S`);
    await sim.ok('PUT', `${base}/S`, { ...live, triggers: [{ id: 'nightly', type: 'temporal', delay: 30 }] });
    expect((await sim.ok<Obj>('GET', `${base}/S`)).triggers).toEqual([
      expect.objectContaining({ id: 'nightly', delay: 30, active: true, graceDelaySettings: expect.any(Object) }),
    ]);
  });

  it('reads and writes the light settings and the payload', async () => {
    await sim.ok('POST', base, { id: 'PY', name: 'Python', type: 'custom_python' });
    const light = await sim.ok<Obj>('GET', `${base}/PY/light/`);
    expect(light).toMatchObject({ id: 'PY', active: false, running: false });
    expect((await sim.call('PUT', `${base}/PY/light`, { ...light, active: true })).status).toBe(204);
    expect(await sim.ok('GET', `${base}/PY`)).toMatchObject({ active: true });
    expect((await sim.call('PUT', `${base}/PY/light`, { id: 'X', active: true })).status).toBe(400);

    expect(await sim.ok('GET', `${base}/PY/payload`)).toEqual({ script: '' });
    await sim.ok('PUT', `${base}/PY/payload`, { script: 'print("hi")' });
    expect(await sim.ok('GET', `${base}/PY/payload/`)).toEqual({ script: 'print("hi")' });
    expect((await sim.call('PUT', `${base}/PY/payload`, { code: 1 })).status).toBe(400);
  });

  it('deletes a scenario with a JSON message', async () => {
    await sim.ok('POST', base, { id: 'S', name: 'S' });
    expect(await sim.ok('DELETE', `${base}/S/`)).toEqual({ message: 'Deleted scenario S from project CHURN' });
    expect((await sim.call('GET', `${base}/S`)).status).toBe(404);
  });
});

describe('scenario runs', () => {
  it('runs a scenario: trigger fire, run for trigger, details, then SUCCESS once the time has passed', async () => {
    await sim.ok('POST', base, { id: 'S', name: 'S', params: { steps: [{ type: 'build_flowitem' }] } });
    const fire = await sim.ok<{ trigger: { id: string }; runId: string; cancelled: boolean }>('POST', `${base}/S/run`, { p: 1 });
    expect(fire).toMatchObject({ trigger: { id: 'manual' }, cancelled: false, runId: '2026-01-15-09-30-00-000' });

    const pending = await sim.ok<Obj & { scenarioRun: Obj }>(
      'GET',
      `${base}/S/get-run-for-trigger/?triggerId=${fire.trigger.id}&triggerRunId=${fire.runId}`,
    );
    expect(pending.scenarioRun).toMatchObject({ runId: fire.runId, running: true });
    expect(pending.scenarioRun.result).toBeUndefined();
    expect(await sim.ok('GET', `${base}/S/light`)).toMatchObject({ running: true });
    expect((await sim.ok<Obj>('POST', `${base}/S/run`)).cancelled).toBe(true);

    clock += 1000;
    const done = await sim.ok<{ scenarioRun: Obj; stepRuns: Obj[] }>('GET', `${base}/S/${fire.runId}/`);
    expect(done.scenarioRun).toMatchObject({ running: false, result: { outcome: 'SUCCESS' } });
    expect(done.stepRuns).toEqual([expect.objectContaining({ result: expect.objectContaining({ outcome: 'SUCCESS' }) })]);

    const trigger = await sim.ok('GET', `/projects/CHURN/scenarios/trigger/S/manual?triggerRunId=${fire.runId}`);
    expect(trigger).toMatchObject({ scenarioId: 'S', runId: fire.runId, cancelled: false });
    expect(await sim.ok('GET', `${base}/S/get-last-runs/?limit=5`)).toEqual([
      expect.objectContaining({ runId: fire.runId, result: expect.objectContaining({ outcome: 'SUCCESS' }) }),
    ]);
    expect((await sim.call('GET', `${base}/S/NO_SUCH_RUN`)).status).toBe(404);
  });

  it('aborts a running scenario', async () => {
    await sim.ok('POST', base, { id: 'S', name: 'S' });
    const fire = await sim.ok<{ runId: string }>('POST', `${base}/S/run`);
    expect(await sim.ok('POST', `${base}/S/abort`)).toEqual({ aborted: true });
    const details = await sim.ok<{ scenarioRun: Obj }>('GET', `${base}/S/${fire.runId}`);
    expect(details.scenarioRun).toMatchObject({ running: false, result: { outcome: 'ABORTED' } });
    expect(await sim.ok('POST', `${base}/S/abort`)).toEqual({ aborted: false });
    clock += 1000;
  });
});

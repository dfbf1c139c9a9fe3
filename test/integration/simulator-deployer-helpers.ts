// Shared steps of the deployer integration tests: a design project with scenarios, archive download, waiting
// for futures. Everything goes over HTTP.

import type { TestSimulator } from '../helpers/simulator.js';
import { basicAuth } from '../helpers/simulator.js';

export async function createDesignProject(sim: TestSimulator, projectKey: string): Promise<void> {
  await sim.ok('POST', '/projects/', { projectKey, name: `Project ${projectKey}`, owner: 'admin' });
  await sim.ok('PUT', `/projects/${projectKey}/variables/`, { standard: { threshold: 0.7 }, local: { designOnly: true } });
  await sim.ok('POST', `/projects/${projectKey}/scenarios/`, {
    id: 'DAILY',
    name: 'Daily refresh',
    type: 'step_based',
    active: false,
    params: { steps: [{ id: 'build', type: 'build_flowitem', name: 'Build' }], triggers: [] },
  });
  await sim.ok('POST', `/projects/${projectKey}/scenarios/`, { id: 'PY', name: 'Python', type: 'custom_python', active: false });
  await sim.ok('PUT', `/projects/${projectKey}/scenarios/PY/payload`, { script: 'print("v1")' });
}

export async function setThreshold(sim: TestSimulator, projectKey: string, threshold: number): Promise<void> {
  const variables = await sim.ok<Record<string, unknown>>('GET', `/projects/${projectKey}/variables/`);
  await sim.ok('PUT', `/projects/${projectKey}/variables/`, { ...variables, standard: { threshold } });
}

export async function download(sim: TestSimulator, path: string, key = sim.adminKey): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const response = await fetch(`${sim.url}/public/api${path}`, { headers: { authorization: basicAuth(key) } });
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

export interface FutureOutcome {
  status: number;
  json: Record<string, unknown>;
}

/** Polls `GET /futures/{id}` until the job has a result, was aborted, or answers an error. */
export async function waitForFuture(sim: TestSimulator, jobId: string): Promise<FutureOutcome> {
  for (;;) {
    const { status, json } = await sim.call<Record<string, unknown>>('GET', `/futures/${jobId}?peek=false`);
    if (status !== 200 || json.hasResult === true || json.aborted === true) return { status, json };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function update(sim: TestSimulator, deploymentId: string): Promise<FutureOutcome> {
  const started = await sim.ok<{ jobId: string }>('POST', `/project-deployer/deployments/${deploymentId}/actions/update`);
  return waitForFuture(sim, started.jobId);
}

export async function health(sim: TestSimulator, deploymentId: string): Promise<{ health: string; healthMessages: Array<{ message: string; code: string }> }> {
  return sim.ok('GET', `/project-deployer/deployments/${deploymentId}/status`);
}

export async function setBundle(sim: TestSimulator, deploymentId: string, bundleId: string): Promise<Record<string, unknown>> {
  const settings = await sim.ok<Record<string, unknown>>('GET', `/project-deployer/deployments/${deploymentId}/settings`);
  return sim.ok('PUT', `/project-deployer/deployments/${deploymentId}/settings`, { ...settings, bundleId });
}

// The state file holds no secret in clear and is its owner's alone; the node restarted from it still behaves like
// DSS: its infra's adminApiKey still authenticates against the automation node.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject, health, setBundle, update } from './simulator-deployer-helpers.js';

// Distinct values, so that a find names the one that leaked.
const SECRETS = {
  automationKey: 'automation-admin-key-7d41c2',
  remoteDeployerKey: 'remote-deployer-key-0b93ae',
  warehousePassword: 'warehouse-pa55-e18f07',
  apiToken: 'api-token-value-5c2d9b',
  pairedSecret: 'paired-client-secret-a6f3e1',
  nestedCredential: 'nested-credential-44b0d8',
};

let dir: string;
let keyFile: string;
const running: TestSimulator[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dss-gitops-sim-secrets-'));
  // The key lives apart from the state, as it does for users (their state in the working tree, the key in ~).
  keyFile = join(dir, 'elsewhere', 'sim-state.key');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startTestSimulator>[0]): Promise<TestSimulator> {
  const sim = await startTestSimulator({ stateKeyFile: keyFile, ...options });
  running.push(sim);
  return sim;
}

const mode = (file: string): number => statSync(file).mode & 0o777;

function expectNoSecretIn(file: string): void {
  const text = readFileSync(file, 'utf8');
  for (const [name, value] of Object.entries(SECRETS)) expect(text.includes(value), `${name} in ${file}`).toBe(false);
}

/** A design node with a deployed project, secret variables, settings and an infra; an automation node. */
async function populate(designFile: string, automationFile: string): Promise<{ design: TestSimulator; automation: TestSimulator }> {
  const automation = await start({ stateFile: automationFile, adminKey: SECRETS.automationKey });
  const design = await start({ stateFile: designFile });
  await createDesignProject(design, 'KEEP');
  await design.ok('PUT', '/projects/KEEP/variables', {
    standard: { warehousePassword: SECRETS.warehousePassword, threshold: 0.5 },
    local: { API_TOKEN: SECRETS.apiToken, credentials: { user: 'svc', detail: { value: SECRETS.nestedCredential } } },
  });
  const settings = await design.ok<Record<string, unknown>>('GET', '/projects/KEEP/settings');
  await design.ok('PUT', '/projects/KEEP/settings', { ...settings, customFields: [{ name: 'clientSecret', value: SECRETS.pairedSecret }] });
  await design.ok('PUT', '/projects/KEEP/bundles/exported/v1');
  await design.ok('POST', '/projects/KEEP/bundles/v1/publish');
  await design.ok('POST', '/project-deployer/infras', { id: 'auto', stage: 'Production', automationNodeUrl: automation.url, adminApiKey: SECRETS.automationKey });
  await design.ok('POST', '/project-deployer/deployments', { deploymentId: 'keep-prod', publishedProjectKey: 'KEEP', infraId: 'auto', bundleId: 'v1' });
  await design.control('PUT', '/deployer/config', { futureStepMs: 0 });
  expect((await update(design, 'keep-prod')).status).toBe(200);
  // The automation node stands in for a design node that publishes to a remote deployer: one more key to keep.
  await automation.control('PUT', '/deployer/config', { deployerUrl: 'http://127.0.0.1:9/', deployerApiKey: SECRETS.remoteDeployerKey });
  return { design, automation };
}

describe('simulator state file secrets', () => {
  it('holds no secret value in clear, 0600 in a 0700 directory, and a restarted node deploys with the kept infra key', async () => {
    const designFile = join(dir, 'tree', '.dss-gitops', 'design.json');
    const automationFile = join(dir, 'tree', '.dss-gitops', 'automation.json');
    const first = await populate(designFile, automationFile);
    const port = Number(new URL(first.automation.url).port);
    await Promise.all(running.splice(0).map((sim) => sim.close()));

    for (const file of [designFile, automationFile]) {
      expectNoSecretIn(file);
      expect(mode(file)).toBe(0o600);
    }
    expect(mode(join(dir, 'tree', '.dss-gitops'))).toBe(0o700);
    expect(mode(keyFile)).toBe(0o600);
    expect(mode(join(dir, 'elsewhere'))).toBe(0o700);
    expectNoSecretIn(keyFile);
    // Not a blanket encryption: the rest of the state stays readable.
    const saved = JSON.parse(readFileSync(designFile, 'utf8')) as { deployer: { infras: Record<string, { automationNodeUrl: string }> } };
    expect(saved.deployer.infras.auto?.automationNodeUrl).toBe(first.automation.url);

    const automation = await start({ stateFile: automationFile, adminKey: SECRETS.automationKey, port });
    const design = await start({ stateFile: designFile });
    // The values come back as they were written, over the API...
    expect(await design.ok('GET', '/projects/KEEP/variables')).toEqual({
      standard: { warehousePassword: SECRETS.warehousePassword, threshold: 0.5 },
      local: { API_TOKEN: SECRETS.apiToken, credentials: { user: 'svc', detail: { value: SECRETS.nestedCredential } } },
    });
    expect(await design.ok('GET', '/projects/KEEP/settings')).toMatchObject({ customFields: [{ name: 'clientSecret', value: SECRETS.pairedSecret }] });
    expect(automation.state().deployer.config.remoteDeployer?.apiKey).toBe(SECRETS.remoteDeployerKey);
    // ...and the infra's key still opens the automation node: a new bundle rolls out.
    await design.ok('PUT', '/projects/KEEP/bundles/exported/v2');
    await design.ok('POST', '/projects/KEEP/bundles/v2/publish');
    await setBundle(design, 'keep-prod', 'v2');
    const rolled = await update(design, 'keep-prod');
    expect(rolled.status).toBe(200);
    expect((await health(design, 'keep-prod')).health).toBe('HEALTHY');
    expect(await automation.ok('GET', '/projects/KEEP/bundles/imported')).toMatchObject({ bundles: expect.arrayContaining([expect.objectContaining({ bundleId: 'v2', active: true })]) });
    await design.flush();
    expectNoSecretIn(designFile);
  });

  it('seals the secrets of a state file written in clear (and widely readable) at the next start', async () => {
    const file = join(dir, 'old.json');
    const source = await start({});
    await source.ok('POST', '/projects/', { projectKey: 'OLD', name: 'Old' });
    await source.ok('PUT', '/projects/OLD/variables', { standard: { warehousePassword: SECRETS.warehousePassword }, local: {} });
    writeFileSync(file, JSON.stringify(source.state()), { mode: 0o644 });
    expect(readFileSync(file, 'utf8')).toContain(SECRETS.warehousePassword);

    const sim = await start({ stateFile: file });
    expect(await sim.ok('GET', '/projects/OLD/variables')).toEqual({ standard: { warehousePassword: SECRETS.warehousePassword }, local: {} });
    await sim.flush();
    expectNoSecretIn(file);
    expect(mode(file)).toBe(0o600);
  });

  it('refuses, naming the files, a state whose secrets another key sealed, and writes nothing', async () => {
    const file = join(dir, 'state.json');
    const sim = await start({ stateFile: file });
    await sim.ok('POST', '/projects/', { projectKey: 'A', name: 'A' });
    await sim.ok('PUT', '/projects/A/variables', { standard: { dbPassword: SECRETS.warehousePassword }, local: {} });
    await Promise.all(running.splice(0).map((s) => s.close()));
    const before = readFileSync(file, 'utf8');

    const otherKey = join(dir, 'other.key');
    await expect(startTestSimulator({ stateFile: file, stateKeyFile: otherKey })).rejects.toThrow(
      new RegExp(`${file}: the secret value of 'dbPassword' was sealed with another key than the one in ${otherKey}; set DSS_SIM_STATE_KEY_FILE`),
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    writeFileSync(otherKey, 'not a key\n');
    await expect(startTestSimulator({ stateFile: file, stateKeyFile: otherKey })).rejects.toThrow(`${otherKey}: not a simulator state key`);
  });
});

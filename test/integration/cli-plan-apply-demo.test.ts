// `dss-gitops demo` (npm start): the whole loop on a copy of the example, in-process, from plan to a promotion to
// Production, then the platform layer with a change made by hand healed. The key lines of each step are pinned; the rollout's progress lines depend on timing, so only their
// shape is.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// program.js first: it registers every command, demo.js among them (demo.js imports it back).
import '../../src/cli/program.js';
import { runDemo } from '../../src/cli/demo.js';
import { captureIo } from '../helpers/cli.js';

const DEPLOYMENTS = path.resolve(import.meta.dirname, '../../manifests-example-deployer/deployments.yaml');

let code: number;
let out = '';
let err = '';
let sections: string[] = [];
const keys: string[] = [];
const secrets: string[] = [];
const checkedIn = readFileSync(DEPLOYMENTS, 'utf8');

beforeAll(async () => {
  const captured = captureIo({}, process.cwd());
  const newKey = (): string => {
    keys.push(`demo-node-${keys.length}-admin-key-never-printed`);
    return keys.at(-1)!;
  };
  const newSecret = (): string => {
    secrets.push(`demo-secret-${secrets.length}-never-printed`);
    return secrets.at(-1)!;
  };
  code = await runDemo(captured.io, { newKey, newSecret });
  out = captured.stdout();
  err = captured.stderr();
  sections = out.split('\n=== ');
});

describe('the demo', () => {
  it('exits 0 after sixteen steps, with the commands as a user types them', () => {
    expect(code).toBe(0);
    expect(sections).toHaveLength(17);
    expect(out).toContain('$ dss-gitops plan -f manifests-example --detailed-exitcode');
    expect(out).toContain('$ dss-gitops apply -f manifests-example -f manifests-example-deployer --auto-approve');
    expect(out).toMatch(/Demo done\.\n$/);
  });

  it('plans, applies, plans no changes, then shows the changes made by hand in DSS', () => {
    expect(sections[1]).toContain('Plan: 20 to add, 0 to change, 0 to destroy.');
    expect(sections[2]).toContain('Apply complete! Resources: 20 added, 0 changed, 0 destroyed.');
    expect(sections[3]).toContain('No changes. DSS matches the manifests.');
    expect(sections[5]).toContain('~ standard.scoreThreshold: 0.85 → 0.7');
    expect(sections[5]).toContain('~ triggers[id=nightly].params.hour: 5 → 2');
    expect(sections[5]).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');
    expect(out).toContain('(sensitive value)');
    expect(out).not.toContain('demo-only-password');
  });

  it('starts an automation node per stage and applies the deployer tree, rollouts included', () => {
    for (const [stage, prefix] of [['Development', 'DEV'], ['Test', 'TEST'], ['Production', 'PROD']]) {
      expect(sections[6]).toMatch(new RegExp(`^${stage}: +http://127\\.0\\.0\\.1:\\d+ +\\(${prefix}_AUTOMATION_URL; admin key in ${prefix}_AUTOMATION_API_KEY\\)$`, 'm'));
    }
    const deployer = sections[7] ?? '';
    expect(deployer).toContain('Plan: 11 to add, 2 to change, 0 to destroy.');
    expect(deployer).toMatch(/^ {2}Deployment\/churn-(dev|test|prod): \S.*$/m);
    for (const id of ['churn-dev', 'churn-test', 'churn-prod']) expect(deployer).toContain(`Deployment/${id}: create applied`);
    expect(deployer).toContain('Apply complete! Resources: 11 added, 2 changed, 0 destroyed.');
  });

  it('shows the promotion from Test to Production, applies it to HEALTHY, and ends with an empty plan', () => {
    expect(sections[8]).toContain('$ dss-gitops promote churn-prod --from Test -f manifests-example -f manifests-example-deployer\n');
    expect(sections[8]).toContain('Deployment/churn-prod: bundleId v1 → v2 (from churn-test, HEALTHY)');
    expect(sections[8]).toContain('Run again with --write, --commit or --apply to make this change.');
    expect(sections[9]).toContain('promote churn-prod --from Test -f manifests-example -f manifests-example-deployer --apply');
    expect(sections[9]).toContain('Wrote manifests-example-deployer/deployments.yaml: line');
    expect(sections[9]).toContain('# bundle v1 → v2 (rollout on infra prod)');
    expect(sections[9]).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    expect(sections[9]).toContain('Deployment/churn-prod: HEALTHY');
    expect(sections[10]).toContain('No changes. DSS matches the manifests.');
  });

  it('plans and applies the platform tree, then plans no changes', () => {
    expect(sections[11]).toContain('$ dss-gitops plan -f manifests-example-platform --detailed-exitcode\n');
    for (const address of ['Group/data-scientists', 'User/bob', 'Connection/warehouse', 'CodeEnv/py-analytics', 'Plugin/googlesheets']) {
      expect(sections[11]).toContain(`+ create ${address}\n`);
    }
    expect(sections[11]).toContain('+ password: (sensitive value)');
    expect(sections[11]).toContain('+ params.password: (sensitive value)');
    expect(sections[11]).toContain('Plan: 13 to add, 2 to change, 0 to destroy.');
    expect(sections[12]).toContain('CodeEnv/py-analytics: updating packages (3 requested)');
    expect(sections[12]).toContain('Apply complete! Resources: 13 added, 2 changed, 0 destroyed.');
    expect(sections[13]).toContain('No changes. DSS matches the manifests.');
  });

  it('shows a group joined and a permission granted by hand as drift, and apply puts them back', () => {
    expect(sections[14]).toContain('PUT /admin/users/bob ');
    expect(sections[14]).toContain('PUT /admin/groups/data-scientists ');
    expect(sections[15]).toContain('$ dss-gitops drift -f manifests-example-platform\n');
    expect(sections[15]).toContain('~ update Group/data-scientists\n  ~ mayWriteUnsafeCode: true → false\n');
    expect(sections[15]).toContain('~ update User/bob\n  - groups: "platform-admins"\n');
    expect(sections[15]).toContain('Drift: 2 drifted');
    expect(sections[16]).toContain('Apply complete! Resources: 0 added, 2 changed, 0 destroyed.');
    expect(sections[16]).toMatch(/The simulator served (\d+) requests \((\d+) reads, (\d+) writes\) on 4 nodes/);
  });

  it('never prints a password or secret of the platform tree', () => {
    // The four users' passwords and the plugin preset's client secret, made by the demo.
    expect(secrets).toHaveLength(5);
    for (const secret of secrets) expect(`${out}${err}`).not.toContain(secret);
  });

  it('never prints an admin key of its four nodes', () => {
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(`${out}${err}`).not.toContain(key);
  });

  it('leaves the checked-in example as it was, and removes its copy and stops its servers', async () => {
    expect(readFileSync(DEPLOYMENTS, 'utf8')).toBe(checkedIn);
    const workdir = /a copy of .* in (\S+)\n/.exec(out)?.[1];
    expect(workdir).toBeDefined();
    expect(existsSync(workdir!)).toBe(false);
    const urls = [...out.matchAll(/http:\/\/127\.0\.0\.1:\d+/g)].map((m) => m[0]);
    expect(new Set(urls).size).toBe(4);
    for (const url of new Set(urls)) await expect(fetch(`${url}/public/api/projects/`)).rejects.toThrow();
  });
});

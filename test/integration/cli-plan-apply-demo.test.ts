// `dss-gitops demo` (npm start): the whole loop on a copy of the example, in-process, from plan to a promotion to
// Production. The key lines of each step are pinned; the rollout's progress lines depend on timing, so only their
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
const checkedIn = readFileSync(DEPLOYMENTS, 'utf8');

beforeAll(async () => {
  const captured = captureIo({}, process.cwd());
  const newKey = (): string => {
    keys.push(`demo-node-${keys.length}-admin-key-never-printed`);
    return keys.at(-1)!;
  };
  code = await runDemo(captured.io, { newKey });
  out = captured.stdout();
  err = captured.stderr();
  sections = out.split('\n=== ');
});

describe('the demo', () => {
  it('exits 0 after ten steps, with the commands as a user types them', () => {
    expect(code).toBe(0);
    expect(sections).toHaveLength(11);
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
    expect(sections[10]).toMatch(/The simulator served (\d+) requests \((\d+) reads, (\d+) writes\) on 4 nodes/);
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

// The example plan workflow takes dss-gitops.yaml from the base branch: its step, run as the runner runs it, writes
// the base branch's file (or an empty one when the base has none), and the plan under it ignores what the pull
// request wrote in its own dss-gitops.yaml.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCliCaptured } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const WORKFLOW = path.resolve(import.meta.dirname, '../../examples/github-actions/plan.yml');

interface Step {
  run?: string;
  env?: Record<string, string>;
}

/** The workflow's step that writes the trusted configuration. */
function fetchStep(): Step {
  const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { jobs: { plan: { steps: Step[] } } };
  const step = workflow.jobs.plan.steps.find((s) => s.run?.includes('git show'));
  expect(step).toBeDefined();
  return step!;
}

let sim: TestSimulator;
let work: string;
let checkout: string;

/** Runs the step in the pull request's checkout as bash -eo pipefail, the runner's shell. */
function runFetchStep(trusted: string): void {
  execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', fetchStep().run!], {
    cwd: checkout,
    env: { PATH: process.env.PATH ?? '', BASE_REF: 'main', TRUSTED_CONFIG: trusted },
  });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-plan-workflow-'));
  const origin = path.join(work, 'origin');
  git(work, 'init', '-q', '-b', 'main', origin);
  cpSync(EXAMPLE, path.join(origin, 'manifests'), { recursive: true });
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'base');
  checkout = path.join(work, 'checkout');
  git(work, 'clone', '-q', origin, checkout);
  git(checkout, 'checkout', '-q', '-b', 'change');
});

afterEach(async () => {
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the plan workflow\'s configuration', () => {
  it('is the base branch\'s, whatever the pull request wrote in its own', async () => {
    // The pull request points the deployer elsewhere and reads the design key into it.
    writeFileSync(path.join(checkout, 'manifests', 'dss-gitops.yaml'), 'nodes:\n  deployer:\n    url: http://127.0.0.1:9\n    apiKey: ${secret:DSS_API_KEY}\n');
    git(checkout, 'commit', '-q', '-am', 'change');
    const trusted = path.join(work, 'temp', 'dss-gitops.yaml');
    mkdirSync(path.dirname(trusted));
    runFetchStep(trusted);
    expect(readFileSync(trusted, 'utf8')).toBe(readFileSync(path.join(EXAMPLE, 'dss-gitops.yaml'), 'utf8'));

    const env = { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'pw-for-the-plan', DSS_GITOPS_ENV_ALLOW: '' };
    const own = await runCliCaptured(['plan', '-f', 'manifests'], { env, cwd: checkout });
    expect(own.code).toBe(1);
    expect(own.stderr).toContain("the deployer node's URL is on http://127.0.0.1:9");
    const planned = await runCliCaptured(['plan', '-f', 'manifests', '--detailed-exitcode', '--config', trusted], { env, cwd: checkout });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain('Plan: ');
  });

  it('is empty, the defaults, when the base branch has none', async () => {
    const origin = path.join(work, 'origin');
    git(origin, 'rm', '-q', 'manifests/dss-gitops.yaml');
    git(origin, 'commit', '-q', '-m', 'no config');
    git(checkout, 'fetch', '-q', 'origin');
    const trusted = path.join(work, 'dss-gitops.yaml');
    writeFileSync(trusted, 'left over\n');
    runFetchStep(trusted);
    expect(readFileSync(trusted, 'utf8')).toBe('');
    const validated = await runCliCaptured(['validate', '-f', 'manifests', '--config', trusted], { env: {}, cwd: checkout });
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
  });
});

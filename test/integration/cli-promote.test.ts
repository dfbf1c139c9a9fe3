// `dss-gitops promote` against a design node and two automation nodes: source resolution by id and by stage,
// refusals (unhealthy, not deployed, backwards) and --force, the one-line manifest rewrite, the branch and commit.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setBundle } from './simulator-deployer-helpers.js';
import {
  changedLines,
  DEPLOYER_YAML,
  expectNoSecret,
  git,
  manifestTree,
  runIn,
  setUpDeployer,
  startNodes,
  type CliResult,
  type Nodes,
} from './cli-promote-helpers.js';

let nodes: Nodes;
let dir: string;

beforeAll(async () => {
  nodes = await startNodes();
  await setUpDeployer(nodes);
});
afterAll(async () => nodes.close());
beforeEach(() => {
  dir = manifestTree();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const promote = async (...argv: string[]): Promise<CliResult> => {
  const result = await runIn(dir, nodes, ['promote', ...argv, '-f', 'm']);
  expectNoSecret(nodes, result.stdout, result.stderr);
  return result;
};
const manifest = (): string => readFileSync(path.join(dir, 'm', 'deployer.yaml'), 'utf8');
const BUNDLE_LINE = DEPLOYER_YAML.split('\n').findIndex((l) => l.includes('bundleId: v1'));

describe('promote: what it would change', () => {
  it('names the source bundle, the source health and the manifest line, and changes nothing', async () => {
    const result = await promote('churn-prod', '--from', 'churn-test');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deployment/churn-prod: bundleId v1 → v2 (from churn-test, HEALTHY)');
    expect(result.stdout).toContain(`m/deployer.yaml:${BUNDLE_LINE + 1}:3`);
    expect(manifest()).toBe(DEPLOYER_YAML);
    expect((await promote('churn-prod', '--from', 'churn-test', '--detailed-exitcode')).code).toBe(2);
  });

  it('resolves a stage to the deployment of the same published project on an infra of that stage', async () => {
    const result = await promote('churn-prod', '--from', 'Test');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deployment/churn-prod: bundleId v1 → v2 (from churn-test, HEALTHY)');
  });

  it('refuses a stage with no deployment of the project, and a source that is neither a deployment nor a stage', async () => {
    const none = await promote('churn-prod', '--from', 'Development');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no deployment of published project CHURN is on an infra of stage Development');
    const unknown = await promote('churn-prod', '--from', 'staging');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--from staging is neither a deployment of the deployer nor a stage (stages: Development → Test → Production)');
  });

  it('--sim reads the embedded simulator, whose deployer starts empty', async () => {
    const result = await promote('churn-prod', '--from', 'Test', '--sim');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no deployment of published project CHURN is on an infra of stage Test');
  });

  it('refuses a target the manifests do not declare', async () => {
    const result = await promote('churn-dev', '--from', 'churn-test');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the manifests declare no Deployment/churn-dev (declared: churn-prod, churn-test)');
  });
});

describe('promote: refusals', () => {
  it('refuses to promote backwards unless --force', async () => {
    const refused = await promote('churn-test', '--from', 'churn-prod', '--write');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('promoting backwards, from Production to Test');
    expect(manifest()).toBe(DEPLOYER_YAML);

    const forced = await promote('churn-test', '--from', 'churn-prod', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('Warning: promoting despite (--force): promoting backwards, from Production to Test');
    expect(forced.stdout).toContain('Deployment/churn-test: bundleId v2 → v1 (from churn-prod, HEALTHY)');
  });

  it('refuses a source that is not HEALTHY, with its health messages, unless --force', async () => {
    await setBundle(nodes.design, 'churn-test', 'v3');
    try {
      const refused = await promote('churn-prod', '--from', 'Test', '--write');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('the source deployment churn-test is OUT_OF_SYNC, not HEALTHY');
      expect(refused.stderr).toContain('The settings name bundle v3 but bundle v2 is deployed');
      expect(refused.stderr).toContain('the settings of churn-test name bundle v3, but its automation node does not run it (OUT_OF_SYNC)');
      expect(refused.stderr).toContain('(--force promotes anyway)');
      expect(manifest()).toBe(DEPLOYER_YAML);

      const forced = await promote('churn-prod', '--from', 'Test', '--force', '--write');
      expect(forced.code).toBe(0);
      expect(forced.stderr).toContain('Warning: promoting despite (--force): the source deployment churn-test is OUT_OF_SYNC');
      expect(forced.stdout).toContain('Deployment/churn-prod: bundleId v1 → v3 (from churn-test, OUT_OF_SYNC)');
      expect(manifest()).toContain('bundleId: v3   # the bundle running in production');
    } finally {
      await setBundle(nodes.design, 'churn-test', 'v2');
    }
  });

  it('refuses exclusive flags and a source of another target', async () => {
    const both = await promote('churn-prod', '--from', 'Test', '--write', '--commit');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--write, --commit are exclusive');
    const self = await promote('churn-prod', '--from', 'churn-prod');
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('cannot promote churn-prod from itself');
  });
});

describe('promote --write and --commit', () => {
  it('--write changes exactly the bundleId line of the target, keeping its comment; a second run has nothing to do', async () => {
    const result = await promote('churn-prod', '--from', 'churn-test', '--write');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote m/deployer.yaml: line ${BUNDLE_LINE + 1} changed.`);
    const after = manifest();
    expect(changedLines(DEPLOYER_YAML, after)).toEqual([BUNDLE_LINE]);
    expect(after.split('\n')[BUNDLE_LINE]).toBe('  bundleId: v2   # the bundle running in production');

    const again = await promote('churn-prod', '--from', 'churn-test', '--write');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Deployment/churn-prod: bundleId is already v2 (from churn-test, HEALTHY)');
    expect(again.stdout).toContain('Nothing to do: churn-prod already names bundle v2.');
    expect(manifest()).toBe(after);
  });

  it('--commit creates the branch and a commit of that one line, with a message ready for a pull request', async () => {
    const result = await promote('churn-prod', '--from', 'Test', '--commit');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Committed [0-9a-f]{12} on branch promote\/churn-prod-v2/);
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('promote/churn-prod-v2');
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('Promote CHURN bundle v2 to churn-prod (from churn-test)');
    const body = git(dir, 'log', '-1', '--format=%b');
    expect(body).toContain('Deployment/churn-prod moves from bundle v1 to bundle v2 of published project CHURN.');
    expect(body).toContain('- Source: churn-test (stage Test), HEALTHY, runs bundle v2');
    expect(body).toContain('- Target: churn-prod (stage Production) on infra prod-infra');
    expect(body).toContain('dss-gitops apply --target Deployment/churn-prod');
    expectNoSecret(nodes, body);
    expect(git(dir, 'diff', '--name-only', 'main', 'HEAD')).toBe('m/deployer.yaml');
    const committed = git(dir, 'show', 'HEAD:m/deployer.yaml');
    expect(changedLines(DEPLOYER_YAML.trimEnd(), committed)).toEqual([BUNDLE_LINE]);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('--commit refuses a manifest file with uncommitted edits, leaving the branch, the file and the index as they were', async () => {
    const file = path.join(dir, 'm', 'deployer.yaml');
    const edited = `${DEPLOYER_YAML}# an unrelated edit in progress\n`;
    writeFileSync(file, edited);
    const result = await promote('churn-prod', '--from', 'Test', '--commit');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('m/deployer.yaml has changes that are not committed: --commit would commit them with the promotion');
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(dir, 'branch', '--list', 'promote/*')).toBe('');
    expect(manifest()).toBe(edited);
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('');
  });

  it('takes --parallelism, as the other commands that talk to DSS', async () => {
    const result = await promote('churn-prod', '--from', 'Test', '--parallelism', '2');
    expect(result.code).toBe(0);
    expect((await promote('churn-prod', '--from', 'Test', '--parallelism', '0')).stderr).toContain('--parallelism must be a positive integer, not 0');
  });

  it('--commit --branch names the branch; an existing branch is refused', async () => {
    const first = await promote('churn-prod', '--from', 'churn-test', '--commit', '--branch', 'release/churn-v2');
    expect(first.code).toBe(0);
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('release/churn-v2');
    git(dir, 'checkout', '-q', 'main');
    const again = await promote('churn-prod', '--from', 'churn-test', '--commit', '--branch', 'release/churn-v2');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('branch release/churn-v2 already exists');
  });
});

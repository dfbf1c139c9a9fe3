// CodeEnv through the reconciler and the CLI: a failed build fails its unit with DSS's build log and skips what
// depends on the env; a manifest tree with an env applies, then plans no change and writes nothing.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import type { Logger } from '../../src/base/logger.js';
import { applyRun, contextFactory, planRun, type RunSetup } from '../../src/reconciler/reconcile.js';
import { codeEnvKind } from '../../src/resources/code-env/kind.js';
import { kindRegistry } from '../../src/resources/registry.js';
import { runCliCaptured } from '../helpers/cli.js';
import { envConsumerKind } from '../fixtures/envs/env-consumer-kind.js';
import { docOf, startKindHarness, type KindHarness } from './kind-harness.js';

type Json = Record<string, unknown>;

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
});
afterAll(() => h.close());

function setup(messages: string[] = []): RunSetup {
  return {
    registry: kindRegistry([codeEnvKind, envConsumerKind]),
    clients: { design: h.client, deployer: h.client },
    log: quiet,
    parallelism: 4,
    compare: (desired, live, policy, options) => diffManaged(desired, live, policy, options),
    source: 'envs-test',
    options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: [] },
    onMessage: (address, message) => messages.push(`${address}: ${message}`),
  };
}

describe('a code env whose build fails, through apply', () => {
  it('fails the env with the build log, skips its dependents, and runs the others', async () => {
    const docs = [
      docOf('CodeEnv', 'py-broken', { envLang: 'PYTHON', specPackageList: ['pandas', 'no-such-package==1.0'] }),
      docOf('CodeEnv', 'py-fine', { envLang: 'PYTHON', specPackageList: ['tabulate'] }),
      docOf('EnvConsumer', 'uses-broken', { codeEnv: 'py-broken' }),
      docOf('EnvConsumer', 'uses-fine', { codeEnv: 'py-fine' }),
    ];
    const messages: string[] = [];
    const s = setup(messages);
    const contextFor = contextFactory(s);
    const planned = await planRun(s, docs, contextFor);
    expect(planned.plan.report.summary).toMatchObject({ add: 4 });
    const report = await applyRun(s, planned, contextFor);

    const byAddress = new Map(report.results.map((r) => [r.address, r]));
    expect(byAddress.get('CodeEnv/py-broken')).toMatchObject({ status: 'failed' });
    const error = String(byAddress.get('CodeEnv/py-broken')?.error);
    expect(error).toContain('CodeEnv/py-broken: the package update failed in DSS');
    expect(error).toContain('DSS build log:');
    expect(error).toContain('ERROR: No matching distribution found for no-such-package');
    expect(byAddress.get('EnvConsumer/uses-broken')).toMatchObject({ status: 'skipped', error: 'skipped: CodeEnv/py-broken was not applied' });
    expect(byAddress.get('CodeEnv/py-fine')).toMatchObject({ status: 'applied' });
    expect(byAddress.get('EnvConsumer/uses-fine')).toMatchObject({ status: 'applied' });
    expect(report).toMatchObject({ failed: 1, skipped: 1 });
    expect(messages).toEqual(
      expect.arrayContaining([
        'CodeEnv/py-broken: creating the code env (PYTHON)',
        'CodeEnv/py-broken: updating packages (2 requested)',
        'CodeEnv/py-fine: updating packages (1 requested)',
      ]),
    );

    const variables = await h.sim.ok<Json>('GET', '/admin/variables/');
    // Beside the node's ownership record (dss-gitops.ownership), only what the consumer that ran wrote.
    expect(Object.keys(variables).filter((k) => !k.startsWith('dss-gitops.')).sort()).toEqual(['envs-test.consumer.uses-fine']);

    // The failed env's packages are still to apply; the rest is in sync.
    const again = await planRun(setup(), docs);
    expect(again.plan.report.resourceChanges.map((c) => `${c.action} ${c.address}`).sort()).toEqual([
      'create EnvConsumer/uses-broken',
      'update CodeEnv/py-broken',
    ]);
  });
});

describe('a CodeEnv manifest through the CLI', () => {
  const SECRET = 'idx-t0ken-never-printed';
  let dir: string;
  const cli = (argv: string[]) =>
    runCliCaptured(argv, { env: { DSS_URL: h.sim.url, DSS_API_KEY: h.sim.adminKey, PIP_TOKEN: SECRET }, cwd: dir });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-code-env-'));
    mkdirSync(path.join(dir, 'm'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function manifest(packages: string[]): void {
    const lines = packages.map((p) => `    - ${JSON.stringify(p)}`).join('\n');
    writeFileSync(
      path.join(dir, 'm', 'envs.yaml'),
      `apiVersion: dss-gitops/v1\nkind: CodeEnv\nmetadata:\n  name: py-cli\nspec:\n  envLang: PYTHON\n  desc:\n    pythonInterpreter: PYTHON311\n  permissions:\n    - group: data-team\n      use: true\n  specPackageList:\n${lines}\n`,
    );
  }

  it('applies, then plans no change and writes nothing', async () => {
    manifest(['xgboost==2.0.3', 'requests']);
    const applied = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('CodeEnv/py-cli');
    const plan = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    h.sim.reset({ stats: true, state: false });
    const again = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(h.sim.stats().writes).toBe(0);
  });

  it('prints the change of the package list, and a failed build with its log, never the secret', async () => {
    manifest(['xgboost==2.0.3', 'no-such-package', 'private-lib @ https://ci:${secret:PIP_TOKEN}@pypi.example.com/private-lib.whl']);
    const plan = await cli(['plan', '-f', 'm']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('specPackageList');
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const applied = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(applied.code).toBe(1);
    const output = applied.stdout + applied.stderr;
    expect(output).toContain('No matching distribution found for no-such-package');
    expect(output).not.toContain(SECRET);
    expect(plan.stdout + plan.stderr).not.toContain(SECRET);
  });
});

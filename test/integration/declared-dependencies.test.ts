// `metadata.dependsOn` end to end: a project that names the code env and the connection its recipes use is written
// after them (the env's build, a DSS future, finished first), is skipped when the env fails to build, and the
// second plan has nothing to do. `validate` refuses an address the manifests do not declare at its line.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/base/logger.js';
import { diffManaged } from '../../src/diff/index.js';
import type { DssClient } from '../../src/dss/types.js';
import { loadManifestSet } from '../../src/input/load.js';
import { isError } from '../../src/manifest/types.js';
import { applyRun, contextFactory, planRun, type RunSetup } from '../../src/reconciler/reconcile.js';
import { kindRegistry } from '../../src/resources/registry.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startKindHarness, type KindHarness } from './kind-harness.js';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const PASSWORD = 'dep-warehouse-pw-3141';
const H = 'apiVersion: dss-gitops/v1\n';

const connection = `${H}kind: Connection\nmetadata:\n  name: dep-warehouse\nspec:\n  type: PostgreSQL\n  params:\n    host: db.internal\n    password: \${secret:DEP_PASSWORD}\n`;
const codeEnv = (name: string, packages: string[]): string =>
  `${H}kind: CodeEnv\nmetadata:\n  name: ${name}\nspec:\n  envLang: PYTHON\n  specPackageList: [${packages.join(', ')}]\n`;
const project = (key: string, env: string): string =>
  `${H}kind: Project\nmetadata:\n  name: ${key}\n  dependsOn:\n    - CodeEnv/${env}\n    - Connection/dep-warehouse\n` +
  `spec:\n  name: ${key}\n  owner: admin\n  variables:\n    standard:\n      codeEnv: ${env}\n`;

let h: KindHarness;
let dir: string;
beforeAll(async () => {
  h = await startKindHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-depends-on-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

function tree(name: string, docs: string[]): string {
  const root = path.join(dir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'all.yaml'), docs.join('---\n'));
  return root;
}

/** The client, with every request it sends listed in order (`METHOD path`). */
function recording(client: DssClient, log: string[]): DssClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const name = String(property);
      const method = /^(get|put|post|delete)/.exec(name)?.[1];
      return (...args: unknown[]) => {
        if (method !== undefined && typeof args[0] === 'string') log.push(`${method.toUpperCase()} ${args[0]}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function setup(client: DssClient): RunSetup {
  return {
    registry: kindRegistry(),
    clients: { design: client, deployer: client },
    log: quiet,
    parallelism: 8,
    compare: (desired, live, policy, options) => diffManaged(desired, live, policy, options),
    source: 'depends-on-test',
    options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: [] },
  };
}

async function planAndApply(root: string, log: string[]) {
  const set = loadManifestSet({ paths: [root], vars: [], varFiles: [], env: { DEP_PASSWORD: PASSWORD }, cwd: dir });
  expect(set.problems.filter(isError)).toEqual([]);
  const s = setup(recording(h.client, log));
  const contextFor = contextFactory(s);
  const planned = await planRun(s, set.documents, contextFor);
  log.length = 0;
  const report = await applyRun(s, planned, contextFor);
  return { planned, report, set, s };
}

describe('a project that names its code env and connection in metadata.dependsOn', () => {
  it('is written after both, the env built first; a second plan has nothing to do', async () => {
    const log: string[] = [];
    const root = tree('ok', [project('DEP_OK', 'dep-py'), codeEnv('dep-py', ['tabulate']), connection]);
    const { report } = await planAndApply(root, log);
    expect(report.failed).toBe(0);
    const firstProject = log.findIndex((line) => /^\w+ \/projects\/DEP_OK\b|^POST \/projects\/$/.test(line));
    expect(firstProject).toBeGreaterThan(0);
    const others = log.map((line, i) => [line, i] as const).filter(([line]) => /code-envs|connections|\/futures\//.test(line));
    expect(others.length).toBeGreaterThan(2);
    // Every request of the env (its build's future polled to the end) and of the connection came before.
    for (const [line, i] of others) expect(i, line).toBeLessThan(firstProject);

    const again = await planAndApply(root, log);
    expect(again.planned.plan.report.summary).toMatchObject({ add: 0, change: 0 });
    expect(log.filter((line) => !line.startsWith('GET'))).toEqual([]);
  });

  it('is skipped when the env fails to build, and is not created', async () => {
    const root = tree('broken', [project('DEP_BROKEN', 'dep-broken'), codeEnv('dep-broken', ['no-such-package==1.0']), connection]);
    const { report } = await planAndApply(root, []);
    const byAddress = new Map(report.results.map((r) => [r.address, r.status]));
    expect(byAddress.get('CodeEnv/dep-broken')).toBe('failed');
    expect(byAddress.get('Project/DEP_BROKEN')).toBe('skipped');
    expect((await h.sim.call('GET', '/projects/DEP_BROKEN/metadata')).status).toBe(404);
  });

  it('validate names an address the manifests do not declare at its line, and accepts it once external', async () => {
    const root = tree('undeclared', [project('DEP_UNDECLARED', 'dep-missing'), connection]);
    const env = { DEP_PASSWORD: PASSWORD };
    const refused = await runCliCaptured(['validate', '-f', 'undeclared'], { env, cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'undeclared/all.yaml:6:7: metadata.dependsOn names `CodeEnv/dep-missing`, which the manifests do not declare\n' +
        '  hint: declare it in the manifests, or list it under `external` in dss-gitops.yaml if it exists already\n' +
        '1 error: the manifests are not valid.\n',
    );
    writeFileSync(path.join(root, 'dss-gitops.yaml'), 'external:\n  - CodeEnv/dep-missing\n');
    expect(await runCliCaptured(['validate', '-f', 'undeclared'], { env, cwd: dir })).toMatchObject({ code: 0 });
  });
});

// `export --platform` of code envs, in-process against the simulator: envs made through the API (one with a
// package index credential in its requirements) → export → validate → plan reports no changes → apply on a fresh
// node → export again, byte for byte. The credential is never written: it becomes a `${secret:..}` reference.

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const INDEX_TOKEN = 'idx-t0ken-from-dss';
const INDEX_LINE = `--extra-index-url https://ci:${INDEX_TOKEN}@pypi.example.com/simple`;

let sim: TestSimulator;
let fresh: TestSimulator | undefined;
let dir: string;

const cli = (node: TestSimulator, argv: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCliCaptured(argv, { env: { DSS_URL: node.url, DSS_API_KEY: node.adminKey, ...env }, cwd: dir });

function tree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

async function populate(node: TestSimulator): Promise<void> {
  await node.ok('POST', '/admin/code-envs/PYTHON/py-ml', { deploymentMode: 'DESIGN_MANAGED', pythonInterpreter: 'PYTHON311', installJupyterSupport: true });
  const py = await node.ok<Record<string, unknown>>('GET', '/admin/code-envs/PYTHON/py-ml');
  await node.ok('PUT', '/admin/code-envs/PYTHON/py-ml', {
    ...py,
    specPackageList: `${INDEX_LINE}\nscikit-learn==1.4.0\nxgboost`,
    permissions: [{ group: 'data-science', use: true, update: true, manage: false }],
    desc: { ...(py.desc as object), containerConfs: ['k8s-cpu'], envSettings: { ...((py.desc as Record<string, object>).envSettings), pipInstallExtraOptions: ['--no-cache-dir'] } },
  });
  await node.ok('POST', '/admin/code-envs/PYTHON/py-ml/packages');
  await node.ok('POST', '/admin/code-envs/R/r-reports', { deploymentMode: 'DESIGN_MANAGED' });
  const r = await node.ok<Record<string, unknown>>('GET', '/admin/code-envs/R/r-reports');
  await node.ok('PUT', '/admin/code-envs/R/r-reports', { ...r, specPackageList: 'ggplot2\ndata.table', usableByAll: true });
  await node.ok('POST', '/admin/code-envs/R/r-reports/packages');
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-export-envs-'));
  await populate(sim);
});

afterEach(async () => {
  await sim.close();
  await fresh?.close();
  fresh = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('export --platform of code envs', () => {
  it('round-trips: export, validate, no changes, apply on a fresh node, export again byte for byte', async () => {
    const exported = await cli(sim, ['export', '--platform', '--out', 'out']);
    expect(exported.code, exported.stderr).toBe(0);
    const files = tree(path.join(dir, 'out'));
    const envFiles = [...files.keys()].filter((f) => f.includes('py-ml') || f.includes('r-reports'));
    expect(envFiles).toHaveLength(2);
    const all = [...files.values()].join('\n');
    expect(all).not.toContain(INDEX_TOKEN);
    const py = files.get(envFiles.find((f) => f.includes('py-ml'))!)!;
    expect(py).toContain('envLang: PYTHON');
    expect(py).toContain('pythonInterpreter: PYTHON311');
    expect(py).toContain('- scikit-learn==1.4.0');
    expect(py).toMatch(/- \$\{secret:PY_ML_SPEC_PACKAGE_LIST_1\}/);
    expect(py).toContain('group: data-science');
    expect(exported.stdout + exported.stderr).toContain('PY_ML_SPEC_PACKAGE_LIST_1');

    const env = { PY_ML_SPEC_PACKAGE_LIST_1: INDEX_LINE };
    expect((await cli(sim, ['validate', '-f', 'out'], env)).code).toBe(0);
    const plan = await cli(sim, ['plan', '-f', 'out', '--detailed-exitcode'], env);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);

    fresh = await startTestSimulator();
    const applied = await cli(fresh, ['apply', '-f', 'out', '--auto-approve'], env);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout + applied.stderr).not.toContain(INDEX_TOKEN);
    const again = await cli(fresh, ['export', '--platform', '--out', 'again']);
    expect(again.code).toBe(0);
    expect(tree(path.join(dir, 'again'))).toEqual(files);
  });
});

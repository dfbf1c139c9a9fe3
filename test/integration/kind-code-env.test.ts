// CodeEnv against the simulator: creation with its build, no-op, each managed field, undeclared fields kept,
// drift healed, failed builds (log surfaced, specs restored), the fixed fields refused, export, delete, listing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import { CodeEnvBuildError } from '../../src/resources/code-env/build.js';
import { codeEnvKind } from '../../src/resources/code-env/kind.js';
import { registerSecrets, SecretRegistry, withRunSecrets } from '../../src/base/secrets.js';
import type { ExportScope } from '../../src/resources/types.js';
import { applyPlanned, converge, docOf, planUnits, startKindHarness, writesDuring, type KindHarness } from './kind-harness.js';

type Json = Record<string, unknown>;

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
});
afterAll(() => h.close());

const envDoc = (name: string, spec: Json, sensitivePaths: string[] = []) => docOf('CodeEnv', name, spec, { sensitivePaths });
const definition = (lang: string, name: string) => h.sim.ok<Json>('GET', `/admin/code-envs/${lang}/${name}`);
const descOf = (def: Json) => def.desc as Json;

async function planOf(spec: Json, name: string) {
  const units = codeEnvKind.units(envDoc(name, spec));
  return (await planUnits(codeEnvKind, h.run(), units))[0]!;
}

const PY = {
  envLang: 'PYTHON',
  desc: { pythonInterpreter: 'PYTHON311', installCorePackages: true, corePackagesSet: 'PANDAS13', owner: 'admin' },
  specPackageList: ['scikit-learn==1.3.2', 'xgboost'],
  usableByAll: false,
  permissions: [{ group: 'data-team', use: true }],
};

describe('CodeEnv', () => {
  it('creates a Python env, builds its packages, and a second plan is empty with zero writes', async () => {
    const progress: string[] = [];
    const ctx = { ...h.run(), progress: (_a: string, m: string) => progress.push(m) };
    const units = codeEnvKind.units(envDoc('py-churn', PY));
    await applyPlanned(codeEnvKind, ctx, await planUnits(codeEnvKind, ctx, units));
    expect(progress).toEqual(['creating the code env (PYTHON, PYTHON311)', 'updating packages (2 requested)']);

    const def = await definition('PYTHON', 'py-churn');
    expect(def.specPackageList).toBe('scikit-learn==1.3.2\nxgboost');
    expect(String(def.actualPackageList).split('\n')).toEqual(expect.arrayContaining(['scikit-learn==1.3.2', 'xgboost==1.0.0', 'pandas==1.3.5']));
    expect(descOf(def).pythonInterpreter).toBe('PYTHON311');
    expect(def.permissions).toEqual([{ group: 'data-team', use: true, update: false, manage: false }]);

    const again = await planUnits(codeEnvKind, h.run(), units);
    expect(again[0]!.changes).toEqual([]);
    expect(again[0]!.live?.notices).toBeUndefined();
    expect(await writesDuring(h.client, () => applyPlanned(codeEnvKind, h.run(), again))).toBe(0);
  });

  it('updates each managed field, rebuilding the packages only when they changed', async () => {
    const spec = {
      ...PY,
      desc: { ...PY.desc, corePackagesSet: 'PANDAS22', containerConfs: ['k8s-small', 'k8s-gpu'], envSettings: { pipInstallExtraOptions: ['--no-cache-dir'] } },
      specPackageList: ['scikit-learn==1.4.0', 'lightgbm'],
      usableByAll: true,
      permissions: [{ group: 'analysts', use: true, update: true }],
    };
    const planned = await planOf(spec, 'py-churn');
    expect(planned.changes.map((c) => c.path).sort()).toEqual([
      'desc.containerConfs',
      'desc.containerConfs',
      'desc.corePackagesSet',
      'desc.envSettings.pipInstallExtraOptions',
      'permissions[group=analysts]',
      'permissions[group=data-team]',
      'specPackageList[0]',
      'specPackageList[1]',
      'usableByAll',
    ]);
    await applyPlanned(codeEnvKind, h.run(), [planned]);
    const def = await definition('PYTHON', 'py-churn');
    expect(def.specPackageList).toBe('scikit-learn==1.4.0\nlightgbm');
    expect(String(def.actualPackageList)).toContain('lightgbm==1.0.0');
    expect(String(def.actualPackageList)).toContain('pandas==2.2.2');
    expect(descOf(def).containerConfs).toEqual(['k8s-small', 'k8s-gpu']);
    expect((descOf(def).envSettings as Json).inheritGlobalSettings).toBe(true);
    expect(def.usableByAll).toBe(true);
    expect(await converge(h, codeEnvKind, [envDoc('py-churn', spec)])).toEqual([]);

    // The owner alone: a save, and no build.
    const builds = () => h.sim.stats().byRoute['POST /admin/code-envs/:envLang/:envName/packages'] ?? 0;
    const before = builds();
    await converge(h, codeEnvKind, [envDoc('py-churn', { ...spec, desc: { ...spec.desc, owner: 'alice' } })]);
    expect(builds()).toBe(before);
    expect(descOf(await definition('PYTHON', 'py-churn')).owner).toBe('alice');
  });

  it('keeps the fields the manifest does not declare, byte for byte', async () => {
    const def = await definition('PYTHON', 'py-churn');
    await h.sim.ok('PUT', '/admin/code-envs/PYTHON/py-churn', {
      ...def,
      resourcesInitScript: 'print("init")\n',
      customTeamField: { keep: [1, 2] },
      desc: { ...descOf(def), yarnPythonBin: '/opt/python3', futureDescField: 'x' },
    });
    const edited = await definition('PYTHON', 'py-churn');
    await converge(h, codeEnvKind, [envDoc('py-churn', { ...PY, specPackageList: ['xgboost'] })]);
    const after = await definition('PYTHON', 'py-churn');
    expect(after.specPackageList).toBe('xgboost');
    for (const field of ['resourcesInitScript', 'customTeamField', 'specCondaEnvironment', 'info', 'path']) expect(after[field]).toEqual(edited[field]);
    for (const field of ['yarnPythonBin', 'futureDescField', 'envSettings', 'containerConfs']) expect(descOf(after)[field]).toEqual(descOf(edited)[field]);
  });

  it('reports a change made in DSS as a change, and apply heals it with a build', async () => {
    const spec = { ...PY, specPackageList: ['xgboost'] };
    const def = await definition('PYTHON', 'py-churn');
    await h.sim.ok('PUT', '/admin/code-envs/PYTHON/py-churn', { ...def, specPackageList: 'xgboost\nrequests', permissions: [] });
    const planned = await planOf(spec, 'py-churn');
    expect(planned.changes.map((c) => `${c.kind} ${c.path}`).sort()).toEqual(['add permissions[group=data-team]', 'modify specPackageList']);
    // Saved in DSS without a package update: DSS's installed packages lag behind, which the read tells.
    await h.sim.ok('PUT', '/admin/code-envs/PYTHON/py-churn', { ...def, specPackageList: 'xgboost\nnewpkg' });
    const stale = await codeEnvKind.read(h.run(), codeEnvKind.units(envDoc('py-churn', spec))[0]!);
    expect(stale?.notices).toBeUndefined();
    const declaring = await codeEnvKind.read(h.run(), codeEnvKind.units(envDoc('py-churn', { ...spec, specPackageList: ['xgboost', 'newpkg'] }))[0]!);
    expect(declaring?.notices?.[0]).toContain('requested packages not installed in DSS: newpkg');
    expect(await converge(h, codeEnvKind, [envDoc('py-churn', spec)])).toEqual([]);
    expect((await definition('PYTHON', 'py-churn')).specPackageList).toBe('xgboost');
  });

  it('surfaces the build log of a failed package update and puts the requested packages back', async () => {
    const spec = { ...PY, specPackageList: ['xgboost', 'no-such-package>=2'] };
    const planned = await planOf(spec, 'py-churn');
    const error = await applyPlanned(codeEnvKind, h.run(), [planned]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodeEnvBuildError);
    const message = (error as Error).message;
    expect(message).toContain('CodeEnv/py-churn: the package update failed in DSS');
    expect(message).toContain('ERROR: No matching distribution found for no-such-package');
    expect((await definition('PYTHON', 'py-churn')).specPackageList).toBe('xgboost');
    // Still to apply: the next plan shows it again.
    expect((await planOf(spec, 'py-churn')).changes.map((c) => c.path)).toEqual(['specPackageList']);
  });

  it('scrubs credentials of URLs and the run secrets from a build log', async () => {
    const spec = { envLang: 'PYTHON', specPackageList: ['tabulate', 'private-thing @ https://bot:s3cr3t-index-token@pypi.example.com/x', 'bad line s3cr3t-other'] };
    const error = await withRunSecrets(new SecretRegistry(), async () => {
      registerSecrets(['s3cr3t-other']);
      return applyPlanned(codeEnvKind, h.run(), [await planOf(spec, 'py-scrub')]).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(CodeEnvBuildError);
    const message = (error as Error).message;
    expect(message).toContain('Collecting private-thing @ https://***@pypi.example.com/x');
    expect(message).toContain("ERROR: Invalid requirement: 'bad line [redacted]'");
    expect(message).not.toContain('s3cr3t');
  });

  it('fails a creation with an interpreter DSS does not have, leaving no env', async () => {
    const spec = { envLang: 'PYTHON', desc: { pythonInterpreter: 'PYTHON36' }, specPackageList: ['xgboost'] };
    const error = await applyPlanned(codeEnvKind, h.run(), [await planOf(spec, 'py-old')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodeEnvBuildError);
    expect((error as Error).message).toContain('python3.6 not found');
    expect((await h.sim.call('GET', '/admin/code-envs/PYTHON/py-old')).status).toBe(404);
  });

  it('creates an R env, and refuses to turn an env into another language or interpreter', async () => {
    expect(await converge(h, codeEnvKind, [envDoc('r-reports', { envLang: 'R', specPackageList: ['ggplot2', 'data.table'] })])).toEqual([]);
    const asPython = await planOf({ envLang: 'PYTHON' }, 'r-reports');
    expect(asPython.live?.view.envLang).toBe('R');
    expect(codeEnvKind.validateChange!(asPython.unit, asPython.live!, asPython.changes)).toEqual([
      'CodeEnv/r-reports: DSS cannot change the envLang of an existing code env ("R" → "PYTHON"); delete the env in DSS (or give it another name) and apply again',
    ]);
    const interpreter = await planOf({ ...PY, desc: { ...PY.desc, pythonInterpreter: 'PYTHON312' } }, 'py-churn');
    expect(codeEnvKind.validateChange!(interpreter.unit, interpreter.live!, interpreter.changes)).toHaveLength(1);
  });

  it('exports the node envs as specs that plan no change', async () => {
    const scope: ExportScope = { projectKeys: [], allProjects: false, deployer: false, platform: true };
    expect(await codeEnvKind.listForExport!(h.run(), { ...scope, platform: false })).toEqual([]);
    const docs = await codeEnvKind.listForExport!(h.run(), scope);
    expect(docs.map((d) => d.metadata.name)).toEqual(['py-churn', 'py-scrub', 'r-reports']);
    for (const doc of docs) {
      const units = codeEnvKind.units(doc);
      const live = await codeEnvKind.read(h.run(), units[0]!);
      const { spec } = codeEnvKind.exportSpec!(doc, [{ unit: units[0]!, live: live! }]);
      const [unit] = codeEnvKind.units(envDoc(doc.metadata.name, spec));
      const again = await codeEnvKind.read(h.run(), unit!);
      expect(diffManaged(unit!.desired, again?.view, unit!.policy)).toEqual([]);
      if (doc.metadata.name === 'r-reports') expect(spec).toEqual({ envLang: 'R', desc: { installCorePackages: false, owner: 'admin' }, specPackageList: ['ggplot2', 'data.table'] });
    }
  });

  it('lists the envs of the node and deletes one', async () => {
    expect(await codeEnvKind.listOnNode!(h.client)).toEqual(['py-churn', 'py-scrub', 'r-reports']);
    await codeEnvKind.delete!(h.run(), 'CodeEnv/r-reports');
    await codeEnvKind.delete!(h.run(), 'CodeEnv/r-reports');
    expect(await codeEnvKind.listOnNode!(h.client)).toEqual(['py-churn', 'py-scrub']);
  });
});

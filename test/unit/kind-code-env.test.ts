// The pure parts of CodeEnv: units and policy, DSS's text of requirements and back, the fields a save may change,
// the packages not installed, build answers and their scrubbed logs; the simulator's build; the client's wait.

import { describe, expect, it } from 'vitest';
import { registerSecrets, SecretRegistry, withRunSecrets } from '../../src/base/secrets.js';
import { CodeEnvBuildError, checkBuild, scrubLog } from '../../src/resources/code-env/build.js';
import { desiredOf, managedForm, notInstalled, packageLines, savable, toDefinition, viewOf } from '../../src/resources/code-env/definition.js';
import { codeEnvKind } from '../../src/resources/code-env/kind.js';
import { buildEnv, requirementName } from '../../src/simulator/admin/code-env-store.js';
import { docOf } from './kind-docs.js';
import { mockNode, testDefaults } from './dss-mock-node.js';

const doc = (spec: Record<string, unknown>) => docOf('CodeEnv', 'py-a', spec, { sensitivePaths: ['/spec/specPackageList/1'] });

describe('CodeEnv units', () => {
  it('is one unit at CodeEnv/NAME, ordered after the groups it grants, with the declared fields only', () => {
    const [unit, ...rest] = codeEnvKind.units(
      doc({ envLang: 'R', specPackageList: [' dplyr ', '', 'x'], permissions: [{ group: 'b', use: true }, { group: 'a', manage: true }] }),
    );
    expect(rest).toEqual([]);
    expect(unit).toMatchObject({ address: 'CodeEnv/py-a', kind: 'CodeEnv', dependsOn: [], orderAfter: ['Group/a', 'Group/b'] });
    expect(unit!.desired).toEqual({
      envLang: 'R',
      specPackageList: ['dplyr', 'x'],
      permissions: [
        { group: 'a', use: false, update: false, manage: true },
        { group: 'b', use: true, update: false, manage: false },
      ],
    });
    expect(unit!.policy.sensitive).toEqual(['/specPackageList/1']);
    expect(codeEnvKind.ownership).toBe('instance');
    expect(codeEnvKind.pruneNeedsOptIn).toBeUndefined();
  });

  it('defaults the language to PYTHON only through the schema (envLang is required)', () => {
    expect(desiredOf(doc({ envLang: 'PYTHON' }))).toEqual({ envLang: 'PYTHON' });
    expect(codeEnvKind.schema.properties).toBeDefined();
    expect((codeEnvKind.schema.properties as Record<string, { required?: string[] }>).spec?.required).toEqual(['envLang']);
  });
});

describe('CodeEnv creations refused at plan time', () => {
  const problems = (spec: Record<string, unknown>) => codeEnvKind.validateCreate!(codeEnvKind.units(doc(spec))[0]!, {});
  it('names the Python fields of an R env, a CUSTOM interpreter without its path, a named conda env without its name', () => {
    expect(problems({ envLang: 'PYTHON', desc: { pythonInterpreter: 'PYTHON311' } })).toEqual([]);
    expect(problems({ envLang: 'R', desc: { pythonInterpreter: 'PYTHON311', corePackagesSet: 'PANDAS13' } })).toEqual([
      'CodeEnv/py-a: an R code env has no desc.pythonInterpreter, desc.corePackagesSet (Python only)',
    ]);
    expect(problems({ envLang: 'PYTHON', desc: { pythonInterpreter: 'CUSTOM' } })).toEqual([
      'CodeEnv/py-a: desc.pythonInterpreter CUSTOM needs desc.customInterpreter, the path of the Python binary',
    ]);
    expect(problems({ envLang: 'PYTHON', deploymentMode: 'EXTERNAL_CONDA_NAMED' })).toEqual([
      'CodeEnv/py-a: deploymentMode EXTERNAL_CONDA_NAMED needs desc.externalCondaEnvName',
    ]);
    expect(problems({ envLang: 'PYTHON', deploymentMode: 'DESIGN_NON_MANAGED', specPackageList: ['x'] })).toEqual([
      'CodeEnv/py-a: DSS installs no packages in a DESIGN_NON_MANAGED code env: leave out specPackageList',
    ]);
    expect(problems({ envLang: 'PYTHON', specCondaEnvironment: ['numpy'] })).toEqual([
      'CodeEnv/py-a: specCondaEnvironment needs a conda env (desc.conda: true)',
    ]);
    expect(problems({ envLang: 'PYTHON', desc: { conda: true }, specCondaEnvironment: ['numpy'], specPackageList: [] })).toEqual([]);
  });
});

describe('CodeEnv definitions', () => {
  const raw = {
    envLang: 'PYTHON',
    envName: 'py-a',
    desc: { deploymentMode: 'DESIGN_MANAGED', pythonInterpreter: 'PYTHON39', owner: 'admin', containerConfs: ['b', 'a'] },
    specPackageList: 'pandas\n\n  numpy==1.26 \n',
    specCondaEnvironment: '',
    permissions: [{ group: 'g', use: true }],
    undocumented: { keep: true },
  };

  it('reads the package text as trimmed lines, and the view as the declared fields', () => {
    expect(packageLines(raw.specPackageList)).toEqual(['pandas', 'numpy==1.26']);
    expect(packageLines(undefined)).toEqual([]);
    const desired = desiredOf(doc({ envLang: 'PYTHON', desc: { owner: 'x' }, specPackageList: ['pandas'] }));
    expect(viewOf(raw, desired)).toEqual({ envLang: 'PYTHON', desc: { owner: 'admin' }, specPackageList: ['pandas', 'numpy==1.26'] });
    expect(managedForm(raw).deploymentMode).toBe('DESIGN_MANAGED');
  });

  it('saves neither the language, the mode nor the fields fixed at creation', () => {
    expect(
      savable({ envLang: 'R', deploymentMode: 'DESIGN_MANAGED', desc: { pythonInterpreter: 'PYTHON39', conda: true, owner: 'x' }, usableByAll: true }),
    ).toEqual({ desc: { owner: 'x' }, usableByAll: true });
    expect(savable({ envLang: 'PYTHON', desc: { pythonInterpreter: 'PYTHON39' } })).toEqual({});
  });

  it('writes declared package lists back as text and leaves the others exactly as DSS had them', () => {
    const managed = { ...managedForm(raw), specPackageList: ['scipy', 'numpy'] };
    const body = toDefinition(raw, managed, { specPackageList: ['scipy', 'numpy'] });
    expect(body.specPackageList).toBe('scipy\nnumpy');
    expect(body.specCondaEnvironment).toBe('');
    expect(body.permissions).toBe(raw.permissions);
    expect(body.undocumented).toEqual({ keep: true });
    expect('deploymentMode' in body).toBe(false);
  });

  it('tells the requested packages DSS has not installed, by their normalized names', () => {
    expect(
      notInstalled({
        specPackageList: 'Scikit_Learn>=1.2\n# a comment\n--extra-index-url https://x\nmissing-one\npandas',
        actualPackageList: 'scikit-learn==1.3.2\npandas==2.2.2',
      }),
    ).toEqual(['missing-one']);
  });
});

describe('CodeEnv builds', () => {
  const failed = {
    envName: 'py-a',
    messages: {
      error: true,
      fatal: true,
      messages: [{ severity: 'ERROR', title: 'Failed to install packages', details: 'Collecting x @ https://bot:tok3n-xyz@pypi.example/x\nERROR: boom' }],
    },
  };

  it('passes a build without error and returns its warnings', () => {
    expect(checkBuild({ messages: { error: false, messages: [{ severity: 'SUCCESS', title: 'ok' }] } }, 'POST /x', 'the build')).toEqual([]);
    expect(checkBuild({ messages: { error: false, messages: [{ severity: 'WARNING', title: 'slow mirror' }] } }, 'POST /x', 'b')).toEqual([
      'DSS: slow mirror',
    ]);
    expect(checkBuild({}, 'POST /x', 'b')).toEqual([]);
  });

  it('throws a failed build with its log, URL credentials masked', () => {
    const error = (() => {
      try {
        checkBuild(failed, 'POST /x', 'CodeEnv/py-a: the package update');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CodeEnvBuildError);
    expect(error).toMatchObject({ code: 'CODE_ENV_BUILD_FAILED', fault: 'remote' });
    expect((error as Error).message).toBe(
      'CodeEnv/py-a: the package update failed in DSS: Failed to install packages\nDSS build log:\nCollecting x @ https://***@pypi.example/x\nERROR: boom',
    );
  });

  it('refuses a messages block of another shape, naming the route', () => {
    expect(() => checkBuild({ messages: 'oops' }, 'POST /admin/code-envs/PYTHON/a/packages', 'b')).toThrow(/POST \/admin\/code-envs\/PYTHON\/a\/packages/);
  });

  it('scrubs the run secrets from a log', () => {
    const scrubbed = withRunSecrets(new SecretRegistry(), () => {
      registerSecrets(['run-secret-7781']);
      return scrubLog('pip.conf: index token run-secret-7781 used');
    });
    expect(scrubbed).toBe('pip.conf: index token [redacted] used');
  });
});

describe('the simulated build', () => {
  const settings = (spec: string, desc: Record<string, unknown> = {}) => ({
    envLang: 'PYTHON',
    envName: 'e',
    desc: { deploymentMode: 'DESIGN_MANAGED', pythonInterpreter: 'PYTHON311', installCorePackages: false, ...desc },
    specPackageList: spec,
  });

  it('parses requirement lines as pip does, enough to tell a bad one', () => {
    expect(requirementName('scikit-learn[alldeps]>=1.2,<2')).toBe('scikit-learn');
    expect(requirementName('pandas == 2.2.2')).toBe('pandas');
    expect(requirementName('private-lib @ https://pypi.example/private-lib-1.0.whl')).toBe('private-lib');
    expect(requirementName('not a requirement!')).toBeUndefined();
  });

  it('installs every requested package of the index, pinned versions kept', () => {
    const outcome = buildEnv(settings('xgboost==2.0.3\n# comment\n--no-binary :all:\nrequests'), false);
    expect(outcome.ok).toBe(true);
    expect(outcome.installed).toEqual(['pip==23.3.1', 'setuptools==69.0.2', 'wheel==0.42.0', 'xgboost==2.0.3', 'requests==1.0.0']);
  });

  it('masks the password of a URL in its log, as pip does', () => {
    const outcome = buildEnv(settings('lib @ https://ci:t0k3n-abc@pypi.example/lib.whl\nno-such-x'), false);
    expect(outcome.log).toContain('Collecting lib @ https://ci:****@pypi.example/lib.whl');
    expect(outcome.log).not.toContain('t0k3n-abc');
  });

  it('fails on a package missing from the index and on an interpreter not installed, with pip-like logs', () => {
    const missing = buildEnv(settings('no-such-lib'), false);
    expect(missing.ok).toBe(false);
    expect(missing.log).toContain('ERROR: No matching distribution found for no-such-lib');
    const old = buildEnv(settings('', { pythonInterpreter: 'PYTHON38' }), true);
    expect(old.ok).toBe(false);
    expect(old.messages[0]?.details).toContain('python3.8 not found');
    expect(buildEnv(settings('', { pythonInterpreter: 'PYTHON38' }), false).ok).toBe(true);
  });
});

describe('the client waiting for a build', () => {
  it('waits the future timeout for a long job, and the request timeout otherwise', async () => {
    const node = mockNode({ defaults: testDefaults({ requestTimeoutMs: 20, futureTimeoutMs: 5_000 }) });
    const path = '/public/api/admin/code-envs/PYTHON/a/packages';
    node.pool.intercept({ path, method: 'POST' }).reply(200, { messages: { error: false } }).delay(200);
    expect(await node.client.postJson('/admin/code-envs/PYTHON/a/packages', undefined, { longJob: true })).toEqual({ messages: { error: false } });
    node.pool.intercept({ path, method: 'POST' }).reply(200, {}).delay(200);
    const error = await node.client.postJson('/admin/code-envs/PYTHON/a/packages').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DSS_TIMEOUT', timeoutMs: 20 });
    await node.agent.close();
  });
});

// The node's code envs (`GET /admin/code-envs/`), for drift's unmanaged detection and `export --platform`, and
// a live definition turned back into a CodeEnv spec. Envs that DSS or a plugin manages (`DSS_INTERNAL`,
// `PLUGIN_*`) are not listed: no CodeEnv document manages them.

import { isObject, type Json } from '../../base/json.js';
import type { DssClient } from '../../dss/types.js';
import { DssGitopsError } from '../../errors.js';
import {
  escapeInterpolation,
  exportStub,
  grantForExport,
  referenceSecrets,
  setIfPresent,
  withoutDefaults,
} from '../export-common.js';
import type { ExportedSecret, ExportedSpec, ResourceKind } from '../types.js';
import type { EnvLang } from './definition.js';

const LIST = '/admin/code-envs/';

export interface ListedCodeEnv {
  envName: string;
  envLang: EnvLang;
  /** False for the envs DSS or a plugin manages. */
  userManaged: boolean;
}

export async function listCodeEnvs(client: DssClient): Promise<ListedCodeEnv[]> {
  const answer = await client.getJson<unknown>(LIST);
  if (!Array.isArray(answer)) {
    throw new DssGitopsError('DSS_UNEXPECTED_ANSWER', `DSS answered GET ${LIST} with something else than a list; nothing was written from it`, {
      fault: 'remote',
    });
  }
  return answer
    .filter(isObject)
    .filter((e) => typeof e.envName === 'string' && (e.envLang === 'PYTHON' || e.envLang === 'R'))
    .map((e) => {
      const mode = String(e.deploymentMode ?? (isObject(e.desc) ? e.desc.deploymentMode : ''));
      return {
        envName: e.envName as string,
        envLang: e.envLang as EnvLang,
        userManaged: mode !== 'DSS_INTERNAL' && !mode.startsWith('PLUGIN_'),
      };
    })
    .sort((a, b) => a.envName.localeCompare(b.envName));
}

/** Every field export reads (placeholders: the stub's units then read them all). */
const EXPORTED_DESC: Json = {
  pythonInterpreter: '',
  customInterpreter: '',
  conda: false,
  externalCondaEnvName: '',
  installCorePackages: false,
  corePackagesSet: '',
  installJupyterSupport: false,
  owner: '',
  envSettings: {},
  allContainerConfs: false,
  containerConfs: [],
  allSparkKubernetesConfs: false,
  sparkKubernetesConfs: [],
  rebuildDependentCodeStudioTemplates: '',
  dockerImageResources: '',
  yarnPythonBin: '',
  yarnRBin: '',
};

/** What DSS stores when these are left out: not written to an exported spec. */
const DESC_DEFAULTS: Json = {
  conda: false,
  customInterpreter: '',
  externalCondaEnvName: '',
  installJupyterSupport: false,
  allContainerConfs: false,
  containerConfs: [],
  allSparkKubernetesConfs: false,
  sparkKubernetesConfs: [],
  rebuildDependentCodeStudioTemplates: 'ASK',
  dockerImageResources: 'NONE',
  yarnPythonBin: '',
  yarnRBin: '',
};

const ENV_SETTINGS_DEFAULTS: Json = {
  inheritGlobalSettings: true,
  condaInstallExtraOptions: [],
  condaCreateExtraOptions: [],
  pipInstallExtraOptions: [],
  virtualenvCreateExtraOptions: [],
  cranMirrorURL: '',
};

/** The spec of an env from its live view. Pure; secret-looking values become `${secret:..}` references. */
export function codeEnvSpecFromView(name: string, view: Json): ExportedSpec {
  const secrets: ExportedSecret[] = [];
  const found = { taken: new Set<string>(), found: secrets };
  const safe = escapeInterpolation(view) as Json;
  const spec: Json = { envLang: safe.envLang };
  if (safe.deploymentMode !== undefined && safe.deploymentMode !== 'DESIGN_MANAGED') spec.deploymentMode = safe.deploymentMode;
  const desc = withoutDefaults(isObject(safe.desc) ? safe.desc : {}, DESC_DEFAULTS);
  if (isObject(desc.envSettings)) {
    const settings = withoutDefaults(desc.envSettings, ENV_SETTINGS_DEFAULTS);
    if (Object.keys(settings).length > 0) {
      desc.envSettings = referenceSecrets(settings, { name: [name, 'envSettings'], where: `CodeEnv/${name} spec.desc.envSettings` }, found, {
        urls: true,
      });
    } else delete desc.envSettings;
  }
  for (const [key, value] of Object.entries(desc)) if (value === '' || value === null) delete desc[key];
  setIfPresent(spec, 'desc', desc);
  for (const field of ['specPackageList', 'specCondaEnvironment']) {
    const where = { name: [name, field], where: `CodeEnv/${name} spec.${field}` };
    setIfPresent(spec, field, referenceSecrets(safe[field], where, found, { urls: true }));
  }
  if (safe.usableByAll === true) spec.usableByAll = true;
  const grants = Array.isArray(safe.permissions) ? safe.permissions.filter(isObject).map(grantForExport) : [];
  setIfPresent(spec, 'permissions', grants.filter((g) => Object.keys(g).length > 1));
  return secrets.length > 0 ? { spec, secrets } : { spec };
}

export const codeEnvExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  async listForExport(ctx, scope) {
    if (!scope.platform) return [];
    const envs = (await listCodeEnvs(ctx.client)).filter((e) => e.userManaged);
    return envs.map((e) =>
      exportStub(
        'CodeEnv',
        { name: e.envName },
        {
          envLang: e.envLang,
          deploymentMode: '',
          desc: EXPORTED_DESC,
          specPackageList: [],
          specCondaEnvironment: [],
          usableByAll: false,
          permissions: [],
        },
      ),
    );
  },

  exportSpec(doc, live) {
    return codeEnvSpecFromView(doc.metadata.name, live[0]?.live.view ?? {});
  },
};

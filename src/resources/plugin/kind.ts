// `Plugin`: a plugin installed on the design node, `Plugin/ID`, instance-scoped. Up to three units:
// - `Plugin/ID`: the installation. Its source (the store at a version, a Git checkout, a zip of the manifests tree)
//   is compared with the installed version and the source recorded at install (source.ts); a difference is an
//   update from that source (a DSS future), shown as `version: old → new`.
// - `Plugin/ID#settings`: `config`, `parameterSets` and `presets` of `GET|POST /plugins/ID/settings`, merged
//   (items by `name`), everything else in the settings kept.
// - `Plugin/ID#code-env`: the plugin-managed code env, created after the plugin (`code-env/actions/create`, a future)
//   and named in the settings' `codeEnvName`.
// Prune never uninstalls a plugin unless its manifest opted in (`dss-gitops/prune: "delete"`): plugins are used by
// recipes and datasets that uninstalling would break.

import { isObject, type Json } from '../../base/json.js';
import { DssApiError } from '../../dss/errors.js';
import { DssGitopsError } from '../../errors.js';
import { addressOf } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import type { DiffPolicy } from '../../diff/types.js';
import { createResolvingLostAnswer } from '../lost-answer.js';
import { overlay, pick, sensitiveUnder } from '../managed-write.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit, WriteResult } from '../types.js';
import { pluginExport } from './export.js';
import { installedPlugin, listPlugins, pluginPath, pluginsOfRun, readSettings, runJob, settingsOfRun, writeSettings } from './live.js';
import { pluginSchema } from './schema.js';
import { checkArchiveFile, desiredSource, readArchiveOf, recordedCodeEnv, recordedSource, withRecordedCodeEnv, withRecordedSource } from './source.js';

export const PLUGIN_KIND = 'Plugin';
const SETTINGS_BLOCK = 'settings';
const CODE_ENV_BLOCK = 'code-env';
const SETTINGS_FIELDS = ['config', 'parameterSets', 'presets'] as const;

export const SETTINGS_POLICY: DiffPolicy = {
  keyedLists: {
    '/parameterSets': ['name'],
    '/presets': ['name'],
    '/parameterSets/*/permissions': ['group'],
    '/presets/*/permissions': ['group'],
  },
  // Secrets set in DSS that the manifest does not declare are masked too.
  secretNamedKeys: ['/config/*', '/presets/*/config/*', '/presets/*/pluginConfig/*'],
};

function idOf(address: string): string {
  const rest = address.slice(PLUGIN_KIND.length + 1);
  const hash = rest.indexOf('#');
  return hash < 0 ? rest : rest.slice(0, hash);
}

function settingsUnit(doc: ManifestDocument, main: string): ResourceUnit | undefined {
  const desired: Json = {};
  for (const field of SETTINGS_FIELDS) if (doc.spec[field] !== undefined) desired[field] = doc.spec[field];
  if (Object.keys(desired).length === 0) return undefined;
  return {
    address: `${main}#${SETTINGS_BLOCK}`,
    kind: PLUGIN_KIND,
    doc,
    block: SETTINGS_BLOCK,
    desired,
    policy: { ...SETTINGS_POLICY, sensitive: sensitiveUnder(doc, '/spec') },
    dependsOn: [main],
  };
}

const FROM: Record<string, (desired: Json, doc: ManifestDocument) => string> = {
  store: () => 'the store',
  git: (d) => `Git ${String(d.gitRepositoryUrl)} at ${String(d.gitCheckout)}`,
  zip: (_d, doc) => `the archive ${String((doc.spec.source as { zip: { file: string } }).zip.file)}`,
};

/** Installs (or updates) the plugin from its declared source, waits for the future, records the source. */
async function install(ctx: KindContext, unit: ResourceUnit, update: boolean): Promise<WriteResult> {
  const id = unit.doc.metadata.name;
  const desired = unit.desired;
  let route: string;
  let send: () => Promise<unknown>;
  if (desired.source === 'zip') {
    const archive = readArchiveOf(unit.doc);
    if (archive.sha256 !== desired.sha256) {
      throw new DssGitopsError('PLUGIN_ZIP_CHANGED', `${unit.address}: the archive ${archive.file} changed since the plan; plan again`, { fault: 'user' });
    }
    route = update ? `${pluginPath(id)}/actions/future/updateFromZip` : '/plugins/actions/future/installFromZip';
    send = () => ctx.client.request('POST', route, { rawBody: archive.bytes });
  } else if (desired.source === 'git') {
    route = update ? `${pluginPath(id)}/actions/updateFromGit` : '/plugins/actions/installFromGit';
    const body = { gitRepositoryUrl: desired.gitRepositoryUrl, gitCheckout: desired.gitCheckout, gitSubpath: desired.gitSubpath ?? null };
    send = () => ctx.client.postJson(route, body);
  } else {
    route = update ? `${pluginPath(id)}/actions/updateFromStore` : '/plugins/actions/installFromStore';
    send = () => (update ? ctx.client.postJson(route) : ctx.client.postJson(route, { pluginId: id }));
  }
  const doing = `${update ? 'updating' : 'installing'} from ${FROM[String(desired.source)]?.(desired, unit.doc) ?? 'its source'}`;
  let result: Json = {};
  if (update) {
    result = await runJob(ctx, unit.address, route, send, doing);
  } else {
    // An install whose start was lost, or refused because it had taken effect, is found by listing the plugins;
    // a job that ran and failed is a failure.
    const outcome = await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send,
      readBack: async () => (await listPlugins(ctx)).find((p) => p.id === id),
      mismatch: () => undefined,
    });
    if (outcome.answer !== undefined) {
      try {
        result = await runJob(ctx, unit.address, route, () => Promise.resolve(outcome.answer), doing);
      } catch (error) {
        // A start sent again while the first one (whose answer was lost) still ran fails as already installed:
        // the plugin is there, which is what was asked. Its version is checked below like any other.
        if (!(await listPlugins(ctx)).some((p) => p.id === id)) throw error;
        ctx.log.info({ address: unit.address }, 'the install had taken effect: found the plugin by listing');
      }
    }
  }
  const installed = (await listPlugins(ctx)).find((p) => p.id === id);
  if (!installed) {
    const other = isObject(result.pluginDesc) && typeof result.pluginDesc.id === 'string' ? result.pluginDesc.id : undefined;
    throw new DssGitopsError(
      'PLUGIN_ID',
      `${unit.address}: ${FROM[String(desired.source)]?.(desired, unit.doc) ?? 'the source'} holds ${other === undefined ? 'another plugin' : `plugin ${other}`}, not ${id}` +
        (other === undefined ? '' : ` (DSS installed ${other}; it is not managed by this manifest)`),
      { fault: 'user' },
    );
  }
  await writeSettings(ctx, id, (live) => withRecordedSource(live, desired));
  const declared = desired.version;
  if (typeof declared === 'string' && installed.version !== declared) {
    const hint =
      desired.source === 'store'
        ? ` (DSS installs the store's current version): declare ${installed.version}, or install ${declared} from Git or a zip`
        : '';
    throw new DssGitopsError(
      'PLUGIN_VERSION',
      `${unit.address}: ${FROM[String(desired.source)]?.(desired, unit.doc) ?? 'the source'} installed version ${installed.version}, not ${declared} as declared${hint}`,
      { fault: 'user' },
    );
  }
  return update ? updateCodeEnv(ctx, unit) : {};
}

/**
 * After an update, the plugin-managed code env the manifest declares is brought to the new version's requirements
 * (`code-env/actions/update`, a future), as DSS does not do it by itself.
 */
async function updateCodeEnv(ctx: KindContext, unit: ResourceUnit): Promise<WriteResult> {
  if (!isObject(unit.doc.spec.codeEnv)) return {};
  const id = unit.doc.metadata.name;
  const envName = (await readSettings(ctx, id)).codeEnvName;
  if (typeof envName !== 'string' || envName === '') return {};
  const route = `${pluginPath(id)}/code-env/actions/update`;
  await runJob(ctx, unit.address, route, () => ctx.client.postJson(route), 'updating the code env');
  return { notes: [`code env ${envName} updated`] };
}

async function readMain(ctx: KindContext, unit: ResourceUnit): Promise<LiveState | undefined> {
  const id = unit.doc.metadata.name;
  const item = await installedPlugin(ctx, id);
  if (!item) return undefined;
  const settings = await settingsOfRun(ctx, id);
  const recorded = recordedSource(settings);
  const view: Json = {};
  for (const key of Object.keys(unit.desired)) {
    if (key === 'version') view.version = item.version;
    else if (recorded) {
      if (recorded[key] !== undefined) view[key] = recorded[key];
    } else view[key] = unit.desired[key];
  }
  const notices =
    recorded === undefined && unit.desired.source !== 'store'
      ? [`${unit.address}: DSS keeps no record of where this plugin was installed from; only its version is compared`]
      : [];
  return { view, raw: { plugin: item.raw, settings }, ...(notices.length > 0 ? { notices } : {}) };
}

async function createCodeEnv(ctx: KindContext, unit: ResourceUnit): Promise<void> {
  const id = unit.doc.metadata.name;
  const spec = isObject(unit.doc.spec.codeEnv) ? unit.doc.spec.codeEnv : {};
  const route = `${pluginPath(id)}/code-env/actions/create`;
  const body = { deploymentMode: 'PLUGIN_MANAGED', conda: spec.conda === true, pythonInterpreter: spec.pythonInterpreter ?? null };
  const result = await runJob(ctx, unit.address, route, () => ctx.client.postJson(route, body), 'creating the code env');
  if (typeof result.envName !== 'string' || result.envName === '') {
    throw new DssGitopsError('PLUGIN_CODE_ENV', `${unit.address}: DSS created the code env but did not name it (no envName in the result)`, { fault: 'remote' });
  }
  const envName = result.envName;
  await writeSettings(ctx, id, (live) => withRecordedCodeEnv({ ...live, codeEnvName: envName }, unit.desired));
}

export const pluginKind: ResourceKind = {
  kind: PLUGIN_KIND,
  node: 'design',
  schema: pluginSchema,
  ownership: 'instance',
  pruneNeedsOptIn: 'keep',
  ...pluginExport,
  checkDocument: checkArchiveFile,

  units(doc) {
    const main = addressOf(PLUGIN_KIND, doc.metadata.name);
    const units: ResourceUnit[] = [{ address: main, kind: PLUGIN_KIND, doc, desired: desiredSource(doc), policy: {}, dependsOn: [] }];
    const settings = settingsUnit(doc, main);
    if (settings) units.push(settings);
    if (isObject(doc.spec.codeEnv)) {
      const desired: Json = {};
      for (const key of ['pythonInterpreter', 'conda']) if (doc.spec.codeEnv[key] !== undefined) desired[key] = doc.spec.codeEnv[key];
      units.push({ address: `${main}#${CODE_ENV_BLOCK}`, kind: PLUGIN_KIND, doc, block: CODE_ENV_BLOCK, desired, policy: {}, dependsOn: [main] });
    }
    return units;
  },

  async read(ctx, unit) {
    if (unit.block === undefined) return readMain(ctx, unit);
    const id = unit.doc.metadata.name;
    if (!(await installedPlugin(ctx, id))) return undefined;
    const settings = await settingsOfRun(ctx, id);
    if (unit.block === CODE_ENV_BLOCK) {
      if (typeof settings.codeEnvName !== 'string' || settings.codeEnvName === '') return undefined;
      // What the env was created with, as recorded when this tool created it; else taken as declared.
      const recorded = recordedCodeEnv(settings);
      const view: Json = {};
      for (const key of Object.keys(unit.desired)) view[key] = recorded ? recorded[key] : unit.desired[key];
      return { view, raw: settings };
    }
    return { view: pick(settings, unit.desired), raw: settings };
  },

  async create(ctx, unit) {
    if (unit.block === undefined) return install(ctx, unit, false);
    if (unit.block === CODE_ENV_BLOCK) return createCodeEnv(ctx, unit);
    return writeSettings(ctx, unit.doc.metadata.name, (live) => overlay(live, unit.desired, unit.policy));
  },

  async update(ctx, unit) {
    if (unit.block === undefined) return install(ctx, unit, true);
    if (unit.block === CODE_ENV_BLOCK) return;
    return writeSettings(ctx, unit.doc.metadata.name, (live) => overlay(live, unit.desired, unit.policy));
  },

  async delete(ctx, address) {
    // The settings and the code env go with the plugin; alone, they are not deleted.
    if (address.includes('#')) return;
    const route = `${pluginPath(idOf(address))}/actions/delete`;
    try {
      await runJob(ctx, address, route, () => ctx.client.postJson(route, { force: false }), 'uninstalling');
    } catch (error) {
      if (error instanceof DssApiError && error.status === 404) return;
      throw error;
    }
  },

  async listOnNode(client, ctx) {
    return (await (ctx ? pluginsOfRun(ctx) : listPlugins({ client }))).map((p) => p.id);
  },

  validateChange(unit, live, changes) {
    if (unit.block !== CODE_ENV_BLOCK || changes.length === 0) return [];
    const envName = isObject(live.raw) ? String(live.raw.codeEnvName) : 'the code env';
    return [
      `${unit.address}: ${changes.map((c) => c.path).join(', ')} changed, but DSS does not re-create a plugin's code env; ` +
        `delete ${envName} in DSS to have it created anew with the declared settings`,
    ];
  },

  describeUpdate(unit, live) {
    if (unit.block !== undefined) return [];
    const from = FROM[String(unit.desired.source)]?.(unit.desired, unit.doc) ?? 'its source';
    const before = live.view.version;
    const after = unit.desired.version;
    return [`update from ${from}${typeof before === 'string' && typeof after === 'string' && before !== after ? `: ${before} → ${after}` : ''}`];
  },
};

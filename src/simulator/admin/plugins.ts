// `/plugins/...`: the installed plugins of the design node, as DSS serves them to its official client (list_plugins,
// install_plugin_from_store/_git/_archive, DSSPlugin: settings, update_from_*, delete, create_code_env). Installs,
// updates from the store or Git, deletions and code env builds are futures, as in DSS; a zip upload is checked
// when it arrives (a zip whose plugin.json gives an id and a version), and installed in the request or, on the
// `/future/` routes, in a future. Administrators only. The store and Git server the node knows are in
// plugin-catalog.ts.

import { illegalArgument, notFound } from '../errors.js';
import type { SimContext } from '../context.js';
import { extractUploadedArchive } from '../deployer/archive.js';
import { FutureStepError, startFuture } from '../deployer/futures.js';
import type { FutureRecord } from '../deployer/state.js';
import { isRecord, param } from '../deployer/values.js';
import type { Router, SimRequest, SimResponse } from '../router.js';
import { descFromArchive } from './plugin-archive.js';
import { gitCatalog, storeCatalog, type PluginDesc } from './plugin-catalog.js';
import {
  findPlugin,
  installPlugin,
  isInstalled,
  pluginListItem,
  pluginsOf,
  saveSettings,
  settingsView,
} from './plugin-store.js';

const OK_MESSAGES = { messages: [], anyMessage: false, success: true, warning: false, error: false, fatal: false };

function jobAnswer(record: FutureRecord): SimResponse {
  return { json: { jobId: record.jobId, hasResult: false, alive: true } };
}

/** A future that installs `desc()` (which may fail, as a clone or a store download does) and answers its descriptor. */
function installJob(ctx: SimContext, kind: string, target: string, desc: () => PluginDesc, update: boolean): SimResponse {
  const record = startFuture(ctx, {
    kind,
    target,
    steps: [
      {
        name: update ? 'Updating plugin' : 'Installing plugin',
        run: () => {
          const plugin = installPlugin(ctx.state.design, desc(), update);
          ctx.changed();
          return Promise.resolve({ pluginId: plugin.desc.id, pluginDesc: structuredClone(plugin.desc) });
        },
      },
    ],
    result: (steps) => ({ ...(steps[0]?.report as object), needsRestart: false, messages: OK_MESSAGES }),
  });
  return jobAnswer(record);
}

function fromStore(id: string): PluginDesc {
  const catalog = storeCatalog();
  const desc = Object.hasOwn(catalog, id) ? catalog[id] : undefined;
  if (!desc) throw new FutureStepError(`Plugin not found in the store: ${id}`);
  return desc;
}

function fromGit(body: Record<string, unknown>): PluginDesc {
  const url = body.gitRepositoryUrl;
  const checkout = typeof body.gitCheckout === 'string' && body.gitCheckout !== '' ? body.gitCheckout : 'master';
  const subpath = typeof body.gitSubpath === 'string' ? body.gitSubpath.replace(/^\/+|\/+$/g, '') : '';
  const repos = gitCatalog();
  const repo = typeof url === 'string' && Object.hasOwn(repos, url) ? repos[url] : undefined;
  if (!repo) throw new FutureStepError(`Failed to clone Git repository ${String(url)}: repository not found or not reachable`);
  const atPath = Object.hasOwn(repo.plugins, subpath) ? repo.plugins[subpath] : undefined;
  if (!atPath) throw new FutureStepError(`No plugin.json found in ${String(url)} at path '${subpath}'`);
  const desc = Object.hasOwn(atPath, checkout) ? atPath[checkout] : undefined;
  if (!desc) throw new FutureStepError(`Failed to checkout '${checkout}' in ${String(url)}: no such branch, tag or commit`);
  return desc;
}

/** The uploaded archive's descriptor; a body that is not a plugin zip is refused with DSS's error shape. */
function fromUpload(req: SimRequest): PluginDesc {
  if (req.rawBody.length === 0) throw illegalArgument('Expected the plugin archive (a zip) as the file of the request');
  const desc = descFromArchive(extractUploadedArchive(req.rawBody));
  if ('problem' in desc) throw illegalArgument(`Invalid plugin archive: the file ${desc.problem}`);
  return desc;
}

function gitBody(req: SimRequest): Record<string, unknown> {
  if (!isRecord(req.body) || typeof req.body.gitRepositoryUrl !== 'string' || req.body.gitRepositoryUrl === '') {
    throw illegalArgument('Expected {gitRepositoryUrl, gitCheckout, gitSubpath}');
  }
  return req.body;
}

function registerInstallRoutes(router: Router): void {
  const admin = { adminOnly: true };
  const upload = { adminOnly: true, rawBody: true };

  router.post(
    '/plugins/actions/installFromStore',
    (req, ctx) => {
      const id = isRecord(req.body) ? req.body.pluginId : undefined;
      if (typeof id !== 'string' || id === '') throw illegalArgument('Expected {pluginId}');
      if (isInstalled(ctx.state.design, id)) throw illegalArgument(`Plugin already installed: ${id}`);
      return installJob(ctx, 'plugin-install', id, () => fromStore(id), false);
    },
    admin,
  );
  router.post(
    '/plugins/actions/installFromGit',
    (req, ctx) => {
      const body = gitBody(req);
      return installJob(ctx, 'plugin-install', String(body.gitRepositoryUrl), () => fromGit(body), false);
    },
    admin,
  );
  router.post(
    '/plugins/actions/installFromZip',
    (req, ctx) => {
      installPlugin(ctx.state.design, fromUpload(req), false);
      ctx.changed();
      return { json: {} };
    },
    upload,
  );
  router.post(
    '/plugins/actions/future/installFromZip',
    (req, ctx) => {
      const desc = fromUpload(req);
      if (isInstalled(ctx.state.design, desc.id)) throw illegalArgument(`Plugin already installed: ${desc.id}`);
      return installJob(ctx, 'plugin-install', desc.id, () => desc, false);
    },
    upload,
  );
}

/** An update must install the plugin it was asked for: an archive or a checkout of another plugin is refused. */
function sameId(id: string, desc: PluginDesc): PluginDesc {
  if (desc.id !== id) throw new FutureStepError(`The plugin found is ${desc.id}, not ${id}`);
  return desc;
}

function registerUpdateRoutes(router: Router): void {
  const admin = { adminOnly: true };
  const upload = { adminOnly: true, rawBody: true };

  router.post(
    '/plugins/:pluginId/actions/updateFromStore',
    (req, ctx) => {
      const id = findPlugin(ctx.state.design, param(req, 'pluginId')).desc.id;
      return installJob(ctx, 'plugin-update', id, () => fromStore(id), true);
    },
    admin,
  );
  router.post(
    '/plugins/:pluginId/actions/updateFromGit',
    (req, ctx) => {
      const id = findPlugin(ctx.state.design, param(req, 'pluginId')).desc.id;
      const body = gitBody(req);
      return installJob(ctx, 'plugin-update', id, () => sameId(id, fromGit(body)), true);
    },
    admin,
  );
  router.post(
    '/plugins/:pluginId/actions/updateFromZip',
    (req, ctx) => {
      const id = findPlugin(ctx.state.design, param(req, 'pluginId')).desc.id;
      const desc = fromUpload(req);
      if (desc.id !== id) throw illegalArgument(`The archive holds plugin ${desc.id}, not ${id}`);
      installPlugin(ctx.state.design, desc, true);
      ctx.changed();
      return { json: {} };
    },
    upload,
  );
  router.post(
    '/plugins/:pluginId/actions/future/updateFromZip',
    (req, ctx) => {
      const id = findPlugin(ctx.state.design, param(req, 'pluginId')).desc.id;
      const desc = fromUpload(req);
      if (desc.id !== id) throw illegalArgument(`The archive holds plugin ${desc.id}, not ${id}`);
      return installJob(ctx, 'plugin-update', id, () => desc, true);
    },
    upload,
  );
  router.post(
    '/plugins/:pluginId/actions/delete',
    (req, ctx) => {
      const id = findPlugin(ctx.state.design, param(req, 'pluginId')).desc.id;
      const record = startFuture(ctx, {
        kind: 'plugin-delete',
        target: id,
        steps: [
          {
            name: 'Deleting plugin',
            run: () => {
              delete pluginsOf(ctx.state.design).installed[id];
              ctx.changed();
              return Promise.resolve({});
            },
          },
        ],
        result: () => ({ messages: OK_MESSAGES }),
      });
      return jobAnswer(record);
    },
    admin,
  );
}

function registerSettingsRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.get('/plugins', (_req, ctx) => {
    const installed = Object.values(pluginsOf(ctx.state.design).installed);
    return { json: installed.sort((a, b) => (a.desc.id < b.desc.id ? -1 : 1)).map(pluginListItem) };
  }, admin);
  router.get('/plugins/:pluginId/settings', (req, ctx) => {
    if (req.query.get('projectKey')) throw illegalArgument('Project-level plugin settings are not simulated');
    return { json: settingsView(findPlugin(ctx.state.design, param(req, 'pluginId'))) };
  }, admin);
  router.post(
    '/plugins/:pluginId/settings',
    (req, ctx) => {
      const plugin = findPlugin(ctx.state.design, param(req, 'pluginId'));
      if (req.query.get('projectKey')) throw illegalArgument('Project-level plugin settings are not simulated');
      if (!isRecord(req.body)) throw illegalArgument('Expected the plugin settings as a JSON object');
      saveSettings(plugin, req.body);
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
}

function registerCodeEnvRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.post(
    '/plugins/:pluginId/code-env/actions/create',
    (req, ctx) => {
      const plugin = findPlugin(ctx.state.design, param(req, 'pluginId'));
      const id = plugin.desc.id;
      if (plugin.desc.codeEnvSpec === undefined) throw illegalArgument(`Plugin ${id} has no code env to create`);
      const body = isRecord(req.body) ? req.body : {};
      const interpreter = typeof body.pythonInterpreter === 'string' ? body.pythonInterpreter : null;
      const accepted = plugin.desc.codeEnvSpec.acceptedPythonInterpreters;
      const record = startFuture(ctx, {
        kind: 'plugin-code-env-create',
        target: id,
        steps: [
          {
            name: 'Creating code env',
            run: () => {
              const current = findPlugin(ctx.state.design, id);
              if (current.codeEnv) throw new FutureStepError(`Code env ${current.codeEnv.envName} already exists`);
              if (interpreter !== null && Array.isArray(accepted) && !accepted.includes(interpreter)) {
                throw new FutureStepError(`Python interpreter ${interpreter} is not accepted by plugin ${id} (accepted: ${accepted.join(', ')})`);
              }
              current.codeEnv = { envName: `plugin_${id}_managed`, pythonInterpreter: interpreter, conda: body.conda === true };
              ctx.changed();
              return Promise.resolve({ envName: current.codeEnv.envName });
            },
          },
        ],
        result: (steps) => ({ ...(steps[0]?.report as object), messages: OK_MESSAGES }),
      });
      return jobAnswer(record);
    },
    admin,
  );
  router.post(
    '/plugins/:pluginId/code-env/actions/update',
    (req, ctx) => {
      const plugin = findPlugin(ctx.state.design, param(req, 'pluginId'));
      if (!plugin.codeEnv) throw notFound(`Plugin ${plugin.desc.id} has no code env yet`);
      const envName = plugin.codeEnv.envName;
      const record = startFuture(ctx, {
        kind: 'plugin-code-env-update',
        target: plugin.desc.id,
        steps: [{ name: 'Updating code env', run: () => Promise.resolve({ envName }) }],
        result: (steps) => ({ ...(steps[0]?.report as object), messages: OK_MESSAGES }),
      });
      return jobAnswer(record);
    },
    admin,
  );
}

export function registerPluginRoutes(router: Router): void {
  registerSettingsRoutes(router);
  registerInstallRoutes(router);
  registerUpdateRoutes(router);
  registerCodeEnvRoutes(router);
}

// `/admin/code-envs/...` as Dataiku's official client calls it (`list_code_envs`, `create_code_env`, DSSCodeEnv's
// `get_settings`/`save`, `update_packages`, `set_jupyter_support`, `list_usages`, `list_logs`, `get_log`,
// `delete`). Administrators only. The definition is one JSON object, saved whole by a PUT (fields DSS knows
// nothing about stored as sent), except what a design node cannot change, kept as it was: language, deployment
// mode, interpreter, conda, and what DSS computes. Builds answer when they are over: see code-env-store.ts.

import { setTimeout as sleep } from 'node:timers/promises';
import { isObject } from '../../base/json.js';
import { illegalArgument, notFound } from '../errors.js';
import type { Router, SimRequest } from '../router.js';
import type { SimContext } from '../context.js';
import type { DesignState, Json } from '../design/state.js';
import {
  buildEnv,
  buildSize,
  createCodeEnvsState,
  DESIGN_DEPLOYMENT_MODES,
  envKey,
  envLangOf,
  findByName,
  infoMessages,
  INSTALLED_INTERPRETERS,
  mandatoryPackages,
  MISSING_INTERPRETERS,
  pythonVersionOf,
  type CodeEnvRecord,
  type CodeEnvsState,
  type EnvLang,
} from './code-env-store.js';

/** The code envs of the node; a state saved before they were simulated has none yet. */
export function codeEnvsOf(design: DesignState): CodeEnvsState {
  design.codeEnvs ??= createCodeEnvsState();
  return design.codeEnvs;
}

const NAME = /^[A-Za-z0-9_-]+$/;

/** Fields of `desc` a design node lets a PUT change (the official client's `set_definition` list). */
const WRITABLE_DESC = [
  'owner',
  'installCorePackages',
  'corePackagesSet',
  'installJupyterSupport',
  'yarnPythonBin',
  'yarnRBin',
  'envSettings',
  'allContainerConfs',
  'containerConfs',
  'allSparkKubernetesConfs',
  'sparkKubernetesConfs',
  'rebuildDependentCodeStudioTemplates',
  'dockerImageResources',
];
/** Top-level fields a PUT cannot change: what DSS computes or fixed at creation. */
const READ_ONLY = [
  'envLang',
  'envName',
  'deploymentMode',
  'owner',
  'canUpdateCodeEnv',
  'canManageUsersCodeEnv',
  'info',
  'path',
  'actualPackageList',
  'actualCondaEnvironment',
  'mandatoryPackageList',
  'mandatoryCondaEnvironment',
];

function langOf(req: SimRequest): EnvLang {
  const lang = envLangOf(req.params.envLang ?? '');
  if (lang === undefined) throw illegalArgument(`Unknown code env language: ${req.params.envLang ?? ''} (expected PYTHON or R)`);
  return lang;
}

function envOf(ctx: SimContext, req: SimRequest): CodeEnvRecord {
  const lang = langOf(req);
  const name = req.params.envName ?? '';
  const env = codeEnvsOf(ctx.state.design).envs[envKey(lang, name)];
  if (!env) throw notFound(`Code env not found: ${lang}/${name}`);
  return env;
}

function text(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw illegalArgument(`${field} must be a string`);
  return value;
}

function flag(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw illegalArgument(`${field} must be a boolean`);
  return value;
}

/** The definition of a new env from the creation parameters, checked as DSS checks them. */
function newSettings(lang: EnvLang, name: string, body: Json, owner: string): Json {
  const mode = text(body.deploymentMode, 'deploymentMode');
  if (mode === undefined || !(DESIGN_DEPLOYMENT_MODES as readonly string[]).includes(mode)) {
    throw illegalArgument(`Unsupported deployment mode for a design node code env: ${String(mode)}`);
  }
  const conda = flag(body.conda, 'conda', false);
  const desc: Json = {
    deploymentMode: mode,
    conda,
    installCorePackages: flag(body.installCorePackages, 'installCorePackages', lang === 'PYTHON'),
    installJupyterSupport: flag(body.installJupyterSupport, 'installJupyterSupport', false),
    envSettings: {
      inheritGlobalSettings: true,
      condaInstallExtraOptions: [],
      condaCreateExtraOptions: [],
      pipInstallExtraOptions: [],
      virtualenvCreateExtraOptions: [],
      cranMirrorURL: '',
    },
    allContainerConfs: false,
    containerConfs: [],
    allSparkKubernetesConfs: false,
    sparkKubernetesConfs: [],
    rebuildDependentCodeStudioTemplates: 'ASK',
    dockerImageResources: 'NONE',
    owner,
    usableByAll: false,
    permissions: [],
  };
  if (lang === 'PYTHON') {
    const interpreter = text(body.pythonInterpreter, 'pythonInterpreter') ?? 'PYTHON39';
    const known = [...INSTALLED_INTERPRETERS, ...MISSING_INTERPRETERS, 'CUSTOM'] as readonly string[];
    if (!known.includes(interpreter)) throw illegalArgument(`Unknown Python interpreter: ${interpreter}`);
    desc.pythonInterpreter = interpreter;
    if (interpreter === 'CUSTOM') {
      const custom = text(body.customInterpreter, 'customInterpreter');
      if (custom === undefined || custom === '') throw illegalArgument('customInterpreter is required with a CUSTOM interpreter');
      desc.customInterpreter = custom;
    }
    desc.corePackagesSet = text(body.corePackagesSet, 'corePackagesSet') ?? 'PANDAS13';
  }
  if (mode === 'EXTERNAL_CONDA_NAMED') desc.externalCondaEnvName = text(body.externalCondaEnvName, 'externalCondaEnvName') ?? '';
  const settings: Json = {
    envLang: lang,
    envName: name,
    deploymentMode: mode,
    desc,
    owner,
    usableByAll: false,
    permissions: [],
    canUpdateCodeEnv: true,
    canManageUsersCodeEnv: true,
    path: `/data/dataiku/dss_data/code-envs/${lang.toLowerCase()}/${name}`,
    resourcesInitScript: '',
    specPackageList: '',
    specCondaEnvironment: '',
    actualPackageList: '',
    actualCondaEnvironment: '',
    mandatoryPackageList: '',
    mandatoryCondaEnvironment: '',
  };
  if (lang === 'PYTHON') settings.info = { pythonVersion: pythonVersionOf(desc.pythonInterpreter) ?? '' };
  settings.mandatoryPackageList = mandatoryPackages(settings).join('\n');
  return settings;
}

/**
 * The definition a PUT saves: the body as sent (a field it leaves out is gone, as when DSS reads a whole object),
 * except what a save cannot change, kept as stored: the language, name and deployment mode, what DSS computes
 * (installed packages, info, path, rights), and the desc's fields fixed at creation (interpreter, conda).
 */
function savedSettings(stored: Json, body: Json): Json {
  for (const field of ['specPackageList', 'specCondaEnvironment', 'resourcesInitScript', 'externalCondaEnvName']) {
    text(body[field], field);
  }
  if (body.permissions !== undefined && !Array.isArray(body.permissions)) throw illegalArgument('permissions must be a list');
  if (body.desc !== undefined && !isObject(body.desc)) throw illegalArgument('desc must be an object');
  const storedDesc = (stored.desc ?? {}) as Json;
  const desc: Json = isObject(body.desc) ? structuredClone(body.desc) : structuredClone(storedDesc);
  for (const key of Object.keys(storedDesc)) {
    if (!WRITABLE_DESC.includes(key) && key !== 'usableByAll' && key !== 'permissions') desc[key] = structuredClone(storedDesc[key]);
  }
  const saved: Json = structuredClone(body);
  for (const field of READ_ONLY) {
    if (field in stored) saved[field] = structuredClone(stored[field]);
    else delete saved[field];
  }
  saved.permissions = Array.isArray(body.permissions) ? saved.permissions : [];
  saved.usableByAll = body.usableByAll === true;
  // The desc holds the permission fields too; the top-level copies are what a save reads (as in DSS).
  desc.permissions = structuredClone(saved.permissions);
  desc.usableByAll = saved.usableByAll;
  saved.desc = desc;
  saved.owner = desc.owner;
  saved.mandatoryPackageList = mandatoryPackages(saved).join('\n');
  return saved;
}

async function pauseFor(state: CodeEnvsState, settings: Json): Promise<void> {
  const ms = state.buildMs + state.perPackageMs * buildSize(settings);
  if (ms > 0) await sleep(ms);
}

function addLog(env: CodeEnvRecord, kind: string, now: number, log: string): void {
  env.logs.push({ name: `${kind}-${now}-${env.logs.length + 1}.log`, lastModified: now, text: log });
}

function listItem(settings: Json): Json {
  return {
    envLang: settings.envLang,
    envName: settings.envName,
    deploymentMode: settings.deploymentMode,
    owner: settings.owner,
    usableByAll: settings.usableByAll,
    desc: structuredClone(settings.desc),
  };
}

export function registerCodeEnvRoutes(router: Router): void {
  const admin = { adminOnly: true };
  const base = '/admin/code-envs/:envLang/:envName';

  router.get(
    '/admin/code-envs',
    (_req, ctx) => ({
      json: Object.values(codeEnvsOf(ctx.state.design).envs)
        .map((env) => listItem(env.settings))
        .sort((a, b) => String(a.envName).localeCompare(String(b.envName))),
    }),
    admin,
  );

  router.post(
    base,
    async (req, ctx) => {
      const lang = langOf(req);
      const name = req.params.envName ?? '';
      if (!NAME.test(name)) throw illegalArgument(`Invalid code env name: ${name} (letters, digits, '-' and '_' only)`);
      const state = codeEnvsOf(ctx.state.design);
      const existing = findByName(state, name);
      if (existing) throw illegalArgument(`Code env already exists: ${name} (${String(existing.settings.envLang)})`);
      const body = isObject(req.body) ? req.body : {};
      const settings = newSettings(lang, name, body, ctx.userLogin);
      const key = envKey(lang, name);
      // Taken while the build runs, so that a second creation of the same name is refused as DSS does.
      const env: CodeEnvRecord = { settings, logs: [] };
      state.envs[key] = env;
      await pauseFor(state, settings);
      const outcome = buildEnv(settings, true);
      if (!outcome.ok) {
        delete state.envs[key];
        ctx.changed();
        return { json: { envLang: lang, envName: name, messages: infoMessages(outcome.messages) } };
      }
      settings.actualPackageList = outcome.installed.join('\n');
      addLog(env, 'create', ctx.now(), outcome.log);
      ctx.changed();
      return { json: { envLang: lang, envName: name, messages: infoMessages(outcome.messages) } };
    },
    admin,
  );

  router.get(base, (req, ctx) => ({ json: structuredClone(envOf(ctx, req).settings) }), admin);

  router.put(
    base,
    (req, ctx) => {
      const env = envOf(ctx, req);
      if (!isObject(req.body)) throw illegalArgument('Expected a code env definition (a JSON object)');
      env.settings = savedSettings(env.settings, req.body);
      ctx.changed();
      return { json: structuredClone(env.settings) };
    },
    admin,
  );

  router.delete(
    base,
    (req, ctx) => {
      const env = envOf(ctx, req);
      delete codeEnvsOf(ctx.state.design).envs[envKey(langOf(req), String(env.settings.envName))];
      ctx.changed();
      return { json: { messages: infoMessages([]) } };
    },
    admin,
  );

  router.post(
    `${base}/packages`,
    async (req, ctx) => {
      const env = envOf(ctx, req);
      if (env.settings.deploymentMode !== 'DESIGN_MANAGED') {
        throw illegalArgument(`Code env ${String(env.settings.envName)} is not managed by DSS (${String(env.settings.deploymentMode)}): no packages to update`);
      }
      const state = codeEnvsOf(ctx.state.design);
      await pauseFor(state, env.settings);
      // The env may have been deleted while the build ran.
      if (state.envs[envKey(langOf(req), req.params.envName ?? '')] !== env) throw notFound(`Code env not found: ${req.params.envName ?? ''}`);
      const outcome = buildEnv(env.settings, false);
      if (outcome.ok) env.settings.actualPackageList = outcome.installed.join('\n');
      addLog(env, 'update', ctx.now(), outcome.log);
      ctx.changed();
      return { json: { messages: infoMessages(outcome.messages) } };
    },
    admin,
  );

  router.post(
    `${base}/jupyter`,
    (req, ctx) => {
      const env = envOf(ctx, req);
      const active = /^true$/i.test(req.query.get('active') ?? '');
      const desc = (env.settings.desc ?? {}) as Json;
      env.settings.desc = { ...desc, installJupyterSupport: active };
      ctx.changed();
      return { json: { messages: infoMessages([]) } };
    },
    admin,
  );

  // No object of the simulated node runs code (recipes, notebooks, webapps are not simulated): nothing uses an env.
  router.get(
    `${base}/usages`,
    (req, ctx) => {
      envOf(ctx, req);
      return { json: [] };
    },
    admin,
  );

  router.get(
    `${base}/logs`,
    (req, ctx) => ({
      json: envOf(ctx, req).logs.map((log) => {
        const lines = log.text.split('\n');
        return {
          name: log.name,
          totalSize: Buffer.byteLength(log.text),
          lastModified: log.lastModified,
          tail: { totalLines: lines.length, lines: lines.slice(-50) },
        };
      }),
    }),
    admin,
  );

  router.get(
    `${base}/logs/:logName`,
    (req, ctx) => {
      const log = envOf(ctx, req).logs.find((l) => l.name === req.params.logName);
      if (!log) throw notFound(`Log not found: ${req.params.logName ?? ''}`);
      return { raw: { contentType: 'text/plain; charset=utf-8', body: Buffer.from(log.text) } };
    },
    admin,
  );
}

// `CodeEnv`: a code environment of the design node, `CodeEnv/NAME` (DSS keeps env names unique across
// languages, so the name alone is the address). Created with `POST /admin/code-envs/{lang}/{name}` (language,
// deployment mode, interpreter, conda: fixed from then on), its definition written by GET-modify-PUT of
// `/admin/code-envs/{lang}/{name}`, and its packages built with `POST .../packages` when the requested packages
// or the core package settings changed. DSS answers a build when it is over: see build.ts. A failed package
// build puts the requested packages DSS had before back, so that the next plan shows them as still to apply.

import { pathSegment } from '../../base/dss-path.js';
import { deepEqual, isObject, type Json } from '../../base/json.js';
import { objectAnswer, objectOrAbsent } from '../../dss/answer.js';
import { DssApiError } from '../../dss/errors.js';
import type { DssClient } from '../../dss/types.js';
import { DssGitopsError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import { createResolvingLostAnswer } from '../lost-answer.js';
import { freshWrite, overlay } from '../managed-write.js';
import type { KindContext, ResourceKind, ResourceUnit, WriteResult } from '../types.js';
import { checkBuild, withBuildProgress } from './build.js';
import {
  codeEnvPolicy,
  CREATION_DESC,
  desiredOf,
  langOf,
  managedForm,
  notInstalled,
  PACKAGE_SPECS,
  REBUILD_DESC,
  savable,
  toDefinition,
  viewOf,
  type EnvLang,
} from './definition.js';
import { codeEnvExport, listCodeEnvs } from './export.js';
import { codeEnvSchema } from './schema.js';

export const CODE_ENV_KIND = 'CodeEnv';

export function codeEnvPath(lang: EnvLang, name: string): string {
  return `/admin/code-envs/${lang}/${pathSegment(name)}`;
}

function otherLang(lang: EnvLang): EnvLang {
  return lang === 'PYTHON' ? 'R' : 'PYTHON';
}

/** The creation parameters DSS takes (`create_code_env`'s `params`, with `deploymentMode`). */
function creationBody(desired: Json): Json {
  const desc = isObject(desired.desc) ? desired.desc : {};
  const body: Json = { deploymentMode: desired.deploymentMode ?? 'DESIGN_MANAGED' };
  for (const field of [...CREATION_DESC, ...REBUILD_DESC, 'installJupyterSupport']) {
    if (desc[field] !== undefined) body[field] = desc[field];
  }
  return body;
}

function descField(definition: Json, field: string): unknown {
  return isObject(definition.desc) ? definition.desc[field] : undefined;
}

/** Whether the packages must be built again after a save that went from `before` to `after`. */
function needsBuild(before: Json, after: Json): boolean {
  return (
    PACKAGE_SPECS.some((field) => (before[field] ?? '') !== (after[field] ?? '')) ||
    REBUILD_DESC.some((field) => !deepEqual(descField(before, field), descField(after, field)))
  );
}

function requestedCount(definition: Json): number {
  return PACKAGE_SPECS.reduce((n, field) => n + String(definition[field] ?? '').split('\n').filter((l) => l.trim() !== '').length, 0);
}

/**
 * Saves the definition (GET-modify-PUT), then builds the packages when needed, and turns jupyter support on or off
 * when it changed. A failed build restores the package specs of before the save, if nobody changed them since.
 */
async function saveAndBuild(ctx: KindContext, unit: ResourceUnit, lang: EnvLang): Promise<WriteResult> {
  const path = codeEnvPath(lang, unit.doc.metadata.name);
  const fields = savable(unit.desired);
  let before: Json = {};
  const after = await freshWrite(ctx.client, path, (live) => {
    before = live;
    return toDefinition(live, overlay(managedForm(live), fields, unit.policy), fields);
  });
  const notes: string[] = [];
  if (needsBuild(before, after)) {
    const route = `POST ${path}/packages`;
    const answer = await withBuildProgress(ctx, unit.address, `updating packages (${requestedCount(after)} requested)`, () =>
      ctx.client.postJson(`${path}/packages`, undefined, { query: { forceRebuildEnv: false }, longJob: true }),
    );
    try {
      notes.push(...checkBuild(answer, route, `${unit.address}: the package update`));
    } catch (error) {
      await restoreSpecs(ctx, path, before, after);
      throw error;
    }
  }
  const jupyter = descField(after, 'installJupyterSupport');
  if (typeof jupyter === 'boolean' && jupyter !== descField(before, 'installJupyterSupport')) {
    const answer = await ctx.client.postJson(`${path}/jupyter`, undefined, { query: { active: jupyter }, longJob: true });
    notes.push(...checkBuild(answer, `POST ${path}/jupyter`, `${unit.address}: jupyter support`));
  }
  return notes.length > 0 ? { notes } : {};
}

/** After a failed build: the package specs DSS had before the save, unless someone changed them since. */
async function restoreSpecs(ctx: KindContext, path: string, before: Json, written: Json): Promise<void> {
  try {
    await freshWrite(ctx.client, path, (live) => {
      const body = { ...live };
      for (const field of PACKAGE_SPECS) {
        if (live[field] !== written[field]) return undefined;
        if (field in before) body[field] = before[field];
      }
      return body;
    });
  } catch (error) {
    ctx.log.warn({ path, err: error instanceof Error ? error.message : String(error) }, 'could not restore the package specs after a failed build');
  }
}

function nameOf(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed || parsed.kind !== CODE_ENV_KIND) throw new DssGitopsError('BAD_ADDRESS', `${address} is not a code env address`);
  return parsed.name;
}

async function readDefinition(client: DssClient, lang: EnvLang, name: string): Promise<Json | undefined> {
  const path = codeEnvPath(lang, name);
  return objectOrAbsent(await client.getOrAbsent<unknown>(path), `GET ${path}`);
}

export const codeEnvKind: ResourceKind = {
  kind: CODE_ENV_KIND,
  node: 'design',
  schema: codeEnvSchema,
  ownership: 'instance',
  ...codeEnvExport,

  units(doc) {
    const unit: ResourceUnit = {
      address: addressOf(CODE_ENV_KIND, doc.metadata.name),
      kind: CODE_ENV_KIND,
      doc,
      desired: desiredOf(doc),
      policy: codeEnvPolicy(doc),
      dependsOn: [],
    };
    const groups = Array.isArray(doc.spec.permissions)
      ? doc.spec.permissions.filter(isObject).map((g) => g.group).filter((g): g is string => typeof g === 'string')
      : [];
    // Granted groups are written first when the run declares them; they need not be declared (DSS's own groups).
    if (groups.length > 0) unit.orderAfter = [...new Set(groups)].sort().map((g) => addressOf('Group', g));
    return [unit];
  },

  async read(ctx, unit) {
    const name = unit.doc.metadata.name;
    const lang = langOf(unit.doc);
    // Names are unique across languages: an env of the other language under this name is this env, in another
    // language than declared (validateChange refuses that change), not an absent one.
    const raw = (await readDefinition(ctx.client, lang, name)) ?? (await readDefinition(ctx.client, otherLang(lang), name));
    if (raw === undefined) return undefined;
    const view = viewOf(raw, unit.desired);
    // Only when DSS requests what the manifest does: otherwise the plan shows the change, and apply builds it.
    const requested = unit.desired.specPackageList !== undefined && deepEqual(view.specPackageList, unit.desired.specPackageList);
    const missing = requested ? notInstalled(raw) : [];
    const notices =
      missing.length > 0
        ? [`${unit.address}: requested packages not installed in DSS: ${missing.join(', ')} (the last build failed, or the spec was saved without updating the packages)`]
        : [];
    return { view, raw, ...(notices.length > 0 ? { notices } : {}) };
  },

  validateChange(unit, _live, changes) {
    const fixed = changes.filter((c) => ['/envLang', '/deploymentMode', ...CREATION_DESC.map((f) => `/desc/${f}`)].includes(c.pointer));
    return fixed.map(
      (c) =>
        `${unit.address}: DSS cannot change the ${c.path} of an existing code env (${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}); ` +
        'delete the env in DSS (or give it another name) and apply again',
    );
  },

  validateCreate(unit) {
    const desc = isObject(unit.desired.desc) ? unit.desired.desc : {};
    const problems: string[] = [];
    if (unit.desired.envLang === 'R') {
      const python = ['pythonInterpreter', 'customInterpreter', 'corePackagesSet', 'yarnPythonBin'].filter((f) => desc[f] !== undefined);
      if (python.length > 0) problems.push(`${unit.address}: an R code env has no ${python.map((f) => `desc.${f}`).join(', ')} (Python only)`);
    }
    if (desc.pythonInterpreter === 'CUSTOM' && typeof desc.customInterpreter !== 'string') {
      problems.push(`${unit.address}: desc.pythonInterpreter CUSTOM needs desc.customInterpreter, the path of the Python binary`);
    }
    const mode = unit.desired.deploymentMode ?? 'DESIGN_MANAGED';
    const specs = PACKAGE_SPECS.filter((f) => Array.isArray(unit.desired[f]) && (unit.desired[f] as unknown[]).length > 0);
    if (mode !== 'DESIGN_MANAGED' && specs.length > 0) {
      problems.push(`${unit.address}: DSS installs no packages in a ${String(mode)} code env: leave out ${specs.join(', ')}`);
    } else if (specs.includes('specCondaEnvironment') && desc.conda !== true) {
      problems.push(`${unit.address}: specCondaEnvironment needs a conda env (desc.conda: true)`);
    }
    if (mode === 'EXTERNAL_CONDA_NAMED' && typeof desc.externalCondaEnvName !== 'string') {
      problems.push(`${unit.address}: deploymentMode EXTERNAL_CONDA_NAMED needs desc.externalCondaEnvName`);
    }
    return problems;
  },

  async create(ctx, unit) {
    const name = unit.doc.metadata.name;
    const lang = langOf(unit.doc);
    const path = codeEnvPath(lang, name);
    const body = creationBody(unit.desired);
    const interpreter = typeof body.pythonInterpreter === 'string' ? `, ${body.pythonInterpreter}` : '';
    const created = await withBuildProgress(ctx, unit.address, `creating the code env (${lang}${interpreter})`, () =>
      createResolvingLostAnswer(ctx, {
        address: unit.address,
        send: () => ctx.client.postJson(path, body, { longJob: true }),
        readBack: () => readDefinition(ctx.client, lang, name),
        mismatch: (found) => {
          const mode = objectAnswer(found, `GET ${path}`).deploymentMode;
          return mode === body.deploymentMode ? undefined : `its deployment mode is ${String(mode)}, not ${String(body.deploymentMode)}`;
        },
      }),
    );
    const notes = created.answer === undefined ? [] : checkBuild(created.answer, `POST ${path}`, `${unit.address}: the creation`);
    const saved = await saveAndBuild(ctx, unit, lang);
    const all = [...notes, ...(saved.notes ?? [])];
    return all.length > 0 ? { notes: all } : undefined;
  },

  async update(ctx, unit, live) {
    const raw = objectAnswer(live.raw, `GET ${codeEnvPath(langOf(unit.doc), unit.doc.metadata.name)}`);
    const lang: EnvLang = raw.envLang === 'R' ? 'R' : 'PYTHON';
    return saveAndBuild(ctx, unit, lang);
  },

  async delete(ctx, address) {
    const name = nameOf(address);
    const env = (await listCodeEnvs(ctx.client)).find((e) => e.envName === name);
    if (!env) return;
    const path = codeEnvPath(env.envLang, name);
    let answer: unknown;
    try {
      answer = await ctx.client.deleteJson(path);
    } catch (error) {
      // Sent again after a lost answer, the DELETE finds the env gone: what was asked for.
      if (error instanceof DssApiError && error.status === 404) return;
      throw error;
    }
    checkBuild(answer, `DELETE ${path}`, `${address}: the deletion`);
  },

  async listOnNode(client) {
    return (await listCodeEnvs(client)).filter((e) => e.userManaged).map((e) => e.envName);
  },
};

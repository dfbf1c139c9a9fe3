// A code env's definition (`GET /admin/code-envs/{lang}/{name}`) as the diff sees it, and back: DSS keeps the
// requested packages as one text of lines, a manifest lists them. Pure.

import { isObject, type Json } from '../../base/json.js';
import type { DiffPolicy } from '../../diff/types.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { grantPolicy, normalizeGrants } from '../grants.js';
import { pick, sensitiveUnder } from '../managed-write.js';

export const CODE_ENV_GRANT_FLAGS = ['use', 'update', 'manage'] as const;

/** Fields fixed when DSS creates the env: sent with the creation, never by a save (DSS ignores them there). */
export const CREATION_DESC = ['pythonInterpreter', 'customInterpreter', 'conda', 'externalCondaEnvName'] as const;
/** Fields whose change needs the packages to be built again (`POST .../packages`). */
export const REBUILD_DESC = ['installCorePackages', 'corePackagesSet'] as const;
export const PACKAGE_SPECS = ['specPackageList', 'specCondaEnvironment'] as const;

export type EnvLang = 'PYTHON' | 'R';

/** DSS's text of requirements → the list a manifest holds: one trimmed line an item, blank lines left out. */
export function packageLines(spec: unknown): string[] {
  if (typeof spec !== 'string') return [];
  return spec
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function packageItems(list: unknown): string[] {
  return Array.isArray(list) ? list.map((item) => String(item).trim()).filter((item) => item !== '') : [];
}

export function langOf(doc: ManifestDocument): EnvLang {
  return doc.spec.envLang === 'R' ? 'R' : 'PYTHON';
}

/** The managed fields of a CodeEnv document. */
export function desiredOf(doc: ManifestDocument): Json {
  const spec = doc.spec;
  const desired: Json = { envLang: langOf(doc) };
  if (spec.deploymentMode !== undefined) desired.deploymentMode = spec.deploymentMode;
  if (isObject(spec.desc)) desired.desc = structuredClone(spec.desc);
  for (const field of PACKAGE_SPECS) if (spec[field] !== undefined) desired[field] = packageItems(spec[field]);
  if (spec.usableByAll !== undefined) desired.usableByAll = spec.usableByAll;
  if (spec.permissions !== undefined) desired.permissions = normalizeGrants(spec.permissions, CODE_ENV_GRANT_FLAGS);
  return desired;
}

export function codeEnvPolicy(doc: ManifestDocument): DiffPolicy {
  const grants = grantPolicy('/permissions');
  return {
    ...grants,
    sets: ['/desc/containerConfs', '/desc/sparkKubernetesConfs'],
    exact: [...(grants.exact ?? []), '/specPackageList', '/specCondaEnvironment'],
    sensitive: sensitiveUnder(doc, '/spec'),
  };
}

/** The definition in the shape of the diff: package specs as lists, grants expanded, the deployment mode read. */
export function managedForm(raw: Json): Json {
  const desc = isObject(raw.desc) ? raw.desc : {};
  const form: Json = { ...raw, desc };
  form.deploymentMode = raw.deploymentMode ?? desc.deploymentMode;
  for (const field of PACKAGE_SPECS) form[field] = packageLines(raw[field]);
  form.permissions = normalizeGrants(raw.permissions, CODE_ENV_GRANT_FLAGS);
  return form;
}

/** The live view: the managed form reduced to what `desired` declares. */
export function viewOf(raw: Json, desired: Json): Json {
  const form = managedForm(raw);
  const view = pick(form, desired);
  if (isObject(desired.desc) && isObject(form.desc)) view.desc = pick(form.desc, desired.desc);
  return view;
}

/** What a save may change: `desired` without the fields fixed at creation (language, mode, interpreter...). */
export function savable(desired: Json): Json {
  const { envLang: _lang, deploymentMode: _mode, ...rest } = desired;
  if (isObject(rest.desc)) {
    const desc = { ...rest.desc };
    for (const field of CREATION_DESC) delete desc[field];
    if (Object.keys(desc).length > 0) rest.desc = desc;
    else delete rest.desc;
  }
  return rest;
}

/**
 * `managed` (the managed form of a fresh GET with the savable fields laid over) back into DSS's shape over `raw`:
 * declared package specs joined into text again, the others left exactly as DSS had them.
 */
export function toDefinition(raw: Json, managed: Json, desired: Json): Json {
  const body: Json = { ...managed };
  for (const field of PACKAGE_SPECS) {
    if (desired[field] !== undefined) body[field] = (managed[field] as string[]).join('\n');
    else if (field in raw) body[field] = raw[field];
    else delete body[field];
  }
  if (desired.permissions === undefined) {
    if ('permissions' in raw) body.permissions = raw.permissions;
    else delete body.permissions;
  }
  if ('deploymentMode' in raw) body.deploymentMode = raw.deploymentMode;
  else delete body.deploymentMode;
  return body;
}

/** `scikit_learn`, `Scikit-Learn` → `scikit-learn` (PEP 503), the name part of a requirement line. */
export function packageName(line: string): string | undefined {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  return match?.[1]?.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The requested packages missing from what DSS says is installed (`actualPackageList`): a build that failed, or a
 * spec saved in DSS without updating the packages. Options lines (`--index-url ...`) and comments are skipped.
 */
export function notInstalled(raw: Json): string[] {
  const actual = new Set(packageLines(raw.actualPackageList).map(packageName));
  return packageLines(raw.specPackageList)
    .filter((line) => !line.startsWith('#') && !line.startsWith('-'))
    .filter((line) => {
      const name = packageName(line);
      return name !== undefined && !actual.has(name);
    });
}

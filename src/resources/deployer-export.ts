// `export` of the Project Deployer's kinds (`--deployer`): the published projects of the exported projects, their
// deployments, and the infras those run on (with `--all-projects`: every one of them). Each list is read once per
// run and shared. An infra's admin API key is never written: it becomes a `${secret:..}` reference. The bundle a
// deployment runs is not exported (bundles are build outputs): it is listed as external.

import { addressOf } from '../manifest/address.js';
import { escapeInterpolation, exportStub, grantForExport, hideSecrets, secretName, secretReference, setIfPresent } from './export-common.js';
import { clearKey, recordedHash } from './infra/secret.js';
import { isObject, type Json } from '../base/json.js';
import { asObject } from './managed-write.js';
import { memoPerRun } from './run-memo.js';
import type { ExportScope, ExportedSecret, ExportedSpec, KindContext, ResourceKind } from './types.js';

type Exporter = Pick<ResourceKind, 'listForExport' | 'exportSpec'>;

function listOf(ctx: KindContext, path: string): Promise<Json[]> {
  return memoPerRun(ctx, `export:${path}`, async () => {
    const list = await ctx.client.getJson<unknown>(path);
    return Array.isArray(list) ? list.filter(isObject) : [];
  });
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function inScope(scope: ExportScope, projectKey: string): boolean {
  return scope.allProjects || scope.projectKeys.includes(projectKey);
}

/** `{deploymentBasicInfo: {...}}` items of the deployment list that belong to the scope. */
async function deploymentsInScope(ctx: KindContext, scope: ExportScope): Promise<Json[]> {
  const list = await listOf(ctx, '/project-deployer/deployments');
  return list.map((item) => asObject(item.deploymentBasicInfo)).filter((d) => str(d.id) !== '' && inScope(scope, str(d.publishedProjectKey)));
}

function grantsOf(view: Json): Json[] {
  return Array.isArray(view.permissions) ? view.permissions.filter(isObject).map(grantForExport) : [];
}

function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].filter((id) => id !== '').sort();
}

/** The spec of a published project from its live view. Pure. */
export function publishedProjectSpecFromView(raw: Json): ExportedSpec {
  const view = escapeInterpolation(raw) as Json;
  const spec: Json = {};
  setIfPresent(spec, 'name', view.name);
  setIfPresent(spec, 'owner', view.owner);
  setIfPresent(spec, 'permissions', grantsOf(view));
  return { spec };
}

/** The spec of an infra from its live view and settings; the admin key, when one is set, as a reference. Pure. */
export function infraSpecFromLive(id: string, rawView: Json, settings: Json): ExportedSpec {
  const view = escapeInterpolation(rawView) as Json;
  const spec: Json = {};
  setIfPresent(spec, 'stage', view.stage);
  setIfPresent(spec, 'automationNodeUrl', view.automationNodeUrl);
  if (view.trustAllSSLCertificates === true) spec.trustAllSSLCertificates = true;
  setIfPresent(spec, 'permissions', grantsOf(view));
  const hasKey = clearKey(settings) !== undefined || recordedHash(settings) !== undefined || str(settings.adminApiKey) !== '';
  if (!hasKey) return { spec };
  const name = secretName('INFRA', id, 'adminApiKey');
  spec.adminApiKey = secretReference(name);
  return { spec, secrets: [{ name, where: `Infra/${id} spec.adminApiKey` }] };
}

/** The spec of a deployment from its live view; local variables under secret-looking names as references. Pure. */
export function deploymentSpecFromView(id: string, raw: Json): ExportedSpec {
  const view = escapeInterpolation(raw) as Json;
  const spec: Json = {};
  const key = str(view.publishedProjectKey);
  for (const field of ['publishedProjectKey', 'infraId', 'bundleId'] as const) setIfPresent(spec, field, view[field]);
  if (str(view.deployedProjectKey) !== key) setIfPresent(spec, 'deployedProjectKey', view.deployedProjectKey);
  setIfPresent(spec, 'projectFolderId', view.projectFolderId);
  if (view.disableAutomaticTriggers === true) spec.disableAutomaticTriggers = true;
  const secrets: ExportedSecret[] = [];
  const locals = asObject(view.localVariables);
  if (Object.keys(locals).length > 0) {
    spec.localVariables = hideSecrets(locals, ['DEPLOYMENT', id], `Deployment/${id} spec.localVariables`, new Set(), secrets);
  }
  setIfPresent(spec, 'scenariosToActivate', view.scenariosToActivate);
  setIfPresent(spec, 'bundleContainerSettings', view.bundleContainerSettings);
  if (Array.isArray(view.tags)) setIfPresent(spec, 'tags', [...new Set(view.tags.map(String))].sort());
  const bundleId = str(view.bundleId);
  const exported: ExportedSpec = { spec };
  if (secrets.length > 0) exported.secrets = secrets;
  if (bundleId !== '' && key !== '') exported.external = [addressOf('Bundle', bundleId, key)];
  return exported;
}

export const publishedProjectExport: Exporter = {
  async listForExport(ctx, scope) {
    const list = await listOf(ctx, '/project-deployer/projects');
    const keys = sortedIds(list.map((item) => str(asObject(item.projectBasicInfo).id)).filter((key) => inScope(scope, key)));
    return keys.map((key) => exportStub('PublishedProject', { name: key }, { name: '', owner: '', permissions: [] }));
  },
  exportSpec(_doc, live) {
    return publishedProjectSpecFromView(live[0]?.live.view ?? {});
  },
};

export const infraExport: Exporter = {
  async listForExport(ctx, scope) {
    const ids = scope.allProjects
      ? (await listOf(ctx, '/project-deployer/infras')).map((item) => str(asObject(item.infraBasicInfo).id))
      : (await deploymentsInScope(ctx, scope)).map((d) => str(d.infraId));
    const spec = { stage: '', automationNodeUrl: '', adminApiKey: '', trustAllSSLCertificates: false, permissions: [] };
    return sortedIds(ids).map((id) => exportStub('Infra', { name: id }, structuredClone(spec)));
  },
  exportSpec(doc, live) {
    const state = live[0]?.live;
    return infraSpecFromLive(doc.metadata.name, state?.view ?? {}, asObject(state?.raw));
  },
};

const DEPLOYMENT_PLACEHOLDERS: Json = {
  publishedProjectKey: '',
  infraId: '',
  bundleId: '',
  deployedProjectKey: '',
  projectFolderId: '',
  disableAutomaticTriggers: false,
  localVariables: {},
  scenariosToActivate: {},
  bundleContainerSettings: {},
  tags: [],
};

export const deploymentExport: Exporter = {
  async listForExport(ctx, scope) {
    const ids = sortedIds((await deploymentsInScope(ctx, scope)).map((d) => str(d.id)));
    return ids.map((id) => exportStub('Deployment', { name: id }, structuredClone(DEPLOYMENT_PLACEHOLDERS)));
  },
  exportSpec(doc, live) {
    return deploymentSpecFromView(doc.metadata.name, live[0]?.live.view ?? {});
  },
};


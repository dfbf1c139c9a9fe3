// Design-node bundles: export (a snapshot of the project), list, details, archive download, delete, and
// publish to the Project Deployer: the node's own, as DSS's local deployer, or another node set with the
// `/__sim/deployer/config` control.

import { ERROR_TYPES, illegalArgument, notFound, SimHttpError } from '../errors.js';
import type { SimContext } from '../context.js';
import type { Router } from '../router.js';
import { buildArchive, summarizeBundle } from './archive.js';
import { apiRoot, callAutomation } from './automation-client.js';
import { deployerState } from './futures.js';
import { snapshotBundle } from './project-bundle.js';
import { addPackage } from './published-projects-store.js';
import type { ExportedBundle } from './state.js';
import { checkId, isRecord, param } from './values.js';

function exportedBundle(ctx: SimContext, projectKey: string, bundleId: string): ExportedBundle {
  const bundle = deployerState(ctx).exported[projectKey]?.[bundleId];
  if (!bundle) throw notFound(`Bundle ${bundleId} not found in project ${projectKey}`);
  return bundle;
}

export function exportedBundleView(bundle: ExportedBundle): Record<string, unknown> {
  const m = bundle.content.manifest;
  return {
    bundleId: bundle.bundleId,
    projectKey: bundle.projectKey,
    exportManifest: {
      bundleId: m.bundleId,
      projectKey: m.projectKey,
      exportedOn: m.exportedOn,
      exportUserInfo: { login: m.exportedBy },
      releaseNotes: m.releaseNotes,
      designNodeUrl: m.designNodeUrl,
    },
    contentSummary: summarizeBundle(bundle.content),
    publications: bundle.publications.map((p) => ({ ...p })),
  };
}

/**
 * `GET .../bundles/exported/{bundleId}` as the reference documents it: the bundle wrapped in a one-item
 * `bundles` list, with its `changelog`. A client that reads `exportManifest` at the top level finds nothing.
 */
export function exportedBundleDetails(bundle: ExportedBundle): Record<string, unknown> {
  return { bundles: [{ ...exportedBundleView(bundle), changelog: { releaseNotes: bundle.content.manifest.releaseNotes } }] };
}

function exportBundle(ctx: SimContext, projectKey: string, bundleId: string, releaseNotes: string): ExportedBundle {
  checkId(bundleId, 'bundle id');
  const state = deployerState(ctx);
  const byProject = (state.exported[projectKey] ??= {});
  if (byProject[bundleId]) {
    throw illegalArgument(`Bundle ${bundleId} already exists in project ${projectKey}: bundles are immutable, pick a new id`);
  }
  const content = snapshotBundle(ctx.state.design, projectKey, {
    bundleId,
    exportedOn: ctx.now(),
    exportedBy: ctx.userLogin,
    releaseNotes,
    designNodeUrl: ctx.url,
  });
  const bundle: ExportedBundle = { bundleId, projectKey, content, publications: [] };
  byProject[bundleId] = bundle;
  ctx.changed();
  return bundle;
}

type Publication = ExportedBundle['publications'][number];

/** Publishes to the node's own deployer, or uploads the archive to the remote one the node is set to use. */
async function publish(ctx: SimContext, bundle: ExportedBundle, publishedProjectKey: string): Promise<Publication> {
  const remote = deployerState(ctx).config.remoteDeployer;
  if (!remote) {
    const pkg = addPackage(
      deployerState(ctx),
      { key: publishedProjectKey, content: bundle.content, login: ctx.userLogin, createMissing: true },
      ctx.now(),
    );
    ctx.changed();
    return { publishedOn: pkg.publishedOn, publishedBy: pkg.publishedBy, publishedProjectKey };
  }
  const target = {
    label: 'the Project Deployer',
    keySetting: 'the deployerApiKey of this node',
    apiUrl: apiRoot(remote.url),
    apiKey: remote.apiKey,
    trustAllSSLCertificates: remote.trustAllSSLCertificates ?? false,
  };
  let answer: unknown;
  try {
    answer = await callAutomation(target, 'POST', '/project-deployer/projects/bundles', {
      query: { projectKey: publishedProjectKey },
      archive: buildArchive(bundle.content),
    });
  } catch (error) {
    const status = (error as { nodeStatus?: number }).nodeStatus;
    throw new SimHttpError(status !== undefined && status < 500 ? status : 502, ERROR_TYPES.internal, (error as Error).message);
  }
  const pkg = isRecord(answer) ? answer : {};
  return {
    publishedOn: typeof pkg.publishedOn === 'number' ? pkg.publishedOn : ctx.now(),
    publishedBy: typeof pkg.publishedBy === 'string' ? pkg.publishedBy : ctx.userLogin,
    publishedProjectKey,
  };
}

export function registerExportedBundleRoutes(router: Router): void {
  const admin = { privilege: 'ADMIN' as const };

  router.get(
    '/projects/:projectKey/bundles/exported',
    (req, ctx) => {
      const projectKey = param(req, 'projectKey');
      const bundles = Object.values(deployerState(ctx).exported[projectKey] ?? {})
        .sort((a, b) => a.content.manifest.exportedOn - b.content.manifest.exportedOn || a.bundleId.localeCompare(b.bundleId))
        .map(exportedBundleView);
      return { json: { bundles } };
    },
    admin,
  );

  // The reference's form: the id in the query (`PUT .../bundles/exported/?bundleId=v1`).
  router.put(
    '/projects/:projectKey/bundles/exported',
    (req, ctx) => {
      const bundleId = req.query.get('bundleId');
      if (!bundleId) throw illegalArgument('A bundle id is needed: PUT .../bundles/exported/{bundleId}');
      const bundle = exportBundle(ctx, param(req, 'projectKey'), bundleId, req.query.get('releaseNotes') ?? '');
      return { json: exportedBundleView(bundle) };
    },
    admin,
  );

  router.put(
    '/projects/:projectKey/bundles/exported/:bundleId',
    (req, ctx) => {
      const bundle = exportBundle(ctx, param(req, 'projectKey'), param(req, 'bundleId'), req.query.get('releaseNotes') ?? '');
      return { json: exportedBundleView(bundle) };
    },
    admin,
  );

  router.get(
    '/projects/:projectKey/bundles/exported/:bundleId',
    (req, ctx) => ({ json: exportedBundleDetails(exportedBundle(ctx, param(req, 'projectKey'), param(req, 'bundleId'))) }),
    admin,
  );

  router.get(
    '/projects/:projectKey/bundles/exported/:bundleId/archive',
    (req, ctx) => {
      const bundle = exportedBundle(ctx, param(req, 'projectKey'), param(req, 'bundleId'));
      return { raw: { contentType: 'application/zip', body: Buffer.from(buildArchive(bundle.content)) } };
    },
    admin,
  );

  router.delete(
    '/projects/:projectKey/bundles/exported/:bundleId',
    (req, ctx) => {
      const projectKey = param(req, 'projectKey');
      const bundleId = param(req, 'bundleId');
      exportedBundle(ctx, projectKey, bundleId);
      delete deployerState(ctx).exported[projectKey]?.[bundleId];
      ctx.changed();
      return { json: { msg: `Bundle ${bundleId} deleted` } };
    },
    admin,
  );

  router.post(
    '/projects/:projectKey/bundles/:bundleId/publish',
    async (req, ctx) => {
      const projectKey = param(req, 'projectKey');
      const bundle = exportedBundle(ctx, projectKey, param(req, 'bundleId'));
      const publishedProjectKey = req.query.get('publishedProjectKey') || projectKey;
      const publication = await publish(ctx, bundle, publishedProjectKey);
      // The bundle may have been deleted while a remote deployer answered.
      const current = deployerState(ctx).exported[projectKey]?.[bundle.bundleId];
      if (current && !current.publications.some((p) => p.publishedProjectKey === publishedProjectKey)) {
        current.publications.push(publication);
        ctx.changed();
      }
      return { json: publication };
    },
    admin,
  );
}

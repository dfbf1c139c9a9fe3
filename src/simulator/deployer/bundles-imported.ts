// Automation-node bundle endpoints: list imported bundles, import from an archive path or a stream, preload,
// activate, and create a project from a bundle. Directly usable by clients, and what the deployer calls.

import type { Router } from '../router.js';
import {
  activateBundle,
  importBundle,
  importedBundleView,
  listImportedBundles,
  preloadBundle,
  projectFromBundle,
  readArchiveFile,
} from './automation-store.js';
import { parseUpload } from './deployer-projects.js';
import { deployerState } from './futures.js';
import { param } from './values.js';

const report = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messages: [],
  anyMessage: false,
  success: true,
  warning: false,
  error: false,
  fatal: false,
  ...extra,
});

export function registerImportedBundleRoutes(router: Router): void {
  const admin = { privilege: 'ADMIN' as const };

  router.get('/projects/:projectKey/bundles/imported', (req, ctx) => ({
    json: { bundles: listImportedBundles(ctx, param(req, 'projectKey')) },
  }), admin);

  const imported = (projectKey: string, ctx: Parameters<typeof deployerState>[0], bundleId: string) => {
    const project = deployerState(ctx).automation[projectKey] ?? { bundles: {} };
    const bundle = project.bundles[bundleId];
    return bundle ? importedBundleView(project, bundle) : {};
  };

  router.post(
    '/projects/:projectKey/bundles/imported/actions/importFromArchive',
    (req, ctx) => {
      const projectKey = param(req, 'projectKey');
      const bundle = importBundle(ctx, projectKey, readArchiveFile(req.query.get('archivePath')));
      return { json: imported(projectKey, ctx, bundle.bundleId) };
    },
    admin,
  );

  router.post(
    '/projects/:projectKey/bundles/imported/actions/importFromStream',
    (req, ctx) => {
      const projectKey = param(req, 'projectKey');
      const bundle = importBundle(ctx, projectKey, parseUpload(req));
      return { json: imported(projectKey, ctx, bundle.bundleId) };
    },
    { ...admin, rawBody: true },
  );

  router.post(
    '/projects/:projectKey/bundles/imported/:bundleId/actions/preload',
    (req, ctx) => {
      const bundle = preloadBundle(ctx, param(req, 'projectKey'), param(req, 'bundleId'));
      return { json: report({ bundleId: bundle.bundleId }) };
    },
    admin,
  );

  router.post(
    '/projects/:projectKey/bundles/imported/:bundleId/actions/activate',
    (req, ctx) => {
      const bundle = activateBundle(ctx, param(req, 'projectKey'), param(req, 'bundleId'));
      return { json: report({ bundleId: bundle.bundleId, neededAMigration: false }) };
    },
    admin,
  );

  // `projectKey` is not in the reference: the deployer uses it to deploy under another key than the source's.
  router.post(
    '/projectsFromBundle',
    (req, ctx) => {
      const projectKey = req.query.get('projectKey') || undefined;
      const folderId = req.query.get('projectFolderId') || undefined;
      const created = projectFromBundle(ctx, parseUpload(req), {
        ...(projectKey === undefined ? {} : { projectKey }),
        ...(folderId === undefined ? {} : { folderId }),
      });
      return { json: { projectKey: created.projectKey, bundleId: created.bundle.bundleId } };
    },
    { adminOnly: true, rawBody: true },
  );

  router.post(
    '/projectsFromBundle/fromArchive',
    (req, ctx) => {
      const projectKey = req.query.get('projectKey') || undefined;
      const folderId = req.query.get('projectFolderId') || undefined;
      const created = projectFromBundle(ctx, readArchiveFile(req.query.get('archivePath')), {
        ...(projectKey === undefined ? {} : { projectKey }),
        ...(folderId === undefined ? {} : { folderId }),
      });
      return { json: { projectKey: created.projectKey, bundleId: created.bundle.bundleId } };
    },
    { adminOnly: true },
  );
}

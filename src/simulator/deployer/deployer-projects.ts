// Published projects of the Project Deployer: list, get, create, settings, bundle upload from a zip (raw or
// multipart), bundle delete (refused while deployed), delete (refused while deployments exist).

import { illegalArgument, notFound } from '../errors.js';
import type { SimContext } from '../context.js';
import { PUBLISHED_PROJECT_GRANT_FLAGS, grantsWithEveryFlag } from '../design/grants.js';
import type { Router, SimRequest } from '../router.js';
import { buildArchive, extractUploadedArchive, InvalidArchiveError, readArchive, type BundleContent } from './archive.js';
import { deployerState } from './futures.js';
import {
  addPackage,
  createPublishedProject,
  deletePackage,
  deletePublishedProject,
  getPublishedProject,
  packageView,
} from './published-projects-store.js';
import { nextVersionTag } from './state.js';
import { publishedProjectView } from './views.js';
import { param, requireBody, requireString } from './values.js';

export function parseUpload(req: SimRequest): BundleContent {
  if (req.rawBody.length === 0) throw illegalArgument('Expected the bundle archive (a zip) as the request body');
  try {
    return readArchive(extractUploadedArchive(req.rawBody));
  } catch (error) {
    if (error instanceof InvalidArchiveError) throw illegalArgument(error.message);
    throw error;
  }
}

function upload(req: SimRequest, ctx: SimContext, key: string | undefined): { json: unknown } {
  const content = parseUpload(req);
  const pkg = addPackage(
    deployerState(ctx),
    { key: key ?? content.manifest.projectKey, content, login: ctx.userLogin, createMissing: true },
    ctx.now(),
  );
  ctx.changed();
  return { json: packageView(pkg) };
}

export function registerPublishedProjectRoutes(router: Router): void {
  const admin = { adminOnly: true };
  const raw = { adminOnly: true, rawBody: true };

  router.get('/project-deployer/projects', (_req, ctx) => {
    const state = deployerState(ctx);
    const projects = Object.values(state.publishedProjects).sort((a, b) => a.settings.id.localeCompare(b.settings.id));
    return { json: projects.map((p) => publishedProjectView(state, p)) };
  });

  router.post(
    '/project-deployer/projects',
    (req, ctx) => {
      const body = requireBody(req, 'a published project {publishedProjectKey}');
      const key = requireString(body, 'publishedProjectKey', 'A published project');
      const name = typeof body.name === 'string' && body.name !== '' ? body.name : undefined;
      const project = createPublishedProject(
        deployerState(ctx),
        { key, owner: ctx.userLogin, ...(name === undefined ? {} : { name }) },
        ctx.now(),
      );
      ctx.changed();
      return { json: structuredClone(project.settings) };
    },
    admin,
  );

  // The reference's upload: `?projectKey=` names the published project (the bundle's source project otherwise).
  router.post('/project-deployer/projects/bundles', (req, ctx) => upload(req, ctx, req.query.get('projectKey') || undefined), raw);

  router.get('/project-deployer/projects/:projectKey', (req, ctx) => {
    const state = deployerState(ctx);
    return { json: publishedProjectView(state, getPublishedProject(state, param(req, 'projectKey'))) };
  });

  router.delete(
    '/project-deployer/projects/:projectKey',
    (req, ctx) => {
      deletePublishedProject(deployerState(ctx), param(req, 'projectKey'));
      ctx.changed();
      return { json: { msg: `Published project ${param(req, 'projectKey')} deleted` } };
    },
    admin,
  );

  router.get(
    '/project-deployer/projects/:projectKey/settings',
    (req, ctx) => ({ json: structuredClone(getPublishedProject(deployerState(ctx), param(req, 'projectKey')).settings) }),
    admin,
  );

  router.put(
    '/project-deployer/projects/:projectKey/settings',
    (req, ctx) => {
      const project = getPublishedProject(deployerState(ctx), param(req, 'projectKey'));
      const body = requireBody(req, 'the published project settings');
      const previous = project.settings;
      if (body.id !== undefined && body.id !== previous.id) throw illegalArgument('The key of a published project cannot be changed');
      const permissions =
        body.permissions === undefined ? previous.permissions : grantsWithEveryFlag(body.permissions, PUBLISHED_PROJECT_GRANT_FLAGS);
      project.settings = {
        ...structuredClone(body),
        id: previous.id,
        name: typeof body.name === 'string' && body.name !== '' ? body.name : previous.name,
        owner: typeof body.owner === 'string' && body.owner !== '' ? body.owner : previous.owner,
        permissions,
        creationTag: previous.creationTag,
        versionTag: nextVersionTag(previous.versionTag, ctx.userLogin, ctx.now()),
      };
      ctx.changed();
      return { json: structuredClone(project.settings) };
    },
    admin,
  );

  router.post('/project-deployer/projects/:projectKey/bundles', (req, ctx) => upload(req, ctx, param(req, 'projectKey')), raw);

  router.get(
    '/project-deployer/projects/:projectKey/bundles/:bundleId/archive',
    (req, ctx) => {
      const project = getPublishedProject(deployerState(ctx), param(req, 'projectKey'));
      const pkg = project.packages[param(req, 'bundleId')];
      if (!pkg) throw notFound(`Bundle ${param(req, 'bundleId')} not found in published project ${project.settings.id}`);
      return { raw: { contentType: 'application/zip', body: Buffer.from(buildArchive(pkg.content)) } };
    },
    admin,
  );

  router.delete(
    '/project-deployer/projects/:projectKey/bundles/:bundleId',
    (req, ctx) => {
      deletePackage(deployerState(ctx), param(req, 'projectKey'), param(req, 'bundleId'));
      ctx.changed();
      return { json: { msg: `Bundle ${param(req, 'bundleId')} deleted` } };
    },
    admin,
  );
}

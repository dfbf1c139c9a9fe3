// Project routes: list (with the tags filter), create into a folder, delete, metadata, permissions,
// variables, tags and settings.

import { illegalArgument } from '../errors.js';
import { queryBool } from '../http.js';
import type { Router, SimRequest } from '../router.js';
import { isObject } from '../../base/json.js';
import {
  createProject,
  deleteProject,
  getProject,
  projectSummary,
  putMetadata,
  putPermissions,
  putSettings,
  putTags,
  putVariables,
} from './project-store.js';
import type { Json, ProjectRecord } from './state.js';

type ProjectPart = 'metadata' | 'permissions' | 'variables' | 'tags' | 'settings';

const PUT_PART: Record<ProjectPart, (project: ProjectRecord, body: unknown, login: string, now: number) => void> = {
  metadata: putMetadata,
  permissions: (project, body) => putPermissions(project, body),
  variables: (project, body) => putVariables(project, body),
  tags: (project, body) => putTags(project, body),
  settings: (project, body) => putSettings(project, body),
};

/** What each part needs, as in the reference: metadata and permissions are ADMIN, the rest READ/WRITE_CONF. */
const PRIVILEGES: Record<ProjectPart, { read: 'READ_CONF' | 'ADMIN'; write: 'WRITE_CONF' | 'ADMIN' }> = {
  metadata: { read: 'ADMIN', write: 'ADMIN' },
  permissions: { read: 'ADMIN', write: 'ADMIN' },
  variables: { read: 'READ_CONF', write: 'WRITE_CONF' },
  tags: { read: 'READ_CONF', write: 'WRITE_CONF' },
  settings: { read: 'READ_CONF', write: 'ADMIN' },
};

function projectKey(req: SimRequest): string {
  return req.params.projectKey ?? '';
}

export function registerProjectRoutes(router: Router): void {
  router.get('/projects', (req, ctx) => {
    const wanted = (req.query.get('tags') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const rows = Object.values(ctx.state.design.projects)
      .filter((p) => ctx.canRead(p.projectKey))
      .filter((p) => wanted.length === 0 || wanted.some((t) => (p.metadata.tags as unknown[] | undefined)?.includes(t)))
      .map(projectSummary);
    return { json: rows };
  });

  router.post(
    '/projects',
    (req, ctx) => {
      const body = req.body;
      if (!isObject(body)) throw illegalArgument('Expected a JSON object {projectKey, name, owner}');
      const folderId = req.query.get('projectFolderId');
      const project = createProject(
        ctx.state.design,
        {
          projectKey: body.projectKey as string,
          name: body.name as string,
          owner: typeof body.owner === 'string' && body.owner !== '' ? body.owner : ctx.userLogin,
          ...(folderId ? { folderId } : {}),
        },
        ctx.now(),
      );
      ctx.changed();
      return { json: projectSummary(project) };
    },
    { privilege: 'WRITE_CONF' },
  );

  // Not in the reference, but the official client's `get_summary()` calls it.
  router.get('/projects/:projectKey', (req, ctx) => ({ json: projectSummary(getProject(ctx.state.design, projectKey(req))) }), {
    privilege: 'READ_CONF',
  });

  router.delete(
    '/projects/:projectKey',
    (req, ctx) => {
      deleteProject(ctx.state.design, projectKey(req));
      ctx.changed();
      // The simulator holds no data; the flag only shows in the answer, as clients send it as True or true.
      const dropped = queryBool(req.query, 'dropData') || queryBool(req.query, 'clearManagedDatasets');
      // Clients read this answer as JSON, although the reference documents a 204.
      return { json: { msg: `Project ${projectKey(req)} deleted${dropped ? ', managed data dropped' : ''}` } };
    },
    { privilege: 'ADMIN' },
  );

  for (const part of Object.keys(PUT_PART) as ProjectPart[]) {
    router.get(
      `/projects/:projectKey/${part}`,
      // Answered at once, so serialized before anything can change it: no copy (see dispatch in server.ts).
      (req, ctx) => ({ json: getProject(ctx.state.design, projectKey(req))[part] as Json }),
      { privilege: PRIVILEGES[part].read },
    );
    router.put(
      `/projects/:projectKey/${part}`,
      (req, ctx) => {
        const project = getProject(ctx.state.design, projectKey(req));
        PUT_PART[part](project, req.body, ctx.userLogin, ctx.now());
        ctx.changed();
        return { status: 204 };
      },
      { privilege: PRIVILEGES[part].write },
    );
  }
}

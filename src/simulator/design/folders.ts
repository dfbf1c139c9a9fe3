// Project folder routes: root, get, settings, create child, move folder, move project, delete when empty.

import { illegalArgument } from '../errors.js';
import type { Router, SimRequest } from '../router.js';
import { createFolder, deleteFolder, folderView, getFolder, moveFolder, placeProject, putFolderSettings } from './folder-store.js';
import { getProject } from './project-store.js';
import { ROOT_FOLDER_ID } from './state.js';

function param(req: SimRequest, name: string): string {
  return req.params[name] ?? '';
}

function requiredQuery(req: SimRequest, name: string): string {
  const value = req.query.get(name);
  if (value === null || value === '') throw illegalArgument(`Missing query parameter '${name}'`);
  return value;
}

export function registerFolderRoutes(router: Router): void {
  router.get('/project-folders', (_req, ctx) => ({
    json: folderView(getFolder(ctx.state.design, ROOT_FOLDER_ID), ctx.canRead),
  }));

  router.get('/project-folders/:folderId', (req, ctx) => ({
    json: folderView(getFolder(ctx.state.design, param(req, 'folderId')), ctx.canRead),
  }));

  router.get(
    '/project-folders/:folderId/settings',
    (req, ctx) => ({ json: structuredClone(getFolder(ctx.state.design, param(req, 'folderId')).settings) }),
    { privilege: 'ADMIN' },
  );

  router.put(
    '/project-folders/:folderId/settings',
    (req, ctx) => {
      putFolderSettings(ctx.state.design, param(req, 'folderId'), req.body);
      ctx.changed();
      return { status: 204 };
    },
    { privilege: 'ADMIN' },
  );

  router.post(
    '/project-folders/:folderId/children',
    (req, ctx) => {
      const folder = createFolder(ctx.state.design, param(req, 'folderId'), requiredQuery(req, 'name'), ctx.userLogin);
      ctx.changed();
      return { json: folderView(folder, ctx.canRead) };
    },
    { privilege: 'WRITE_CONF' },
  );

  router.post(
    '/project-folders/:folderId/move',
    (req, ctx) => {
      moveFolder(ctx.state.design, param(req, 'folderId'), requiredQuery(req, 'destination'));
      ctx.changed();
      return { status: 204 };
    },
    { adminOnly: true },
  );

  router.post(
    '/project-folders/:folderId/projects/:projectKey/move',
    (req, ctx) => {
      const design = ctx.state.design;
      const project = getProject(design, param(req, 'projectKey'));
      const folderId = param(req, 'folderId');
      getFolder(design, folderId);
      if (project.folderId !== folderId) {
        throw illegalArgument(`Project ${project.projectKey} is not in project folder ${folderId}`);
      }
      const destination = requiredQuery(req, 'destination');
      placeProject(design, project.projectKey, project.folderId, destination);
      project.folderId = destination;
      ctx.changed();
      return { status: 204 };
    },
    { privilege: 'ADMIN' },
  );

  router.delete(
    '/project-folders/:folderId',
    (req, ctx) => {
      deleteFolder(ctx.state.design, param(req, 'folderId'));
      ctx.changed();
      return { status: 204 };
    },
    { privilege: 'ADMIN' },
  );
}

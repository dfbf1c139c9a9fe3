// Project folders as plain operations on the design state, shared by the routes and by anything else that
// creates projects (bundle imports on the automation node).

import { isObject } from '../../base/json.js';
import { conflict, illegalArgument, notFound } from '../errors.js';
import { generateId } from './ids.js';
import { FOLDER_GRANT_FLAGS, grantsWithEveryFlag } from './grants.js';
import { ROOT_FOLDER_ID, type DesignState, type FolderRecord } from './state.js';

export function getFolder(state: DesignState, folderId: string): FolderRecord {
  const folder = state.folders[folderId];
  if (!folder) throw notFound(`Project folder ${folderId} not found`);
  return folder;
}

/** The folder as the API shows it; `canRead` filters the projects the key may not see. */
export function folderView(folder: FolderRecord, canRead: (projectKey: string) => boolean = () => true): Record<string, unknown> {
  return {
    id: folder.id,
    name: folder.parentId === null ? null : folder.settings.name,
    parentId: folder.parentId,
    childrenIds: [...folder.childrenIds],
    projectKeys: folder.projectKeys.filter(canRead),
  };
}

export function createFolder(state: DesignState, parentId: string, name: string, owner: string): FolderRecord {
  const parent = getFolder(state, parentId);
  if (name.trim() === '') throw illegalArgument('A project folder name must not be empty');
  if (parent.childrenIds.some((id) => state.folders[id]?.settings.name === name)) {
    throw illegalArgument(`A project folder named '${name}' already exists in this folder`);
  }
  const folder: FolderRecord = {
    id: generateId(state),
    parentId,
    childrenIds: [],
    projectKeys: [],
    settings: { name, owner, permissions: [] },
  };
  state.folders[folder.id] = folder;
  parent.childrenIds.push(folder.id);
  return folder;
}

export function putFolderSettings(state: DesignState, folderId: string, settings: unknown): void {
  const folder = getFolder(state, folderId);
  if (!isObject(settings)) throw illegalArgument('Folder settings must be a JSON object');
  if (folder.parentId === null) {
    if (settings.name !== undefined && settings.name !== null) throw illegalArgument('The root project folder cannot be renamed');
  } else if (typeof settings.name !== 'string' || settings.name.trim() === '') {
    throw illegalArgument('Folder settings need a non-empty name');
  }
  if (settings.permissions !== undefined && !Array.isArray(settings.permissions)) {
    throw illegalArgument('Folder permissions must be a list');
  }
  const stored = structuredClone(settings);
  if (settings.permissions !== undefined) stored.permissions = grantsWithEveryFlag(settings.permissions, FOLDER_GRANT_FLAGS);
  folder.settings = stored;
}

export function moveFolder(state: DesignState, folderId: string, destinationId: string): void {
  const folder = getFolder(state, folderId);
  const destination = getFolder(state, destinationId);
  if (folder.parentId === null) throw illegalArgument('The root project folder cannot be moved');
  for (let at: FolderRecord | undefined = destination; at; at = at.parentId === null ? undefined : state.folders[at.parentId]) {
    if (at.id === folder.id) throw illegalArgument('Cannot move a project folder into itself or one of its sub-folders');
  }
  const parent = getFolder(state, folder.parentId);
  parent.childrenIds = parent.childrenIds.filter((id) => id !== folderId);
  destination.childrenIds.push(folderId);
  folder.parentId = destinationId;
}

export function deleteFolder(state: DesignState, folderId: string): void {
  const folder = getFolder(state, folderId);
  if (folder.parentId === null) throw illegalArgument('The root project folder cannot be deleted');
  if (folder.childrenIds.length > 0 || folder.projectKeys.length > 0) {
    throw conflict(`Project folder ${folderId} is not empty: it holds sub-folders or projects`);
  }
  const parent = getFolder(state, folder.parentId);
  parent.childrenIds = parent.childrenIds.filter((id) => id !== folderId);
  delete state.folders[folderId];
}

/** Places a project in a folder, taking it out of the one it was in. */
export function placeProject(state: DesignState, projectKey: string, fromId: string | undefined, toId: string): void {
  const to = getFolder(state, toId);
  if (fromId !== undefined) {
    const from = state.folders[fromId];
    if (from) from.projectKeys = from.projectKeys.filter((k) => k !== projectKey);
  }
  if (!to.projectKeys.includes(projectKey)) to.projectKeys.push(projectKey);
}

/** Finds a folder by its path of names from the root, e.g. `Sales/Churn`; undefined when absent. */
export function findFolderByPath(state: DesignState, path: string): FolderRecord | undefined {
  let folder = state.folders[ROOT_FOLDER_ID];
  for (const name of path.split('/').filter((part) => part !== '')) {
    if (!folder) return undefined;
    const childId: string | undefined = folder.childrenIds.find((id) => state.folders[id]?.settings.name === name);
    folder = childId === undefined ? undefined : state.folders[childId];
  }
  return folder;
}


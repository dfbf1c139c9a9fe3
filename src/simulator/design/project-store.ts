// Projects as plain operations on the design state. The routes use them, and so do the automation-node
// endpoints that create projects from bundles: a project's whole configuration is one `ProjectRecord`.

import { illegalArgument, notFound } from '../errors.js';
import { isObject } from '../../base/json.js';
import { getFolder, placeProject } from './folder-store.js';
import { PROJECT_GRANT_FLAGS, withEveryFlag } from './grants.js';
import { ROOT_FOLDER_ID, type DesignState, type Json, type ProjectRecord } from './state.js';

/** Real keys hold digits (`DKU_TUTORIAL_BASICS_101`) although the reference says `[A-Za-z_]*`. */
export const PROJECT_KEY_PATTERN = /^[A-Za-z0-9_]+$/;

export interface NewProject {
  projectKey: string;
  name: string;
  owner: string;
  folderId?: string;
  /** Parts of the configuration to start from (a bundle's snapshot); the rest gets DSS's defaults. */
  config?: Partial<Pick<ProjectRecord, 'metadata' | 'permissions' | 'variables' | 'tags' | 'settings' | 'scenarios'>>;
}

export function getProject(state: DesignState, projectKey: string): ProjectRecord {
  const project = state.projects[projectKey];
  if (!project) throw notFound(`Project ${projectKey} not found`);
  return project;
}

export function findProject(state: DesignState, projectKey: string): ProjectRecord | undefined {
  return state.projects[projectKey];
}

export function createProject(state: DesignState, input: NewProject, now: number): ProjectRecord {
  const { projectKey, name, owner } = input;
  if (typeof projectKey !== 'string' || !PROJECT_KEY_PATTERN.test(projectKey)) {
    throw illegalArgument(`Invalid project key '${String(projectKey)}': use letters, digits and underscores only`);
  }
  if (typeof name !== 'string' || name.trim() === '') throw illegalArgument('A project needs a non-empty name');
  if (state.projects[projectKey]) throw illegalArgument(`Project ${projectKey} already exists`);
  const folderId = input.folderId ?? ROOT_FOLDER_ID;
  getFolder(state, folderId);
  const stamp = versionStamp(owner, now, 0);
  const config = structuredClone(input.config ?? {});
  const project: ProjectRecord = {
    projectKey,
    folderId,
    metadata: config.metadata ?? {
      label: name,
      shortDesc: '',
      description: '',
      tags: [],
      checklists: { checklists: [] },
      custom: { kv: {} },
      creationTag: stamp,
      versionTag: stamp,
    },
    permissions: config.permissions ?? {
      owner,
      permissions: [],
      additionalDashboardUsers: { users: [] },
      dashboardAuthorizations: { allAuthorized: false, authorizations: [] },
    },
    variables: config.variables ?? { standard: {}, local: {} },
    tags: config.tags ?? { tags: {} },
    settings: config.settings ?? defaultSettings(projectKey),
    scenarios: config.scenarios ?? {},
    creationTime: now,
    createdBy: owner,
  };
  state.projects[projectKey] = project;
  placeProject(state, projectKey, undefined, folderId);
  return project;
}

export function deleteProject(state: DesignState, projectKey: string): void {
  const project = getProject(state, projectKey);
  const folder = state.folders[project.folderId];
  if (folder) folder.projectKeys = folder.projectKeys.filter((k) => k !== projectKey);
  delete state.projects[projectKey];
}

/** The project's whole configuration, as a bundle would capture it (a deep copy). */
export function snapshotProject(project: ProjectRecord): ProjectRecord {
  return structuredClone(project);
}

/** A row of `GET /projects/`. */
export function projectSummary(project: ProjectRecord): Json {
  const metadata = project.metadata;
  return {
    projectKey: project.projectKey,
    name: metadata.label,
    shortDesc: metadata.shortDesc ?? '',
    tags: Array.isArray(metadata.tags) ? [...(metadata.tags as unknown[])] : [],
    ownerLogin: project.permissions.owner,
    projectStatus: project.settings.projectStatus ?? null,
    versionTag: metadata.versionTag,
  };
}

export function putMetadata(project: ProjectRecord, body: unknown, login: string, now: number): void {
  if (!isObject(body)) throw illegalArgument('Project metadata must be a JSON object');
  if (typeof body.label !== 'string' || body.label.trim() === '') throw illegalArgument('Project metadata needs a label');
  if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string'))) {
    throw illegalArgument('Project tags must be a list of strings');
  }
  const previous = project.metadata.versionTag as { versionNumber?: number } | undefined;
  const next = structuredClone(body);
  next.versionTag = versionStamp(login, now, (previous?.versionNumber ?? 0) + 1);
  if (project.metadata.creationTag !== undefined) next.creationTag = project.metadata.creationTag;
  project.metadata = next;
  addTagColors(project, (next.tags as string[] | undefined) ?? []);
}

export function putPermissions(project: ProjectRecord, body: unknown): void {
  if (!isObject(body)) throw illegalArgument('Project permissions must be a JSON object');
  if (typeof body.owner !== 'string' || body.owner === '') throw illegalArgument('Project permissions need an owner');
  if (!Array.isArray(body.permissions)) throw illegalArgument('Project permissions need a permissions list');
  for (const entry of body.permissions) {
    if (!isObject(entry) || (typeof entry.group !== 'string' && typeof entry.user !== 'string')) {
      throw illegalArgument('Each permission names a group or a user');
    }
  }
  const stored = structuredClone(body);
  stored.permissions = (body.permissions as Json[]).map((entry) => withEveryFlag(entry, PROJECT_GRANT_FLAGS));
  project.permissions = stored;
}

export function putVariables(project: ProjectRecord, body: unknown): void {
  if (!isObject(body)) throw illegalArgument('Project variables must be a JSON object');
  if (!isObject(body.standard)) throw illegalArgument("Project variables need a 'standard' object");
  if (body.local !== undefined && !isObject(body.local)) throw illegalArgument("Project variables 'local' must be an object");
  const variables = structuredClone(body);
  variables.local ??= {};
  project.variables = variables;
}

export function putTags(project: ProjectRecord, body: unknown): void {
  if (!isObject(body) || !isObject(body.tags)) throw illegalArgument("Project tags need a 'tags' dictionary");
  project.tags = structuredClone(body);
}

export function putSettings(project: ProjectRecord, body: unknown): void {
  if (!isObject(body)) throw illegalArgument('Project settings must be a JSON object');
  if (body.projectKey !== undefined && body.projectKey !== project.projectKey) {
    throw illegalArgument('The project key of a project cannot be changed');
  }
  if (!isObject(body.settings)) throw illegalArgument("Project settings need a 'settings' object");
  project.settings = { ...structuredClone(body), projectKey: project.projectKey };
}

/** DSS gives every tag used in a project a colour in the project's tag dictionary. */
function addTagColors(project: ProjectRecord, tags: string[]): void {
  const dictionary = isObject(project.tags.tags) ? project.tags.tags : {};
  for (const tag of tags) dictionary[tag] ??= { color: tagColor(tag) };
  project.tags = { ...project.tags, tags: dictionary };
}

const TAG_COLORS = ['#ee874a', '#28aadd', '#a088bd', '#8fc346', '#f06548', '#3b8bba', '#c9a53f', '#5e8c6a'];

export function tagColor(tag: string): string {
  let hash = 0;
  for (const ch of tag) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return TAG_COLORS[hash % TAG_COLORS.length] ?? '#28aadd';
}

function versionStamp(login: string, now: number, versionNumber: number): Json {
  return { versionNumber, lastModifiedBy: { login }, lastModifiedOn: now };
}

function defaultSettings(projectKey: string): Json {
  return {
    projectKey,
    projectStatus: null,
    projectAppType: 'REGULAR',
    settings: {
      disableAutomaticTriggers: false,
      cluster: { clusterMode: 'INHERIT' },
      codeEnvs: { python: { mode: 'INHERIT' }, r: { mode: 'INHERIT' } },
      container: { containerMode: 'INHERIT' },
      flowBuildSettings: { mergeSparkPipelines: true, pruneBeforeSparkPipelines: true },
      limits: { attachments: { hard: -1, soft: -1 }, memSampleBytes: { hard: -1, soft: -1 } },
    },
    exposedObjects: { objects: [] },
  };
}

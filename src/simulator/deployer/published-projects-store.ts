// Published projects of the Project Deployer as plain operations on the deployer state: shared by the deployer
// routes and by the design node's "publish bundle", which feeds the local deployer as DSS does.

import { conflict, illegalArgument, notFound } from '../errors.js';
import type { BundleContent } from './archive.js';
import { newVersionTag, type DeployerState, type PublishedPackage, type PublishedProject } from './state.js';
import { checkId } from './values.js';

export function getPublishedProject(state: DeployerState, key: string): PublishedProject {
  const project = state.publishedProjects[key];
  if (!project) throw notFound(`Published project ${key} not found`);
  return project;
}

export function createPublishedProject(
  state: DeployerState,
  input: { key: string; name?: string; owner: string },
  now: number,
): PublishedProject {
  checkId(input.key, 'published project key');
  if (state.publishedProjects[input.key]) throw illegalArgument(`Published project ${input.key} already exists`);
  const tag = newVersionTag(input.owner, now);
  const project: PublishedProject = {
    settings: {
      id: input.key,
      name: input.name ?? input.key,
      owner: input.owner,
      permissions: [],
      versionTag: tag,
      creationTag: structuredClone(tag),
      basicImageInfo: { imgColor: '#31439c', imgPattern: 8, showInitials: true },
    },
    packages: {},
  };
  state.publishedProjects[input.key] = project;
  return project;
}

/** Deployments that name or run the published project, optionally only those using one bundle of it. */
export function deploymentsUsing(state: DeployerState, key: string, bundleId?: string): string[] {
  return Object.values(state.deployments)
    .filter((d) => d.settings.publishedProjectKey === key)
    .filter((d) => bundleId === undefined || d.settings.bundleId === bundleId || d.deployedBundleId === bundleId)
    .map((d) => d.settings.id)
    .sort();
}

export function deletePublishedProject(state: DeployerState, key: string): void {
  getPublishedProject(state, key);
  const users = deploymentsUsing(state, key);
  if (users.length > 0) {
    throw conflict(`Published project ${key} cannot be deleted: deployments use it (${users.join(', ')})`);
  }
  delete state.publishedProjects[key];
}

export function deletePackage(state: DeployerState, key: string, bundleId: string): void {
  const project = getPublishedProject(state, key);
  if (!project.packages[bundleId]) throw notFound(`Bundle ${bundleId} not found in published project ${key}`);
  const users = deploymentsUsing(state, key, bundleId);
  if (users.length > 0) {
    throw conflict(`Bundle ${bundleId} of published project ${key} cannot be deleted: deployed by ${users.join(', ')}`);
  }
  delete project.packages[bundleId];
}

const sameExport = (a: BundleContent, b: BundleContent): boolean =>
  a.manifest.projectKey === b.manifest.projectKey &&
  a.manifest.exportedOn === b.manifest.exportedOn &&
  a.manifest.designNodeUrl === b.manifest.designNodeUrl;

/**
 * Adds a bundle to a published project, creating the project when `createMissing`. Publishing the same export
 * again is a no-op (retries are safe); another bundle under an existing id is refused.
 */
export function addPackage(
  state: DeployerState,
  input: { key: string; content: BundleContent; login: string; createMissing: boolean },
  now: number,
): PublishedPackage {
  const { key, content, login } = input;
  let project = state.publishedProjects[key];
  if (!project) {
    if (!input.createMissing) throw notFound(`Published project ${key} not found`);
    project = createPublishedProject(state, { key, owner: login }, now);
  }
  const bundleId = content.manifest.bundleId;
  const existing = project.packages[bundleId];
  if (existing) {
    if (sameExport(existing.content, content)) return existing;
    throw illegalArgument(`Published project ${key} already holds another bundle with id ${bundleId}`);
  }
  const pkg: PublishedPackage = {
    id: bundleId,
    publishedOn: now,
    publishedBy: login,
    designNodeInfo: {
      projectKey: content.manifest.projectKey,
      nodeId: nodeIdOf(content.manifest.designNodeUrl),
      url: content.manifest.designNodeUrl,
    },
    content,
  };
  project.packages[bundleId] = pkg;
  return pkg;
}

function nodeIdOf(url: string): string {
  try {
    return new URL(url).host || 'design';
  } catch {
    return 'design';
  }
}

/** A package as the API shows it: without its content. */
export function packageView(pkg: PublishedPackage): Record<string, unknown> {
  return { id: pkg.id, publishedOn: pkg.publishedOn, publishedBy: pkg.publishedBy, designNodeInfo: { ...pkg.designNodeInfo } };
}

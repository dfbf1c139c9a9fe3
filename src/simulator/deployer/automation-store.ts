// This node as an automation node: bundles imported into its projects, preloaded and activated. Activation
// rewrites the project's configuration from the bundle through the design state's project store.

import { readFileSync } from 'node:fs';
import { illegalArgument, notFound, SimHttpError, ERROR_TYPES } from '../errors.js';
import type { SimContext } from '../context.js';
import { findProject, getProject } from '../design/project-store.js';
import { readArchive, InvalidArchiveError, summarizeBundle, type BundleContent } from './archive.js';
import { deployerState } from './futures.js';
import { activateBundleContent, createProjectFromBundle } from './project-bundle.js';
import type { AutomationProject, ImportedBundle } from './state.js';

function automationProject(ctx: SimContext, projectKey: string): AutomationProject {
  getProject(ctx.state.design, projectKey);
  const state = deployerState(ctx);
  return (state.automation[projectKey] ??= { bundles: {} });
}

export function importedBundle(ctx: SimContext, projectKey: string, bundleId: string): ImportedBundle {
  const bundle = automationProject(ctx, projectKey).bundles[bundleId];
  if (!bundle) throw notFound(`Bundle ${bundleId} is not imported in project ${projectKey}`);
  return bundle;
}

export function importedBundleView(project: AutomationProject, bundle: ImportedBundle): Record<string, unknown> {
  const m = bundle.content.manifest;
  return {
    bundleId: bundle.bundleId,
    contentSummary: summarizeBundle(bundle.content),
    exportManifest: {
      bundleId: m.bundleId,
      projectKey: m.projectKey,
      exportedOn: m.exportedOn,
      exportUserInfo: { login: m.exportedBy },
      releaseNotes: m.releaseNotes,
      designNodeUrl: m.designNodeUrl,
    },
    importedOn: bundle.importedOn,
    importedBy: bundle.importedBy,
    preloaded: bundle.preloaded,
    active: project.activeBundleId === bundle.bundleId,
    ...(bundle.activatedOn === undefined ? {} : { activatedOn: bundle.activatedOn }),
  };
}

export function listImportedBundles(ctx: SimContext, projectKey: string): Record<string, unknown>[] {
  const project = automationProject(ctx, projectKey);
  return Object.values(project.bundles)
    .sort((a, b) => a.importedOn - b.importedOn || a.bundleId.localeCompare(b.bundleId))
    .map((b) => importedBundleView(project, b));
}

/** Imports a bundle; importing the same export again is a no-op, another bundle under a used id is refused. */
export function importBundle(ctx: SimContext, projectKey: string, content: BundleContent): ImportedBundle {
  const project = automationProject(ctx, projectKey);
  const bundleId = content.manifest.bundleId;
  const existing = project.bundles[bundleId];
  if (existing) {
    if (existing.content.manifest.exportedOn === content.manifest.exportedOn) return existing;
    throw illegalArgument(`Project ${projectKey} already holds another bundle with id ${bundleId}`);
  }
  const bundle: ImportedBundle = { bundleId, importedOn: ctx.now(), importedBy: ctx.userLogin, preloaded: false, content };
  project.bundles[bundleId] = bundle;
  ctx.changed();
  return bundle;
}

export function preloadBundle(ctx: SimContext, projectKey: string, bundleId: string): ImportedBundle {
  const bundle = importedBundle(ctx, projectKey, bundleId);
  bundle.preloaded = true;
  ctx.changed();
  return bundle;
}

function checkActivation(ctx: SimContext, projectKey: string, bundleId: string): void {
  if (deployerState(ctx).hooks.failActivation.includes(bundleId)) {
    throw new SimHttpError(
      500,
      ERROR_TYPES.internal,
      `Activation of bundle ${bundleId} in project ${projectKey} failed: the node is set to refuse this bundle`,
    );
  }
}

/** Activates an imported bundle; a refused activation leaves the project as it was. */
export function activateBundle(ctx: SimContext, projectKey: string, bundleId: string): ImportedBundle {
  const bundle = importedBundle(ctx, projectKey, bundleId);
  checkActivation(ctx, projectKey, bundleId);
  activateBundleContent(ctx.state.design, projectKey, bundle.content);
  bundle.preloaded = true;
  bundle.activatedOn = ctx.now();
  automationProject(ctx, projectKey).activeBundleId = bundleId;
  ctx.changed();
  return bundle;
}

/** `projectsFromBundle`: creates the project, imports and activates the bundle, all or nothing. */
export function projectFromBundle(
  ctx: SimContext,
  content: BundleContent,
  options: { projectKey?: string; folderId?: string },
): { projectKey: string; bundle: ImportedBundle } {
  const projectKey = options.projectKey ?? content.manifest.projectKey;
  if (findProject(ctx.state.design, projectKey)) throw illegalArgument(`Project ${projectKey} already exists`);
  checkActivation(ctx, projectKey, content.manifest.bundleId);
  createProjectFromBundle(
    ctx.state.design,
    content,
    { projectKey, owner: ctx.userLogin, ...(options.folderId === undefined ? {} : { folderId: options.folderId }) },
    ctx.now(),
  );
  const state = deployerState(ctx);
  state.automation[projectKey] = { bundles: {} };
  importBundle(ctx, projectKey, content);
  const bundle = activateBundle(ctx, projectKey, content.manifest.bundleId);
  return { projectKey, bundle };
}

/** Reads an archive from a path on this node's host (`importFromArchive`, `fromArchive`). */
export function readArchiveFile(path: string | null): BundleContent {
  if (!path) throw illegalArgument('archivePath is required');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw illegalArgument(`Cannot read the bundle archive at ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return readArchive(bytes);
  } catch (error) {
    if (error instanceof InvalidArchiveError) throw illegalArgument(error.message);
    throw error;
  }
}

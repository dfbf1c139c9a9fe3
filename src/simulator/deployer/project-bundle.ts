// Between design-node projects and bundle content: the snapshot a bundle export takes, and what activating a
// bundle does to a project on an automation node. Both work on the design state through its project store.

import { illegalArgument } from '../errors.js';
import { createProject, findProject, getProject } from '../design/project-store.js';
import type { DesignState, Json, ProjectRecord, ScenarioRecord } from '../design/state.js';
import type { BundleContent, BundleManifest } from './archive.js';
import { isRecord } from './values.js';

/** A deep copy of the project's configuration as a bundle holds it. */
export function snapshotBundle(
  design: DesignState,
  projectKey: string,
  manifest: Omit<BundleManifest, 'projectKey' | 'formatVersion'>,
): BundleContent {
  const project = structuredClone(getProject(design, projectKey));
  return {
    manifest: { formatVersion: 1, projectKey, ...manifest },
    project: {
      metadata: project.metadata,
      variables: project.variables,
      permissions: project.permissions,
      settings: project.settings,
    },
    scenarios: Object.entries(project.scenarios)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, scenario]) => ({
        id,
        settings: scenario.settings,
        ...(Object.keys(scenario.payload).length > 0 ? { payload: scenario.payload } : {}),
      })),
  };
}

function scenariosOf(content: BundleContent, projectKey: string, previous: ProjectRecord | undefined): Record<string, ScenarioRecord> {
  const scenarios: Record<string, ScenarioRecord> = {};
  for (const s of content.scenarios) {
    const settings: Json = { ...structuredClone(s.settings), id: s.id, projectKey };
    scenarios[s.id] = {
      settings,
      payload: isRecord(s.payload) ? structuredClone(s.payload) : {},
      // A scenario's run history belongs to the node, not to the bundle.
      runs: previous?.scenarios[s.id]?.runs ?? [],
    };
  }
  return scenarios;
}

function variablesOf(content: BundleContent, previous: ProjectRecord | undefined): Json {
  const bundled = isRecord(content.project.variables) ? content.project.variables : {};
  const standard = isRecord(bundled.standard) ? structuredClone(bundled.standard) : {};
  // Local variables are the automation node's own: a bundle never overwrites them.
  const local = previous && isRecord(previous.variables.local) ? previous.variables.local : {};
  return { ...structuredClone(bundled), standard, local };
}

function settingsOf(content: BundleContent, projectKey: string, previous: ProjectRecord | undefined): Json | undefined {
  if (!isRecord(content.project.settings)) return previous?.settings;
  return { ...structuredClone(content.project.settings), projectKey };
}

/** Creates the project a bundle describes (its configuration, scenarios and variables). */
export function createProjectFromBundle(
  design: DesignState,
  content: BundleContent,
  input: { projectKey: string; owner: string; folderId?: string },
  now: number,
): ProjectRecord {
  if (findProject(design, input.projectKey)) throw illegalArgument(`Project ${input.projectKey} already exists`);
  const metadata = isRecord(content.project.metadata) ? structuredClone(content.project.metadata) : undefined;
  const label = typeof metadata?.label === 'string' && metadata.label !== '' ? metadata.label : input.projectKey;
  const permissions = isRecord(content.project.permissions) ? structuredClone(content.project.permissions) : undefined;
  const settings = settingsOf(content, input.projectKey, undefined);
  return createProject(
    design,
    {
      projectKey: input.projectKey,
      name: label,
      owner: input.owner,
      ...(input.folderId === undefined ? {} : { folderId: input.folderId }),
      config: {
        ...(metadata ? { metadata } : {}),
        ...(permissions ? { permissions: { ...permissions, owner: input.owner } } : {}),
        ...(settings ? { settings } : {}),
        variables: variablesOf(content, undefined),
        scenarios: scenariosOf(content, input.projectKey, undefined),
      },
    },
    now,
  );
}

/**
 * Activation: the project takes the bundle's metadata, standard variables, settings and scenarios; its local
 * variables, permissions and run history stay the node's own.
 */
export function activateBundleContent(design: DesignState, projectKey: string, content: BundleContent): void {
  const project = getProject(design, projectKey);
  if (isRecord(content.project.metadata)) {
    project.metadata = { ...structuredClone(content.project.metadata), creationTag: project.metadata.creationTag };
  }
  project.variables = variablesOf(content, project);
  const settings = settingsOf(content, projectKey, project);
  if (settings) project.settings = settings;
  project.scenarios = scenariosOf(content, projectKey, project);
}

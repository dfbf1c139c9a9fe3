// State of the design-node API: project folders, projects, scenarios and their runs. Everything about one
// project lives in one record, so that a bundle can snapshot a project's whole configuration at once.

import type { SecurityState } from '../admin/security-state.js';
import type { ConnectionRecord } from '../admin/connection-store.js';
import type { CodeEnvsState } from '../admin/code-env-store.js';
import type { PluginsState } from '../admin/plugin-store.js';

export type Json = Record<string, unknown>;

export interface FolderRecord {
  id: string;
  /** null for the root folder. */
  parentId: string | null;
  childrenIds: string[];
  projectKeys: string[];
  /** `{name, owner, permissions}`, plus whatever a client stored there. */
  settings: Json;
}

export interface ScenarioRunRecord {
  runId: string;
  triggerId: string;
  triggerRunId: string;
  startTime: number;
  /** When the run is over (startTime + the simulated duration); the outcome is known from then on. */
  endTime: number;
  /** Set when the run was aborted before it ended. */
  abortedAt?: number;
  runBy: string;
  /** Parameters the run was started with. */
  params: Json;
}

export interface ScenarioRecord {
  /** The full settings object (`GET /scenarios/{id}`), as stored, undocumented fields included. */
  settings: Json;
  /** `{script}` of a custom Python scenario. */
  payload: Json;
  runs: ScenarioRunRecord[];
}

export interface ProjectRecord {
  projectKey: string;
  folderId: string;
  metadata: Json;
  permissions: Json;
  variables: Json;
  /** The tags dictionary of `GET /projects/{key}/tags`: `{tags: {name: {color}}}`. */
  tags: Json;
  settings: Json;
  scenarios: Record<string, ScenarioRecord>;
  creationTime: number;
  createdBy: string;
}

export interface DesignState {
  folders: Record<string, FolderRecord>;
  projects: Record<string, ProjectRecord>;
  /** Counter behind generated ids (folders, runs), so that ids are unique and reproducible. */
  nextId: number;
  /** How long a scenario run takes, in simulated milliseconds. */
  scenarioRunMs: number;
  /** Instance variables (`/admin/variables/`); absent in a state saved before they were simulated. */
  instanceVariables?: Json;
  /** Groups and users (`/admin/groups/`, `/admin/users/`); absent in a state saved before they were simulated. */
  security?: SecurityState;
  /** Connections (`/admin/connections/`), by name; absent in a state saved before they were simulated. */
  connections?: Record<string, ConnectionRecord>;
  /** Code environments (`/admin/code-envs/`); absent in a state saved before they were simulated. */
  codeEnvs?: CodeEnvsState;
  /** Installed plugins (`/plugins/`); absent in a state saved before they were simulated. */
  plugins?: PluginsState;
  /** General settings (`/admin/general-settings`); absent until first read, and in a state saved before them. */
  generalSettings?: Json;
}

export const ROOT_FOLDER_ID = 'ROOT';

export function createDesignState(): DesignState {
  return {
    folders: {
      [ROOT_FOLDER_ID]: {
        id: ROOT_FOLDER_ID,
        parentId: null,
        childrenIds: [],
        projectKeys: [],
        settings: { name: null, owner: 'admin', permissions: [] },
      },
    },
    projects: {},
    nextId: 1,
    scenarioRunMs: 200,
    instanceVariables: {},
  };
}

// State of the bundles, Project Deployer, automation and futures APIs. Plain JSON, so that it persists with the
// rest of the node's state file. Objects that clients GET-modify-PUT are kept as open records: fields the simulator
// does not model survive every save, as they do on DSS.

import type { BundleContent } from './archive.js';

/** DSS's `versionTag` / `creationTag`: a counter the server increments on each save. */
export interface VersionTag {
  versionNumber: number;
  lastModifiedBy: { login: string };
  lastModifiedOn: number;
}

export interface ExportedBundle {
  bundleId: string;
  projectKey: string;
  content: BundleContent;
  publications: Array<{ publishedProjectKey: string; publishedOn: number; publishedBy: string }>;
}

export interface Stage {
  id: string;
  desc: string;
}

export interface InfraSettings {
  id: string;
  stage: string;
  automationNodeUrl?: string;
  adminApiKey?: string;
  trustAllSSLCertificates: boolean;
  permissions: unknown[];
  versionTag: VersionTag;
  creationTag: VersionTag;
  [field: string]: unknown;
}

export interface PublishedProjectSettings {
  id: string;
  name: string;
  owner: string;
  permissions: unknown[];
  versionTag: VersionTag;
  creationTag: VersionTag;
  [field: string]: unknown;
}

/** A bundle uploaded to a published project (DSS calls them packages). */
export interface PublishedPackage {
  id: string;
  publishedOn: number;
  publishedBy: string;
  designNodeInfo: { projectKey: string; nodeId: string; url: string };
  content: BundleContent;
}

export interface PublishedProject {
  settings: PublishedProjectSettings;
  packages: Record<string, PublishedPackage>;
}

export interface DeploymentSettings {
  id: string;
  publishedProjectKey: string;
  infraId: string;
  bundleId: string;
  deployedProjectKey: string;
  projectFolderId?: string;
  disableAutomaticTriggers: boolean;
  localVariables: Record<string, unknown>;
  scenariosToActivate: Record<string, boolean>;
  bundleContainerSettings: Record<string, unknown>;
  tags: string[];
  versionTag: VersionTag;
  creationTag: VersionTag;
  [field: string]: unknown;
}

/** What the last `actions/update` of a deployment did, as the status rules need it. */
export interface DeploymentUpdateRecord {
  jobId: string;
  bundleId: string;
  startedOn: number;
  finishedOn?: number;
  outcome: 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED';
  message?: string;
}

export interface Deployment {
  settings: DeploymentSettings;
  /** The bundle the last successful update activated on the automation node. */
  deployedBundleId?: string;
  deployedOn?: number;
  lastUpdate?: DeploymentUpdateRecord;
}

/** A bundle imported into a project of this node acting as an automation node. */
export interface ImportedBundle {
  bundleId: string;
  importedOn: number;
  importedBy: string;
  preloaded: boolean;
  activatedOn?: number;
  content: BundleContent;
}

export interface AutomationProject {
  bundles: Record<string, ImportedBundle>;
  activeBundleId?: string;
}

export interface FutureProgressItem {
  name: string;
  unit: 'NONE' | 'SIZE' | 'FILES' | 'RECORDS';
  target: number;
  cur: number;
}

export interface FutureFailure {
  status: number;
  errorType: string;
  message: string;
}

export interface FutureRecord {
  jobId: string;
  /** What started it, e.g. `deployment-update`; lets the list be read by people. */
  kind: string;
  /** The object it works on, e.g. a deployment id. */
  target: string;
  owner: string;
  startTime: number;
  endTime?: number;
  alive: boolean;
  aborted: boolean;
  hasResult: boolean;
  result?: unknown;
  failure?: FutureFailure;
  progress: FutureProgressItem[];
  /** One entry per finished step, with its report. */
  steps: Array<{ name: string; report: unknown }>;
}

export interface DeployerTestHooks {
  /** Bundle ids whose activation fails on this node (rollback tests). */
  failActivation: string[];
}

export interface DeployerConfig {
  /** Simulated duration of each future step, in milliseconds. */
  futureStepMs: number;
  /**
   * The Project Deployer this design node publishes to, when it is another node; absent, bundles are published to
   * the node's own deployer (DSS's local deployer).
   */
  remoteDeployer?: { url: string; apiKey: string; trustAllSSLCertificates?: boolean };
}

export interface DeployerState {
  /** Exported bundles by project key, then bundle id. */
  exported: Record<string, Record<string, ExportedBundle>>;
  stages: Stage[];
  infras: Record<string, InfraSettings>;
  publishedProjects: Record<string, PublishedProject>;
  deployments: Record<string, Deployment>;
  /** Imported bundles by project key (this node as an automation node). */
  automation: Record<string, AutomationProject>;
  futures: Record<string, FutureRecord>;
  hooks: DeployerTestHooks;
  config: DeployerConfig;
}

export const DEFAULT_STAGES: readonly Stage[] = [
  { id: 'Development', desc: 'For applications development' },
  { id: 'Test', desc: 'Acceptance testing' },
  { id: 'Production', desc: 'Running live for users' },
];

export const DEFAULT_FUTURE_STEP_MS = 20;

export function createDeployerState(): DeployerState {
  return {
    exported: {},
    stages: DEFAULT_STAGES.map((s) => ({ ...s })),
    infras: {},
    publishedProjects: {},
    deployments: {},
    automation: {},
    futures: {},
    hooks: { failActivation: [] },
    config: { futureStepMs: DEFAULT_FUTURE_STEP_MS },
  };
}

/**
 * Fills the slices a state file written by an older version lacks, so that a node started on an old file works.
 * Returns the same object.
 */
export function completeDeployerState(partial: Partial<DeployerState> | undefined): DeployerState {
  const base = createDeployerState();
  const state = (partial ?? {}) as Partial<DeployerState>;
  for (const key of Object.keys(base) as Array<keyof DeployerState>) {
    if (state[key] === undefined) (state as Record<string, unknown>)[key] = base[key];
  }
  return state as DeployerState;
}

export function newVersionTag(login: string, now: number): VersionTag {
  return { versionNumber: 1, lastModifiedBy: { login }, lastModifiedOn: now };
}

/** The tag of the next save: DSS increments the number whatever the client sent. */
export function nextVersionTag(previous: VersionTag | undefined, login: string, now: number): VersionTag {
  return { versionNumber: (previous?.versionNumber ?? 0) + 1, lastModifiedBy: { login }, lastModifiedOn: now };
}
